const http = require('http');
http.createServer((req, res) => {
  res.end(`I am running nodejs version: ${process.version.slice(1)}\n`);
}).listen(3000);
