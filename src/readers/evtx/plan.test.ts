// Compiled template plans (plan.ts) give exactly the JSON of the instantiated tree, in this thread and through the
// worker transport's flat scalars: on every regression record, mutated copies, and hand-built hostile shapes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../paths.js';
import { ChunkBinXml } from './binxml.js';
import { record, type TypedValue, type Writer } from './binxml-writer.js';
import type { FlatRecord } from './direct-json.js';
import type { Scalar } from './ir.js';
import { toEvtxJson } from './json.js';
import { parseEvtxTrees } from './parse.js';
import { compileFlat, planFlat, planJson, type FlatBuild } from './plan.js';

/** Both compiled paths of one flat record; undefined where the record is not compiled. */
const table: FlatBuild[] = [];
function viaPlans(r: FlatRecord): { local: unknown; flat: unknown } {
  const vals: Scalar[] = [];
  const sources: (number | string)[] = [];
  const id = planFlat(r, vals, sources);
  for (let i = 0; i < sources.length; i += 2) table[sources[i] as number] = compileFlat(sources[i + 1] as string);
  return { local: planJson(r), flat: id < 0 ? undefined : table[id]!(['pad', ...vals], 1) };
}

test('compiled plans equal the tree JSON on all regression files and mutations', { skip: !hasShared && 'needs ../shared' }, () => {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as { data_path: string }[];
  let compiled = 0;
  let mutatedCompiled = 0;
  for (const [i, m] of manifest.entries()) {
    const orig = new Uint8Array(readFileSync(join(sharedDir, 'sigma', m.data_path)));
    const variants = [orig];
    for (let v = 0; v < 4; v++) {
      const bad = orig.slice();
      for (let k = 0; k < 1 + v; k++) bad[4096 + 512 + ((i * 151 + v * 7907 + k * 983) % Math.max(1, Math.min(orig.length - 4608, 6000)))] ^= [0x01, 0x41, 0xff, 0x20][(v + k) % 4]!;
      variants.push(bad);
    }
    for (const buf of variants) {
      for (const t of parseEvtxTrees(buf, m.data_path, () => undefined)) {
        const r = (t as unknown as { r: object }).r;
        if (!('values' in r)) continue;
        const { local, flat } = viaPlans(r as FlatRecord);
        const want = toEvtxJson(t.root);
        if (local !== undefined) {
          assert.deepStrictEqual(local, want, `${m.data_path} record ${t.recordId}`);
          compiled++;
          if (buf !== orig) mutatedCompiled++;
        }
        assert.equal(flat === undefined, local === undefined);
        if (flat !== undefined) assert.deepStrictEqual(flat, want, `${m.data_path} record ${t.recordId} (flat scalars)`);
        assert.deepStrictEqual(t.json(), want);
      }
    }
  }
  assert.ok(compiled > 800, `compiled path used (${compiled})`);
  assert.ok(mutatedCompiled > 0);
});

function check(body: (w: Writer) => void, values: (string | TypedValue)[], expectCompiled = true): Record<string, unknown> {
  const r = record(body, values);
  const bx = new ChunkBinXml(r.buf, new DataView(r.buf.buffer), 0, 65536);
  const flat = bx.parseRecordFlat(r.start, r.end);
  assert.ok('values' in flat, 'record takes the flat path');
  const want = toEvtxJson(bx.instantiateFlat(flat));
  const { local, flat: viaFlat } = viaPlans(flat);
  if (!expectCompiled) {
    assert.equal(local, undefined);
    return want;
  }
  assert.deepStrictEqual(local, want);
  assert.deepStrictEqual(viaFlat, want);
  return local as Record<string, unknown>;
}

const int32 = (n: number): TypedValue => ({ type: 0x07, bytes: [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff] });
const bool = (b: boolean): TypedValue => ({ type: 0x0d, bytes: [b ? 1 : 0, 0, 0, 0] });
const NULL: TypedValue = { type: 0x00, bytes: [] };

const named = (w: Writer): void => {
  w.el('Event', () =>
    w.el('EventData', () => {
      w.elA('Data', [['Name', () => w.sub(0)]], () => w.sub(1));
      w.elA('Data', [['Name', () => w.text('x')]], () => w.sub(2));
    }),
  );
};

test('plans: Data names from values (dynamic keys, __proto__, clash with a static name, empty name)', () => {
  const a = check(named, ['__proto__', 'a', 'b']);
  const ed = (a['Event'] as Record<string, Record<string, unknown>>)['EventData']!;
  assert.equal(Object.getPrototypeOf(ed), Object.prototype);
  assert.ok(Object.hasOwn(ed, '__proto__'));
  assert.deepStrictEqual(Object.entries(ed), [['__proto__', 'a'], ['x', 'b']]);
  assert.deepStrictEqual(check(named, ['x', 'a', 'b'])['Event'], { EventData: { x: 'b' } });
  assert.deepStrictEqual(check(named, ['', 'a', 'b'])['Event'], { EventData: { x: 'b' } });
  assert.deepStrictEqual(check(named, ['12', 'a', 'b'])['Event'], { EventData: { 12: 'a', x: 'b' } });
  assert.deepStrictEqual(check(named, [NULL, 'a', NULL])['Event'], { EventData: { x: '' } });
});

test('plans: numbers stay numbers alone and become text inside text; booleans, NULL and empty values', () => {
  const body = (w: Writer): void => {
    w.el('Event', () => {
      w.el('N', () => w.sub(0));
      w.el('T', () => {
        w.text('n=');
        w.sub(0);
        w.sub(1);
      });
      w.elA('A', [['v', () => w.sub(1)], ['w', () => w.sub(2)]], () => w.sub(2));
    });
  };
  assert.deepStrictEqual(check(body, [int32(-5), bool(true), 'z'])['Event'], { N: -5, T: 'n=-5true', A: { '#attributes': { v: true, w: 'z' }, '#text': 'z' } });
  assert.deepStrictEqual(check(body, [int32(7), NULL, ''])['Event'], { N: 7, T: 'n=7', A: null });
  assert.deepStrictEqual(check(body, ['', bool(false), NULL])['Event'], { N: null, T: 'n=false', A: { '#attributes': { v: false } } });
});

test('plans: a template whose text holds the sentinel character is not compiled, and still renders right', () => {
  const body = (w: Writer): void => {
    w.el('Event', () => w.el('S', () => {
      w.text('\ue0000\ue001');
      w.sub(0);
    }));
  };
  assert.deepStrictEqual(check(body, ['v'], false)['Event'], { S: '\ue0000\ue001v' });
});
