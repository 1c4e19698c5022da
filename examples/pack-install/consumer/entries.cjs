// Requires each entry point named on the command line and prints their export names as JSON.
const names = {};
for (const specifier of process.argv.slice(2)) names[specifier] = Object.keys(require(specifier)).sort();
console.log(JSON.stringify(names));
