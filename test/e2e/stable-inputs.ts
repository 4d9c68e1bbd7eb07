// Test support: a collection's files with times that do not depend on when the repository was cloned (git keeps
// no file times): the example regenerated (its generator sets believable times), other folders copied with one fixed time.
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { makeExample } from '../../scripts/make-example.js';

const FIXED = new Date('2021-03-04T00:00:00Z');

function touchAll(dir: string): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) touchAll(p);
    else utimesSync(p, FIXED, FIXED);
  }
}

/** Copies of `inputs` (paths relative to the project) with stable file times, and a function that removes them. */
export function stableInputs(inputs: readonly string[]): { paths: string[]; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-stable-'));
  const paths = inputs.map((input, i) => {
    const out = join(dir, String(i));
    if (resolve(projectRoot, input) === resolve(projectRoot, 'examples', 'exchange-2021')) makeExample(out);
    else {
      cpSync(resolve(projectRoot, input), out, { recursive: true });
      touchAll(out);
    }
    return out;
  });
  return { paths, done: () => rmSync(dir, { recursive: true, force: true }) };
}
