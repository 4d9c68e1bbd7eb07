// exhunt's version, read once from package.json: reports and summaries state it, and the rule cache keys
// on it (a cache written by another version is never trusted).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.js';

export const version: string = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
