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

/** One record: a template (inline definition) over `body`, with string values; offsets are chunk-relative. */
function record(body: (w: Writer) => void, values: string[]): { buf: Uint8Array; start: number; end: number } {
  const w = new Writer();
  w.u8(0x0f, 1, 1, 0, 0x0c, 1).u32(7);
  const defOff = w.p + 4;
  w.u32(defOff).u32(0).u8(...new Array<number>(16).fill(0xcd));
  const sizeAt = w.p;
  w.u32(0);
  const bodyStart = w.p;
  w.u8(0x0f, 1, 1, 0);
  body(w);
  w.u8(0x00);
  w.dv.setUint32(sizeAt, w.p - bodyStart, true);
  w.u32(values.length);
  for (const v of values) w.u16(v.length * 2).u8(0x01, 0x00);
  for (const v of values) w.utf16(v);
  return { buf: w.buf, start: 512, end: w.p };
}

class Writer {
  readonly buf = new Uint8Array(65536);
  readonly dv = new DataView(this.buf.buffer);
  p = 512;
  u8(...v: number[]): this {
    for (const x of v) this.buf[this.p++] = x;
    return this;
  }
  u16(v: number): this {
    this.dv.setUint16(this.p, v, true);
    this.p += 2;
    return this;
  }
  u32(v: number): this {
    this.dv.setUint32(this.p, v, true);
    this.p += 4;
    return this;
  }
  utf16(s: string): this {
    for (let i = 0; i < s.length; i++) this.u16(s.charCodeAt(i));
    return this;
  }
  /** An element with an inline name; `content` writes its children (none: empty element). */
  el(name: string, content?: () => void): this {
    this.u8(0x01).u16(0xffff).u32(0);
    const here = this.p + 4;
    this.u32(here).u32(0).u16(0).u16(name.length).utf16(name).u16(0);
    if (!content) return this.u8(0x03);
    this.u8(0x02);
    content();
    return this.u8(0x04);
  }
  text(s: string): this {
    return this.u8(0x05, 0x01).u16(s.length).utf16(s);
  }
  sub(i: number): this {
    return this.u8(0x0d).u16(i).u8(0x01);
  }
}

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
