// The workspace's web package: it imports its sibling through the workspace
// link and reports whether it may write into its own folder.
const fs = require('fs');
const http = require('http');
const path = require('path');
const { quote } = require('@ws/quotes');

const release = 'v1';

function canWrite() {
  const f = path.join(__dirname, '.probe');
  try {
    fs.writeFileSync(f, 'x');
    fs.unlinkSync(f);
    return true;
  } catch (e) {
    return false;
  }
}

http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end([
    `quote: ${quote()}`,
    `node: ${process.version.slice(1)}`,
    `release: ${release}`,
    `uid: ${process.getuid()}`,
    `cwd: ${process.cwd()}`,
    `writable: ${canWrite()}`,
  ].join('\n') + '\n');
}).listen(Number(process.env.PORT || 4000));
