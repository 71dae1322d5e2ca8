// Loads one dependency from its own node_modules (installed after
// `cd $APP_HOME`) and one through NODE_PATH (/opt/deps/node_modules).
var greeting = require('greeting');
var farewell = require('farewell');
require('http').createServer(function (req, res) {
  res.end(greeting('deps') + '; ' + farewell('deps') + '; cwd ' + process.cwd() + '; node ' + process.version.slice(1) + '\n');
}).listen(3000);
