// `exhunt rules check`: problems with file:line, the closing "N loaded, M failed" line, --json, and
// the exit code (0 when nothing failed, 1 otherwise).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../main.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await main(args, { stdout, stderr });
  return { code, out, err };
}

const good = `title: good\nid: g1\nlogsource:\n    product: exchange\n    service: httpproxy\ndetection:\n    sel:\n        UrlStem|contains: '/ecp/'\n    condition: sel\n`;
const bad = `title: bad\nid: b1\nlogsource:\n    product: exchange\n    service: httpproxy\ndetection:\n    sel:\n        UrlStem|contians: '/ecp/'\n    condition: sel\n`;

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-rules-'));
  for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
  return dir;
}

test('rules check: all good → exit 0 and the summary line', async () => {
  const dir = dirWith({ 'a.yml': good });
  const r = await cli(['rules', 'check', dir]);
  assert.equal(r.code, 0);
  assert.equal(r.out.trim().split('\n').pop(), '1 loaded, 0 failed');
});

test('rules check: a bad rule is printed with file:line and the exit code is 1', async () => {
  const dir = dirWith({ 'a.yml': good, 'b.yaml': bad, 'notes.txt': 'not a rule' });
  const r = await cli(['rules', 'check', dir]);
  assert.equal(r.code, 1);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.pop(), '1 loaded, 1 failed');
  assert.match(lines.join('\n'), new RegExp(`${join(dir, 'b.yaml').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}:8: error\\[SIGMA_UNKNOWN_MODIFIER\\]: unknown modifier 'contians'`));
});

test('rules check --json prints one object', async () => {
  const dir = dirWith({ 'b.yml': bad });
  const r = await cli(['rules', 'check', '--json', join(dir, 'b.yml')]);
  assert.equal(r.code, 1);
  const obj = JSON.parse(r.out) as { loaded: number; failed: number; problems: { path: string; line: number; message: string }[] };
  assert.equal(obj.loaded, 0);
  assert.equal(obj.failed, 1);
  assert.equal(obj.problems.length, 1);
  assert.deepEqual(Object.keys(obj.problems[0]!).sort(), ['line', 'message', 'path']);
  assert.equal(obj.problems[0]!.path, join(dir, 'b.yml'));
  assert.equal(obj.problems[0]!.line, 8);
});
