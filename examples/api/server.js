// A small JSON API: GET / greets and reports the Node version, GET /hits
// counts requests in a file on the named data volume, POST-free writes go to
// ./uploads (the app writes into its own work dir), GET /health for the
// HEALTHCHECK.
const fs = require('fs');
const http = require('http');
const path = require('path');
const greeting = require('greeting');

const port = Number(process.env.PORT || 3000);
const dataDir = process.env.DATA_DIR || '/data';
const release = 'v1';

function hits() {
  const file = path.join(dataDir, 'hits');
  let n = 0;
  try { n = Number(fs.readFileSync(file, 'utf8')) || 0; } catch (e) { /* first hit */ }
  fs.writeFileSync(file, String(n + 1));
  return n + 1;
}

http.createServer((req, res) => {
  const send = (code, body) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body) + '\n');
  };
  try {
    if (req.url === '/health') return send(200, { ok: true });
    if (req.url === '/hits') return send(200, { hits: hits() });
    if (req.url === '/upload') {
      fs.writeFileSync(path.join(__dirname, 'uploads', 'last.txt'), new Date().toISOString());
      return send(200, { wrote: 'uploads/last.txt' });
    }
    return send(200, {
      message: greeting(process.env.GREETING_NAME || 'world'),
      node: process.version.slice(1),
      env: process.env.NODE_ENV,
      release,
    });
  } catch (e) {
    return send(500, { error: e.code || String(e) });
  }
}).listen(port, () => console.log(`api listening on ${port}`));
