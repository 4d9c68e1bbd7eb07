// End-to-end tests of the rule cache through the built CLI: two `exhunt scan` processes started together on
// an empty cache both succeed with the same findings, the next scan uses the cache, --no-rule-cache skips it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../../src/paths.js';

const bin = join(projectRoot, 'bin', 'exhunt.js');
const evidence = join(projectRoot, 'test', 'fixtures', 'exchange', 'proxylogon');

function scan(cacheHome: string, extra: string[] = []): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, 'scan', evidence, '--jsonl', '--workers', '1', ...extra], { env: { ...process.env, XDG_CACHE_HOME: cacheHome }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

test('two scans started together on an empty rule cache both work and agree; the next uses the cache; --no-rule-cache skips it', async () => {
  const home = mkdtempSync(join(tmpdir(), 'exhunt-xdg-'));
  const [a, b] = await Promise.all([scan(home), scan(home)]);
  assert.equal(a.code, 1, a.err);
  assert.equal(b.code, 1, b.err);
  assert.ok(a.out.split('\n').length > 5, 'findings were printed');
  assert.equal(a.out, b.out);
  assert.doesNotMatch(a.err + b.err, /SIGMA_CACHE/);
  const files = readdirSync(join(home, 'exhunt'));
  assert.equal(files.filter((f) => f.endsWith('.bin')).length, 1);
  assert.deepEqual(files.filter((f) => f.endsWith('.tmp')), []);
  const warm = await scan(home);
  assert.equal(warm.out, a.out);
  const other = mkdtempSync(join(tmpdir(), 'exhunt-xdg-'));
  const off = await scan(other, ['--no-rule-cache']);
  assert.equal(off.out, a.out);
  assert.equal(existsSync(join(other, 'exhunt')), false, 'no cache written');
  for (const d of [home, other]) rmSync(d, { recursive: true, force: true });
});
