// chDB's streamed rows, decoded from ClickHouse's Native format, equal what JSONEachRow gives for the same query
// (rows()): every type the decoder reads, values at their limits, invalid UTF-8, many chunks, and DateTime and
// LowCardinality columns that send the query back to JSON; the RowBinary decoder on bytes made by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './open.js';
import { nativeColumn, NativeDecoder, UnsupportedNative } from './native.js';

const TYPES = `SELECT
  number AS n,
  toUInt8(255) AS u8, toUInt16(65535) AS u16, toUInt32(4294967295) AS u32,
  toUInt64('18446744073709551615') AS u64max, toUInt64(9007199254740993) AS u64big, toUInt64(number) AS u64,
  toInt8(-128) AS i8, toInt16(-32768) AS i16, toInt32(-2147483648) AS i32,
  toInt64('-9223372036854775808') AS i64min, toInt64(-1) AS i64neg, toInt64(-9007199254740993) AS i64big,
  toFloat64(1.5) AS f64, toFloat32(-0.25) AS f32,
  concat('it''s ü€😀 \\t\\n "q" \\\\ ', toString(number)) AS s, unhex('C328FF41') AS bad_utf8, '' AS empty,
  ['a', '', 'b\\'c'] AS arr, CAST([] AS Array(String)) AS none, [toUInt8(1), toUInt8(3)] AS hits, [[toUInt16(1)], []] AS nested,
  if(number % 2 = 0, NULL, toNullable('x')) AS maybe, [NULL, toNullable(toInt32(-7))] AS nulls
FROM numbers(3)`;

