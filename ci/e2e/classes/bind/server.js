// Greets with its dependency (from node_modules) and the text of
// message.txt, read on every request: an edit on the host shows at once.
const fs = require('fs');
const greeting = require('greeting');
require('http').createServer((req, res) => {
  const msg = fs.readFileSync(__dirname + '/message.txt', 'utf8').trim();
  res.end(`${greeting('bind')}; ${msg}; node ${process.version.slice(1)}\n`);
}).listen(3000);
