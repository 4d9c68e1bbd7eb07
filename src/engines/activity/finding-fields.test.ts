// fieldValue reads a finding's loosely shaped fields: exact names first, then any case in key order, then
// nested objects up to three levels; answers are remembered per object without mixing names lists or depths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldValue } from './finding-fields.js';

test('exact names win in list order, then any-case keys in key order, empty and "-" skipped', () => {
  const f = { clientip: '198.51.100.1', 'c-ip': '-', ClientIpAddress: '203.0.113.5', ip: '' };
  assert.equal(fieldValue(f, ['c-ip', 'ClientIpAddress', 'ClientIp']), '203.0.113.5');
  assert.equal(fieldValue(f, ['ClientIp']), '198.51.100.1', 'any case, when no exact name has a value');
  assert.equal(fieldValue(f, ['ip']), null);
  assert.equal(fieldValue(f, ['ClientIpAddress']), '203.0.113.5', 'another names list on the same object is its own answer');
});

test('nested objects are searched three levels deep, the first in key order', () => {
  const deep = { Event: { EventData: { Inner: { More: { UserAgent: 'too deep' } }, Sub: { useragent: 'found' } } } };
  assert.equal(fieldValue(deep, ['UserAgent']), 'found');
  const four = { a: { b: { c: { d: { UserAgent: 'x' } } } } };
  assert.equal(fieldValue(four, ['UserAgent']), null, 'beyond three nested objects nothing is read');
  // An object met at depth 3 first must not answer later as if it were read from the top.
  const inner = { d: { UserAgent: 'y' } };
  assert.equal(fieldValue({ a: { b: { c: inner } } }, ['UserAgent']), null);
  assert.equal(fieldValue(inner, ['UserAgent']), 'y');
  assert.equal(fieldValue({ a: { b: { c: inner } } }, ['UserAgent']), null, 'a top-level answer is not reused at depth');
});

test('numbers read as text', () => {
  assert.equal(fieldValue({ Port: 443 }, ['port']), '443');
});
