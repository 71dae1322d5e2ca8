// Reports what started it: the package manager (pnpm sets the user agent)
// and PID 1 of its container.
const fs = require('fs');
require('http').createServer((req, res) => {
  const pid1 = fs.readFileSync('/proc/1/cmdline', 'utf8').split('\0')[0];
  const agent = (process.env.npm_config_user_agent || 'none').split(' ')[0];
  res.end(`init on node ${process.version.slice(1)}; pid ${process.pid}; pid1 ${pid1}; started by ${agent}\n`);
}).listen(3000);
