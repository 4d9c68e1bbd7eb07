// fieldValue reads a finding's loosely shaped fields: exact names first, then any case in key order, then
// nested objects up to three levels; answers are remembered per object without mixing names lists or depths.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../finding.js';
import { fieldValue, findingAgent, findingFileKey, findingIp } from './finding-fields.js';

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

test("findings of one event share their facts, and only they: another engine, another evidence or fields get their own", () => {
  const fields = { 'c-ip': '203.0.113.9', 'cs-uri-stem': '/owa/auth/shell.aspx', 'cs(User-Agent)': 'curl/7.1' };
  const rule = { id: 'r', title: 'R', author: null, source: 's' };
  const front = { path: 'C/inetpub/logs/LogFiles/W3SVC1/u_ex1.log', kind: 'iis-w3c', line: 3 };
  const back = { path: 'C/inetpub/logs/LogFiles/W3SVC2/u_ex1.log', kind: 'iis-w3c', line: 3 };
  const mk = (engine: Finding['engine'], evidence: Finding['evidence'], f: Record<string, unknown> = fields): Finding => ({ engine, time: null, level: 'high', rule, cves: [], attack: [], host: null, evidence, fields: f });
  const a = mk('sigma', front);
  const b = mk('sigma', front); // the same event, another rule
  assert.equal(findingIp(a), '203.0.113.9');
  assert.equal(findingIp(b), '203.0.113.9');
  // The Back End site logs the front end as its client: the same fields, other evidence, no IP.
  assert.equal(findingIp(mk('sigma', back)), null, 'other evidence: facts of its own');
  // A file finding names its file by its evidence path when the fields do not; a Sigma finding never does.
  const fileEv = { path: 'C/inetpub/wwwroot/aspnet_client/x.aspx', kind: 'file' };
  const plain = { note: 'n' };
  assert.equal(findingFileKey(mk('sigma', fileEv, plain)), null);
  assert.equal(findingFileKey(mk('file', fileEv, plain)), 'x.aspx', 'another engine: facts of its own');
  assert.equal(findingIp(mk('sigma', front, { 'c-ip': '198.51.100.2' })), '198.51.100.2', 'other fields: facts of their own');
  assert.equal(findingAgent(a), 'curl/7.1');
  assert.equal(findingFileKey(b), 'shell.aspx');
});