test('chDB: streamed rows (Native) equal the JSONEachRow rows of the same query', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-rowbinary-'));
  const store = await openStore(dir);
  try {
    const json = await store.rows<Record<string, unknown>>(TYPES);
    const streamed: Record<string, unknown>[] = [];
    for await (const r of store.stream<Record<string, unknown>>(TYPES)) streamed.push(r);
    assert.equal(streamed.length, 3);
    assert.deepEqual(streamed, json);
    assert.equal(streamed[0]!['u64max'], 18446744073709551615);
    assert.equal(streamed[0]!['i64big'], -9007199254740992);
    assert.equal(streamed[0]!['i64min'], -9223372036854775808);
    assert.deepEqual(Object.keys(streamed[0]!), Object.keys(json[0]!));
    // Decoded here, not sent back to JSON: a repeated array of strings is one frozen array shared by the rows.
    assert.ok(Object.isFrozen(streamed[0]!['arr']) && streamed[0]!['arr'] === streamed[2]!['arr']);
    // Many chunks (chDB streams a block at a time, each with its header): every row, in order.
    const big = 'SELECT number AS n, toString(number) AS s, [toString(number)] AS a FROM numbers(200000)';
    let i = 0;
    for await (const r of store.stream<{ n: number; s: string; a: string[] }>(big)) {
      assert.ok(r.n === i && r.s === String(i) && r.a[0] === String(i), `row ${i}`);
      i++;
    }
    assert.equal(i, 200000);
    // Arrays that repeat come back shared and frozen, across chunks; those that do not, each its own.
    const rep = "SELECT number AS n, if(number % 3 = 0, ['a', 'b\\'c'], ['ü']) AS k, [toString(number)] AS v FROM numbers(200000)";
    const byKind = new Map<string, readonly string[]>();
    i = 0;
    for await (const r of store.stream<{ n: number; k: readonly string[]; v: string[] }>(rep)) {
      assert.deepEqual(r.k, i % 3 === 0 ? ['a', "b'c"] : ['ü'], `row ${i}`);
      assert.deepEqual(r.v, [String(i)]);
      const kind = r.k.join();
      if (!byKind.has(kind)) byKind.set(kind, r.k);
      assert.equal(r.k, byKind.get(kind), `row ${i} shares its kind's array`);
      i++;
    }
    assert.equal(i, 200000);
    assert.ok([...byKind.values()].every((k) => Object.isFrozen(k)));
    // Lists alike in every byte the fingerprint reads (length, count, ends and quarters) but one: each its own.
    const alike = "SELECT number AS n, [concat('ab', toString(number % 7), 'cdefghij'), 'klmnop'] AS k FROM numbers(70000)";
    const byText = new Map<string, readonly string[]>();
    i = 0;
    for await (const r of store.stream<{ n: number; k: readonly string[] }>(alike)) {
      assert.deepEqual(r.k, [`ab${i % 7}cdefghij`, 'klmnop'], `row ${i}`);
      const text = r.k.join();
      if (!byText.has(text)) byText.set(text, r.k);
      assert.equal(r.k, byText.get(text), `row ${i} shares its list`);
      i++;
    }
    assert.equal(byText.size, 7);
    // Names every object has are the row's own, as JSON.parse makes them.
    const odd = "SELECT 1 AS `__proto__`, 'x' AS `constructor`, 2 AS toString";
    const oddRows: unknown[] = [];
    for await (const r of store.stream(odd)) oddRows.push(r);
    assert.deepEqual(oddRows, await store.rows(odd));
    assert.deepEqual(Object.keys(oddRows[0] as object), ['__proto__', 'constructor', 'toString']);
    // A column the decoder does not read: the rows come as JSON gives them.
    const dated = "SELECT toDateTime('2021-03-02 01:02:03', 'UTC') AS t, toDecimal32(1.5, 2) AS d, 'x' AS s, toLowCardinality('low') AS lc";
    const viaStream: unknown[] = [];
    for await (const r of store.stream(dated)) viaStream.push(r);
    assert.deepEqual(viaStream, await store.rows(dated));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Native: unknown types are refused, not misread; an empty chunk has no rows; a block made by hand', () => {
  assert.throws(() => nativeColumn('DateTime'), UnsupportedNative);
  assert.throws(() => nativeColumn('Array(Tuple(String, UInt8))'), UnsupportedNative);
  assert.throws(() => nativeColumn('LowCardinality(String)'), UnsupportedNative);
  assert.deepEqual(new NativeDecoder().decode(new Uint8Array(0)), []);
  // One block: 2 columns, 2 rows; "a" String ("hé" in UTF-8, ""), "k" Array(UInt8) ([7], []: end offsets 1, 1).
  const str = (x: string): Buffer => Buffer.concat([Buffer.from([Buffer.byteLength(x)]), Buffer.from(x)]);
  const u64 = (n: number): Buffer => Buffer.from([n, 0, 0, 0, 0, 0, 0, 0]);
  const bytes = Buffer.concat([Buffer.from([2, 2]), str('a'), str('String'), str('hé'), str(''), str('k'), str('Array(UInt8)'), u64(1), u64(1), Buffer.from([7])]);
  assert.deepEqual(new NativeDecoder().decode(bytes), [{ a: 'hé', k: [7] }, { a: '', k: [] }]);
});

test('Native: lists of strings alike in every byte the fingerprint reads (hostile evidence can make them) each decode as themselves, and repeats are found', () => {
  const str = (x: string): Buffer => Buffer.concat([Buffer.from([Buffer.byteLength(x)]), Buffer.from(x)]);
  const u64 = (n: number): Buffer => { const b = Buffer.alloc(8); b.writeUInt32LE(n); return b; };
  // 400 rows of one Array(String) column, each row a list of two 40-byte strings differing only in bytes 8-11 of
  // its first string (same length, same count, same middle, quarter and end bytes: one fingerprint), every list twice
  const lists = Array.from({ length: 200 }, (_, i) => [`aaaaaaaa${String(i).padStart(4, '0')}${'b'.repeat(28)}`, 'c'.repeat(40)]);
  const rows = [...lists, ...lists];
  const offsets = rows.map((_, i) => u64(2 * (i + 1)));
  const bytes = Buffer.concat([Buffer.from([1]), Buffer.from([0x90, 0x03]), str('v'), str('Array(String)'), ...offsets, ...rows.flat().map(str)]);
  const got = new NativeDecoder().decode<{ v: string[] }>(bytes);
  assert.equal(got.length, 400);
  assert.deepEqual(got.map((r) => [...r.v]), rows);
});
