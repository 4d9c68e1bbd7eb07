// Runs the compiled test files: `unit` = everything but test/conformance (works without ../shared),
// `conformance` = the suites that read ../shared (SigmaHQ regression, EVTX golden, signature-base).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

const which = process.argv[2] ?? 'unit';
const dist = join(process.cwd(), 'dist');
function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.test.js')) yield p;
  }
}
const conf = join('test', 'conformance') + sep;
const files = existsSync(dist)
  ? [...walk(dist)].filter((f) => (which === 'conformance') === relative(dist, f).startsWith(conf)).sort()
  : [];
if (files.length === 0) {
  console.error(`scripts/test.mjs: no ${which} test files under dist/ (run npm run build)`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
