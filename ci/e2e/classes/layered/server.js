// Says which variant runs it and on which Node.
require('http').createServer((req, res) => {
  res.end(`layered ${process.env.STAGE}; node ${process.version.slice(1)}\n`);
}).listen(3000);
