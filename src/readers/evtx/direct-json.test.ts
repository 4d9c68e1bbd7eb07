// Differential: the JSON rendered straight from templates and values (flat records) equals the JSON of the
// instantiated tree, on every regression record, byte-mutated copies, and hand-built hostile element names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../paths.js';
import { ChunkBinXml } from './binxml.js';
import { flatJson } from './direct-json.js';
import { parseEvtxTrees } from './parse.js';
import { toEvtxJson } from './json.js';
import { record } from './binxml-writer.js';

/** Whether the tree still holds its uninstantiated flat form (read before touching `root`). */
function isFlat(t: unknown): boolean {
  return 'values' in (t as { r: object }).r;
}

test('flat JSON equals the instantiated tree JSON on all regression files and mutations', { skip: !hasShared && 'needs ../shared' }, () => {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as { data_path: string }[];
  let flat = 0;
  let other = 0;
  let mutated = 0;
  for (const [i, m] of manifest.entries()) {
    const orig = new Uint8Array(readFileSync(join(sharedDir, 'sigma', m.data_path)));
    const variants = [orig];
    for (let v = 0; v < 6; v++) {
      const bad = orig.slice();
      for (let k = 0; k < 1 + v; k++) bad[4096 + 512 + ((i * 131 + v * 7919 + k * 977) % Math.max(1, Math.min(orig.length - 4608, 6000)))] ^= [0x01, 0x41, 0xff, 0x20][(v + k) % 4]!;
      variants.push(bad);
    }
    for (const buf of variants) {
      for (const t of parseEvtxTrees(buf, m.data_path, () => undefined)) {
        if (isFlat(t)) flat++;
        else other++;
        const direct = t.json();
        assert.deepStrictEqual(direct, toEvtxJson(t.root), `${m.data_path} record ${t.recordId}`);
        if (buf !== orig) mutated++;
      }
    }
  }
  assert.ok(flat > 200, `flat path used (${flat})`);
  assert.ok(mutated > 0);
  void other;
});

test('flat JSON: __proto__ element names, repeated names, keys that only differ by U+0000 placement', () => {
  const r = record((w) => {
    w.el('Event', () => {
      w.el('__proto__', () => w.text('p'));
      w.el('A', () => w.sub(0));
      w.el('A', () => w.text('second'));
      w.el('A_1', () => w.text('clash'));
      w.el('K', () => w.el('x\u0000y', () => w.sub(1)));
      w.el('L', () => {
        w.el('x', () => w.sub(0));
        w.el('y', () => w.sub(1));
      });
      w.el('M', () => w.el('x\u0000y', () => w.text('again')));
    });
  }, ['v0', 'v1']);
  const dv = new DataView(r.buf.buffer);
  for (let round = 0; round < 3; round++) {
    const bx = new ChunkBinXml(r.buf, dv, 0, 65536);
    const flat = bx.parseRecordFlat(r.start, r.end);
    assert.ok('values' in flat, 'record takes the flat path');
    const got = flatJson(flat);
    const want = toEvtxJson(bx.instantiateFlat(flat));
    assert.deepStrictEqual(got, want);
    const ev = got['Event'] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(ev), Object.prototype);
    assert.ok(Object.hasOwn(ev, '__proto__'));
    assert.deepStrictEqual(ev['K'], { 'x\u0000y': 'v1' });
    assert.deepStrictEqual(ev['L'], { x: 'v0', y: 'v1' });
    assert.deepStrictEqual(ev['M'], { 'x\u0000y': 'again' });
  }
});
