// Runs the compiled test files: `unit` = everything but test/conformance (works without ../shared),
// `conformance` = the suites that read ../shared (SigmaHQ regression, EVTX golden, signature-base).
import { readdirSync, statSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
// Tests never touch the user's rule cache: scans they run cache their rules in a directory of their own.
const cacheHome = mkdtempSync(join(tmpdir(), 'exhunt-test-cache-'));
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env: { ...process.env, XDG_CACHE_HOME: cacheHome } });
rmSync(cacheHome, { recursive: true, force: true });
process.exit(r.status ?? 1);
