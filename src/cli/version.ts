// exhunt's version for the CLI (--version, reports); one source, src/version.ts, which the rule cache
// keys on too.
export { version } from '../version.js';
