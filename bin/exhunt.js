#!/usr/bin/env node
// exhunt command-line entry: loads the compiled CLI (run `npm run build` first).
import { main } from '../dist/src/cli/main.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
