#!/usr/bin/env node
// exhunt command-line entry: loads the compiled CLI (run `npm run build` first).
// A closed pipe (exhunt ... | head) ends the run quietly instead of crashing with EPIPE.
import { main } from '../dist/src/cli/main.js';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
