// The second service of the shared settings, started by its own command.
const greeting = require('greeting');
require('http').createServer((req, res) => {
  res.end(`${greeting('shared worker')}; node ${process.version.slice(1)}\n`);
}).listen(3001);
