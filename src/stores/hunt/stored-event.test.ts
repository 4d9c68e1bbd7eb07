// fieldsOf: a row whose field names are a shared frozen list (the chDB decoder's) is flattened by that list's
// compiled shape, and gives exactly what flattening name by name gives — repeated names, odd names, order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsOf, isoSeconds, timeOf, type StoredEvent } from './stored-event.js';

const row = (keys: readonly string[], vals: readonly string[]): StoredEvent =>
  ({ host: 'h', path: 'p', line: 1, record: 0, offset: 0, kind: 'evtx', source: 'evtx', channel: 'c', event_id: 1, provider: '', site: '', log: '', protocol: '', version: '', ts: 0, us: 0, has_time: 0, time_text: '', event_host: '', keys, vals });

test('fieldsOf: shared frozen names flatten as name by name does, every row its own object', () => {
  const lists: string[][] = [
    ['Image', 'CommandLine', 'User'],
    ['A', 'B', 'A', 'C', 'A'],
    ['2', '10', 'x', '1', 'x'],
    ['quo"te', "it's", 'back\\slash', 'line\nbreak', 'ü€😀', '', '\u2028'],
    ['toString', 'constructor', 'v'],
    [],
  ];
  for (const keys of lists) {
    const shared = Object.freeze([...keys]);
    const vals = keys.map((k, i) => `${k}=${i}`);
    const want = fieldsOf(row([...keys], vals));
    const a = fieldsOf(row(shared, vals));
    const b = fieldsOf(row(shared, vals.map((v) => `${v}!`)));
    assert.deepEqual(a, want, JSON.stringify(keys));
    assert.deepEqual(Object.keys(a), Object.keys(want));
    assert.notEqual(a, b);
    assert.deepEqual(b, fieldsOf(row([...keys], vals.map((v) => `${v}!`))));
  }
  // A repeated name is an array of its values in order, the others single values.
  assert.deepEqual(fieldsOf(row(Object.freeze(['A', 'B', 'A']), ['1', '2', '3'])), { A: ['1', '3'], B: '2' });
});

test('timeOf: the reader\'s text where kept, else the stored seconds and microseconds as UTC ISO 8601, as Date writes them', () => {
  const at = (ts: number, us: number, text = ''): StoredEvent => ({ ...row([], []), ts, us, has_time: 1, time_text: text });
  assert.equal(timeOf(at(1614645723, 42, '2021-03-02T01:02:03.1234567Z')), '2021-03-02T01:02:03.1234567Z');
  assert.equal(timeOf({ ...at(5, 0), has_time: 0 }), null);
  assert.equal(timeOf(at(1614645723, 42)), '2021-03-02T00:42:03.000042Z');
  // Every second around day, leap-day, year and UInt32 boundaries, and a spread of others, in and out of order.
  const edges = [0, 1, 59, 60, 3599, 3600, 86_399, 86_400, 951_782_399, 951_782_400, 951_868_800, 1_609_459_199, 1_609_459_200, 4_294_967_295];
  const seconds = [...edges, ...edges.map((e) => Math.max(0, e - 1)), ...Array.from({ length: 2000 }, (_, i) => (i * 2_147_483 + (i % 7) * 86_399) % 4_294_967_296)];
  for (const ts of seconds) assert.equal(isoSeconds(ts), new Date(ts * 1000).toISOString().slice(0, 19), String(ts));
  assert.equal(timeOf(at('4294967295' as unknown as number, '999999' as unknown as number)), '2106-02-07T06:28:15.999999Z');
});
