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

test('a copy without fields answers every fact as the whole finding did, from findingFacts sent as JSON (withFacts)', async () => {
  const { findingFacts, withFacts, findingIp, findingAgent, findingUser, findingFileKey, findingPath, findingHashes, findingUrlStem, findingUrlHost } = await import('./finding-fields.js');
  const base = { engine: 'sigma', time: null, level: 'high', rule: { id: 'r', title: 'r', author: null, source: 's' }, cves: [], attack: [], host: null } as const;
  const cases: Record<string, unknown>[] = [
    { Event: { System: { Computer: 'EX01' }, EventData: { CommandLine: 'w3wp.exe -c C:\\inetpub\\shell.aspx', User: 'CORP\\alice', Hashes: 'MD5=' + 'a'.repeat(32) + ',SHA256=' + 'b'.repeat(64), Noise: 'x'.repeat(5000) } } },
    { 'c-ip': '10.0.0.9', 'proxy-ip': '10.0.0.9', 'client-ip': '203.0.113.7', 'cs-uri-stem': '/owa/auth/x.aspx', 'cs(User-Agent)': 'python-requests/2.25', 'cs-host': 'mail.example.org', big: 'y'.repeat(3000) },
    { clientip: '198.51.100.4', useragent: 'curl/7.1', list: ['203.0.113.1'], a: { b: { c: { d: { UserName: 'too deep' } } } }, FileName: 'dump.dmp', sha1: 'C'.repeat(40) },
    { empty: {}, ip: '-', IpAddress: '192.0.2.1', TargetUserName: 'MAIL01$', SubjectUserName: 'bob' },
  ];
  const facts = [findingIp, findingAgent, findingUser, findingFileKey, findingPath, findingHashes, findingUrlStem, findingUrlHost];
  let answered = 0;
  for (const fields of cases) {
    const whole = { ...base, evidence: { path: 'C/x.log', kind: 'iis-w3c' }, fields } as unknown as Parameters<typeof findingIp>[0];
    const sent = JSON.parse(JSON.stringify([{ ...whole, fields: {} }, findingFacts(whole)])) as [typeof whole, ReturnType<typeof findingFacts>];
    const copy = withFacts(sent[0], sent[1]);
    for (const fact of facts) {
      const expected = fact({ ...whole }); // a fresh object: computed from the fields, not remembered
      assert.deepEqual(fact(copy), expected, `${fact.name} on ${JSON.stringify(fields).slice(0, 60)}`);
      if (expected !== null && !(typeof expected === 'object' && Object.keys(expected).length === 0)) answered++;
    }
    assert.ok(JSON.stringify(sent).length < 700, 'the bulk of the fields is left out');
  }
  assert.ok(answered >= 14, `most facts have an answer somewhere (${answered})`);
  assert.equal(findingIp(withFacts({ ...base, evidence: { path: 'a', kind: 'iis-w3c' }, fields: {} } as never, findingFacts({ ...base, evidence: { path: 'a', kind: 'iis-w3c' }, fields: cases[1]! } as never))), '203.0.113.7', 'the client behind the proxy');
});
