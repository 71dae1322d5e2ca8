// Stores an upload in ./uploads on every request and counts them: the
// folder must be writable by the user the app runs as.
var fs = require('fs');
require('http').createServer(function (req, res) {
  try {
    fs.writeFileSync('uploads/' + Date.now() + '-' + Math.random().toString(36).slice(2), 'x');
    res.end('uploads ' + fs.readdirSync('uploads').length + '; uid ' + process.getuid() + '; node ' + process.version.slice(1) + '\n');
  } catch (e) {
    res.end('upload failed: ' + e.code + '; node ' + process.version.slice(1) + '\n');
  }
}).listen(3000);
