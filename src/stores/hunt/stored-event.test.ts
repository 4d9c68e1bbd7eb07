// fieldsOf: a row whose field names are a shared frozen list (the chDB decoder's) is flattened by that list's
// compiled shape, and gives exactly what flattening name by name gives — repeated names, odd names, order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsOf, type StoredEvent } from './stored-event.js';

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
