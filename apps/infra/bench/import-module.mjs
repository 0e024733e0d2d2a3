// One cold start: imports the given modules, in order, in this fresh process, and prints one JSON line with the
// time each import took (ms). Usage: node import-module.mjs <module path> [<module loaded next> ...]
import { pathToFileURL } from 'node:url';

const importMs = [];
for (const path of process.argv.slice(2)) {
  const started = performance.now();
  await import(pathToFileURL(path).href);
  importMs.push(performance.now() - started);
}
console.log(JSON.stringify({ node: process.version, importMs }));
