// Greets with its dependency, which comes from node_modules (a named
// volume).
const greeting = require('greeting');
require('http').createServer((req, res) => {
  res.end(`${greeting('shared web')}; node ${process.version.slice(1)}\n`);
}).listen(3000);
