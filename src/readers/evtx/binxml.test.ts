// Binary XML built byte by byte: inline names and template definition, back-references from a second record,
// optional substitution of NULL, string-array expansion, attribute substitution, FILETIME, nested BinXml.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BinXmlError, ChunkBinXml } from './binxml.js';
import { Writer } from './binxml-writer.js';
import { toEvtxJson } from './json.js';

/** The shared test writer plus back-referenced names (a name written once, then pointed to). */
class Bytes extends Writer {
  /** A name reference; inline (offset == here) the first time, a back-reference afterwards. */
  nameRef(s: string, names: Map<string, number>): this {
    const known = names.get(s);
    if (known !== undefined) return this.u32(known);
    const here = this.p + 4;
    names.set(s, here);
    return this.u32(here).u32(0).u16(0).u16(s.length).utf16(s).u16(0);
  }
  open(name: string, names: Map<string, number>, attrs = false, depId = true): this {
    this.u8(attrs ? 0x41 : 0x01);
    if (depId) this.u16(0xffff);
    return this.u32(0).nameRef(name, names);
  }
}

function build(): { b: Bytes; rec1: [number, number]; rec2: [number, number] } {
  const b = new Bytes();
  const names = new Map<string, number>();
  const start1 = b.p;
  b.u8(0x0f, 1, 1, 0, 0x0c, 1).u32(7);
  const defOff = b.p + 4;
  b.u32(defOff).u32(0).u8(...new Array(16).fill(0xab));
  const sizeAt = b.p;
  b.u32(0);
  const bodyStart = b.p;
  b.u8(0x0f, 1, 1, 0);
  b.open('Event', names).u8(0x02);
  b.open('Data', names).u8(0x02, 0x0e).u16(0).u8(0x81, 0x04);
  b.open('Opt', names).u8(0x02, 0x0e).u16(1).u8(0x01, 0x04);
  b.open('Num', names, true).u32(0).u8(0x06).nameRef('v', names).u8(0x0d).u16(2).u8(0x08).u8(0x02, 0x0d).u16(3).u8(0x11, 0x04);
  b.open('Nest', names).u8(0x02, 0x0d).u16(4).u8(0x21, 0x04);
  b.u8(0x04, 0x00);
  b.dv.setUint32(sizeAt, b.p - bodyStart, true);
  const values = (arr: string[], ft: bigint): void => {
    const nestedNames = new Map<string, number>();
    const sizes = [arr.join('\0').length * 2 + 2, 0, 4, 8, 0];
    b.u32(5);
    const descAt = b.p;
    b.p += 20;
    b.utf16(arr.join('\0')).u16(0);
    b.u32(42);
    b.dv.setBigUint64(b.p, ft, true);
    b.p += 8;
    const nestStart = b.p;
    b.u8(0x0f, 1, 1, 0);
    b.open('In', nestedNames, false, false).u8(0x02, 0x05, 0x01).u16(2).utf16('hi').u8(0x04, 0x00);
    sizes[4] = b.p - nestStart;
    const types = [0x81, 0x00, 0x08, 0x11, 0x21];
    for (let i = 0; i < 5; i++) {
      b.dv.setUint16(descAt + 4 * i, sizes[i]!, true);
      b.buf[descAt + 4 * i + 2] = types[i]!;
    }
  };
  values(['a', 'b'], 134090000000000000n);
  b.u8(0x00);
  const end1 = b.p;
  const start2 = b.p;
  b.u8(0x0f, 1, 1, 0, 0x0c, 1).u32(7).u32(defOff);
  values(['only'], 0n);
  b.u8(0x00);
  return { b, rec1: [start1, end1], rec2: [start2, b.p] };
}

test('template defined inline, then referenced; arrays, optional NULL, attributes, FILETIME, nested BinXml', () => {
  const { b, rec1, rec2 } = build();
  const bx = new ChunkBinXml(b.buf, b.dv, 0, 65536);
  assert.deepStrictEqual(toEvtxJson(bx.parseRecord(...rec1)), {
    Event: { Data: 'a', Data_1: 'b', Opt: null, Num: { '#attributes': { v: 42 }, '#text': '2025-11-30T18:13:20.000000Z' }, Nest: { In: 'hi' } },
  });
  assert.deepStrictEqual(toEvtxJson(bx.parseRecord(...rec2)), {
    Event: { Data: 'only', Opt: null, Num: { '#attributes': { v: 42 }, '#text': '1601-01-01T00:00:00.000000Z' }, Nest: { In: 'hi' } },
  });
});

test('a reference to a template that was never defined is a missing-template error', () => {
  const { b, rec2 } = build();
  const bx = new ChunkBinXml(b.buf, b.dv, 0, 65536); // fresh cache: rec1 never parsed, but its bytes are there
  assert.ok(bx.parseRecord(...rec2));
  const broken = new ChunkBinXml(b.buf, b.dv, 0, 65536);
  b.dv.setUint32(rec2[0] + 10, 60000, true);
  assert.throws(() => broken.parseRecord(...rec2), (e: unknown) => e instanceof BinXmlError && e.missingTemplate);
});

test('a record cut short is a Binary XML error, not a crash', () => {
  const { b, rec1 } = build();
  const bx = new ChunkBinXml(b.buf, b.dv, 0, 65536);
  for (let cut = rec1[0]; cut < rec1[1] - 1; cut += 7) {
    assert.throws(() => new ChunkBinXml(b.buf, b.dv, 0, 65536).parseRecord(rec1[0], cut), BinXmlError);
  }
  assert.ok(bx.parseRecord(...rec1));
});
