// The web target: answers with its own name and the Node version.
require('http').createServer((req, res) => {
  res.end('web on node ' + process.version.slice(1) + '\n');
}).listen(3000);
