// Greets with its dependency (from node_modules) and says where it runs:
// at / bundled, at /app decoupled, where the code image put the code.
var greeting = require('greeting');
require('http').createServer(function (req, res) {
  res.end(greeting('root') + '; cwd ' + process.cwd() + '; dir ' + __dirname + '; node ' + process.version.slice(1) + '\n');
}).listen(3000);
