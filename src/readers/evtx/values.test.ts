// Unit tests for value decoding (research §5.5) and CRC32: each type rendered in the evtx_dump convention,
// FILETIME calendar arithmetic checked against Date.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeValue, filetimeIso, leafText, numberAt } from './values.js';
import { crc32, crc32Table } from './crc32.js';
import { VT } from './ir.js';

function dec(bytes: number[], type: number): unknown {
  const b = new Uint8Array(bytes);
  return decodeValue(b, new DataView(b.buffer), 0, b.length, type).v;
}

test('integers of every width, signed and unsigned, and hex forms', () => {
  assert.equal(dec([0xff], VT.INT8), -1);
  assert.equal(dec([0xff], VT.UINT8), 255);
  assert.equal(dec([0xfe, 0xff], VT.INT16), -2);
  assert.equal(dec([0xfe, 0xff], VT.UINT16), 65534);
  assert.equal(dec([0xff, 0xff, 0xff, 0xff], VT.INT32), -1);
  assert.equal(dec([0xff, 0xff, 0xff, 0xff], VT.UINT32), 4294967295);
  assert.equal(dec([1, 0, 0, 0, 1, 0, 0, 0], VT.UINT64), 4294967297);
  assert.equal(dec([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], VT.INT64), -1);
  assert.equal(dec([0x3c, 0x8c, 0x05, 0x00], VT.HEX32), '0x58c3c');
  assert.equal(dec([0, 0, 0, 0, 0, 0, 0, 0x80], VT.HEX64), '0x8000000000000000');
  assert.equal(dec([0x10, 0, 0, 0, 0, 0, 0, 0], VT.SIZE_T), '0x10');
  assert.equal(dec([0x10, 0, 0, 0], VT.SIZE_T), '0x10');
});

test('strings stop at the first NUL; ANSI is Windows-1252; string arrays split on NUL', () => {
  assert.equal(dec([0x41, 0, 0x42, 0, 0, 0, 0x43, 0], VT.STRING), 'AB');
  assert.equal(dec([0x80, 0x41, 0], VT.ANSI), '€A');
  assert.deepEqual(dec([0x61, 0, 0, 0, 0x62, 0, 0, 0], VT.STRING | VT.ARRAY), ['a', 'b']);
  assert.equal(dec([0x3d, 0xd8, 0x00, 0xde], VT.STRING), '\u{1F600}');
});

test('GUID, SID, binary, bool, floats, FILETIME, SYSTEMTIME', () => {
  const g = [0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43, 0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9];
  assert.equal(dec(g, VT.GUID), '5770385F-C22A-43E0-BF4C-06F5698FFBD9');
  assert.equal(dec([1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0], VT.SID), 'S-1-5-18');
  assert.equal(dec([1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0], VT.SID), 'S-1-5-32-544');
  assert.equal(dec([0xde, 0xad, 0x0b], VT.BINARY), 'DEAD0B');
  assert.equal(dec([2, 0, 0, 0], VT.BOOL), true);
  assert.equal(dec([0, 0, 0, 0], VT.BOOL), false);
  assert.equal(dec([0, 0, 0xc0, 0x3f], VT.REAL32), '1.5');
  // 2025-11-27T07:40:10.165324Z
  const ft = new Uint8Array(8);
  new DataView(ft.buffer).setBigUint64(0, (BigInt(Date.UTC(2025, 10, 27, 7, 40, 10)) * 10000n) + 116444736000000000n + 1653245n, true);
  assert.equal(filetimeIso(ft, 0), '2025-11-27T07:40:10.165324Z');
  assert.equal(filetimeIso(new Uint8Array(8), 0), '1601-01-01T00:00:00.000000Z');
  const st = [2026, 4, 5, 17, 5, 24, 53, 92].flatMap((w) => [w & 0xff, w >> 8]);
  assert.equal(dec(st, VT.SYSTIME), '2026-04-17T05:24:53.092000Z');
  assert.equal(leafText({ t: VT.UINT8 | VT.ARRAY, v: [1, 2, 3] }), '1,2,3');
});

test('a value whose size does not fit its type is an error, not a crash', () => {
  assert.throws(() => dec([1, 2], VT.UINT32), /size 2/);
});

test('CRC32: native and table agree on the standard check value and on chained ranges', () => {
  const b = new TextEncoder().encode('123456789'.repeat(20));
  assert.equal(crc32Table(b, 0, 9), 0xcbf43926);
  assert.equal(crc32(b, 0, b.length), crc32Table(b, 0, b.length));
  assert.equal(crc32(b, 50, b.length, crc32(b, 0, 50)), crc32Table(b, 0, b.length));
});

test('FILETIME rendering agrees with Date for many instants (own calendar arithmetic)', () => {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < 2000; i++) {
    const ms = Math.floor((i * 7919.123457 % 1) * 1e13) - 1e12; // 1938 … 2286
    dv.setBigUint64(0, BigInt(ms) * 10000n + 116444736000000000n, true);
    assert.equal(filetimeIso(b, 0), new Date(ms).toISOString().replace('Z', '000Z'));
  }
});

test('FILETIME past year 9999 keeps all its digits; GUIDs of any bytes read as the byte-swapped hex', () => {
  assert.equal(filetimeIso(new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255]), 0), '60056-05-28T05:36:10.955161Z');
  let seed = 7;
  for (let i = 0; i < 500; i++) {
    const g: number[] = [];
    for (let k = 0; k < 16; k++) g.push((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const hx = (ks: number[]): string => ks.map((k) => g[k]!.toString(16).padStart(2, '0')).join('').toUpperCase();
    assert.equal(dec(g, VT.GUID), `${hx([3, 2, 1, 0])}-${hx([5, 4])}-${hx([7, 6])}-${hx([8, 9])}-${hx([10, 11, 12, 13, 14, 15])}`);
  }
});

test('numberAt (the worker transport) reads every integer width and bool as decodeValue does', () => {
  let seed = 11;
  const b = new Uint8Array(64);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < 300; i++) {
    for (let k = 0; k < b.length; k++) b[k] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (const [t, size] of [[VT.INT8, 1], [VT.UINT8, 1], [VT.INT16, 2], [VT.UINT16, 2], [VT.INT32, 4], [VT.UINT32, 4], [VT.INT64, 8], [VT.UINT64, 8], [VT.BOOL, 4], [VT.BOOL, 1]] as const) {
      const v = decodeValue(b, dv, i % 32, size, t).v;
      assert.equal(numberAt(b, dv, i % 32, size, t), typeof v === 'boolean' ? (v ? 1 : 0) : v, `type ${t} size ${size}`);
    }
  }
});
