// Reports the uid and gid it runs as.
require('http').createServer((req, res) => {
  res.end(`user on node ${process.version.slice(1)}; uid ${process.getuid()} gid ${process.getgid()}\n`);
}).listen(3000);
