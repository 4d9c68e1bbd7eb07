import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import { hostDirs, safeHostDir } from './host-dir.js';

test('a safe host name is its own folder', () => {
  assert.equal(safeHostDir('EX01'), 'EX01');
  assert.equal(safeHostDir('ex01.corp.example'), 'ex01.corp.example');
});

test('hostile host names become folders inside hosts/, told apart by a hash of the true name', () => {
  const hostile = ['..', '.', '../../etc', 'a/b', 'a\\b', 'x\u0000y', '\uff0e\uff0e\uff0f', 'CON', 'nul.txt', 'x'.repeat(5000), '', '<script>', ' EX01', 'ΕΧ01'];
  const root = resolve('/tmp/out/hosts');
  const seen = new Set<string>();
  for (const h of hostile) {
    const d = safeHostDir(h);
    assert.match(d, /^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{8}$/, JSON.stringify(h));
    assert.ok(d.length <= 73);
    assert.ok(resolve(join(root, d)).startsWith(root + sep));
    assert.ok(!seen.has(d), `distinct: ${d}`);
    seen.add(d);
  }
});

test('names that would share a folder on a case-insensitive file system get their hash', () => {
  const d = hostDirs(['EX01', 'ex01', 'EX02']);
  assert.equal(d.get('EX02'), 'EX02');
  assert.match(d.get('EX01')!, /^EX01-[0-9a-f]{8}$/);
  assert.match(d.get('ex01')!, /^ex01-[0-9a-f]{8}$/);
  assert.notEqual(d.get('EX01')!.toLowerCase(), d.get('ex01')!.toLowerCase());
});
