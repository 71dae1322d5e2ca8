require('http').createServer((req, res) => {
  res.end(`image on node ${process.version.slice(1)}\n`);
}).listen(3000);
