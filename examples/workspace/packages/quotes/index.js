// A library package of the workspace, linked into node_modules by npm.
exports.quote = () => 'Simplicity is prerequisite for reliability.';
