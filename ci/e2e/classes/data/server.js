// GET /hits counts in /data/hits, the image's data volume.
const fs = require('fs');
const release = 'v1';
require('http').createServer((req, res) => {
  let n = 0;
  if (req.url === '/hits') {
    try { n = Number(fs.readFileSync('/data/hits', 'utf8')) || 0; } catch (e) { /* first hit */ }
    fs.writeFileSync('/data/hits', String(++n));
  }
  res.end(`data ${release} on node ${process.version.slice(1)}; hits ${n}\n`);
}).listen(3000);
