// Answers with the Node version it runs on.
const release = 'v1';
require('http').createServer((req, res) => {
  res.end(`standalone ${release} on node ${process.version.slice(1)}\n`);
}).listen(5000);
