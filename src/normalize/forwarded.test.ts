// Forwarded-client header parsing: every header form, as logs write them (IIS '+' for spaces, Exchange's
// spaces for commas), and hostile values (very long lists, NULs, garbage) that must neither crash nor mislead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardedHeaderOf, headerTitle, normaliseAddress, parseForwarded, MAX_HOPS, type Hop } from './forwarded.js';

const ip = (address: string): Hop => ({ kind: 'ip', address });

test('column names: the header itself in any case, cs(Header), and the normalised cs-header', () => {
  for (const n of ['X-Forwarded-For', 'X-FORWARDED-FOR', 'x-forwarded-for', 'cs(X-Forwarded-For)', 'cs-x-forwarded-for']) assert.equal(forwardedHeaderOf(n), 'x-forwarded-for', n);
  assert.equal(forwardedHeaderOf('X-Real-IP'), 'x-real-ip');
  assert.equal(forwardedHeaderOf('cs(X-Client-IP)'), 'x-client-ip');
  assert.equal(forwardedHeaderOf('True-Client-IP'), 'true-client-ip');
  assert.equal(forwardedHeaderOf('X-MS-Forwarded-Client-IP'), 'x-ms-forwarded-client-ip');
  assert.equal(forwardedHeaderOf('Forwarded'), 'forwarded');
  assert.equal(forwardedHeaderOf('cs(Forwarded)'), 'forwarded');
  for (const n of ['c-ip', 'cs(User-Agent)', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'OriginalIP', '']) assert.equal(forwardedHeaderOf(n), null, n);
  assert.equal(headerTitle('x-forwarded-for'), 'X-Forwarded-For');
  assert.equal(headerTitle('x-real-ip'), 'X-Real-IP');
  assert.equal(headerTitle('x-ms-forwarded-client-ip'), 'X-MS-Forwarded-Client-IP');
});

test('addresses: ports, IPv6 in brackets, zones, IPv4-mapped, quotes; everything else is not an address', () => {
  assert.equal(normaliseAddress('203.0.113.9'), '203.0.113.9');
  assert.equal(normaliseAddress('203.0.113.9:51234'), '203.0.113.9');
  assert.equal(normaliseAddress('[2001:db8::1]:443'), '2001:db8::1');
  assert.equal(normaliseAddress('[2001:db8::1]'), '2001:db8::1');
  assert.equal(normaliseAddress('2001:db8::1'), '2001:db8::1');
  assert.equal(normaliseAddress('fe80::1%eth0'), 'fe80::1');
  assert.equal(normaliseAddress('::ffff:203.0.113.9'), '203.0.113.9');
  assert.equal(normaliseAddress('"203.0.113.9"'), '203.0.113.9');
  for (const bad of ['unknown', 'banana', '999.1.1.1', '127.1', '0x7f.0.0.1', '1.2.3', '1.2.3.4.5', '2001:db8::1::2', '[2001:db8::1', '203.0.113.9:99999x', '', ' ', 'a'.repeat(200), '10.0.0.1\u0000']) {
    assert.equal(normaliseAddress(bad), null, JSON.stringify(bad));
  }
});

test('X-Forwarded-For as IIS and Exchange write it: commas, "+" for spaces, spaces for commas', () => {
  assert.deepEqual(parseForwarded('x-forwarded-for', '203.0.113.9'), [ip('203.0.113.9')]);
  assert.deepEqual(parseForwarded('x-forwarded-for', '192.0.2.10,+203.0.113.9'), [ip('192.0.2.10'), ip('203.0.113.9')]);
  assert.deepEqual(parseForwarded('x-forwarded-for', '192.0.2.10, 203.0.113.9'), [ip('192.0.2.10'), ip('203.0.113.9')]);
  assert.deepEqual(parseForwarded('x-forwarded-for', '192.0.2.10 203.0.113.9'), [ip('192.0.2.10'), ip('203.0.113.9')]);
  assert.deepEqual(parseForwarded('x-forwarded-for', '192.0.2.10,203.0.113.9:4431,[2001:db8::7]:443'), [ip('192.0.2.10'), ip('203.0.113.9'), ip('2001:db8::7')]);
  assert.deepEqual(parseForwarded('x-forwarded-for', 'unknown, 203.0.113.9'), [{ kind: 'unknown' }, ip('203.0.113.9')]);
  assert.deepEqual(parseForwarded('x-forwarded-for', '-'), []);
  assert.deepEqual(parseForwarded('x-forwarded-for', ''), []);
  assert.deepEqual(parseForwarded('x-forwarded-for', ' , ,'), []);
});

test('the single-address headers read like a one-element X-Forwarded-For', () => {
  for (const h of ['x-real-ip', 'x-client-ip', 'true-client-ip', 'x-ms-forwarded-client-ip'] as const) {
    assert.deepEqual(parseForwarded(h, '203.0.113.9'), [ip('203.0.113.9')], h);
    assert.deepEqual(parseForwarded(h, '203.0.113.9:50123'), [ip('203.0.113.9')], h);
    assert.deepEqual(parseForwarded(h, '[2001:db8::9]:443'), [ip('2001:db8::9')], h);
  }
});

test('Forwarded (RFC 7239): for= of each element, quoted IPv6 with port, unknown, obfuscated, by/proto ignored', () => {
  assert.deepEqual(parseForwarded('forwarded', 'for=192.0.2.60;proto=http;by=203.0.113.43'), [ip('192.0.2.60')]);
  assert.deepEqual(parseForwarded('forwarded', 'for=192.0.2.43,+for="[2001:db8:cafe::17]:4711"'), [ip('192.0.2.43'), ip('2001:db8:cafe::17')]);
  assert.deepEqual(parseForwarded('forwarded', 'For="[2001:db8:cafe::17]:4711", for=unknown'), [ip('2001:db8:cafe::17'), { kind: 'unknown' }]);
  assert.deepEqual(parseForwarded('forwarded', 'for=_hidden, for=198.51.100.17'), [{ kind: 'hidden', token: '_hidden' }, ip('198.51.100.17')]);
  assert.deepEqual(parseForwarded('forwarded', 'proto=https;by=10.0.0.5'), [], 'no for= says nothing about the client');
  // junk sent by the client spoils only its own element: the proxy's element after it is still read
  assert.deepEqual(parseForwarded('forwarded', 'for=="<script>", for=203.0.113.9'), [{ kind: 'junk', text: 'for=="<script>"' }, ip('203.0.113.9')]);
  assert.deepEqual(parseForwarded('forwarded', 'for=banana'), [{ kind: 'junk', text: 'banana' }]);
});

test('hostile values: very long lists keep their right-most hops, NULs and garbage are junk, nothing throws', () => {
  const many = Array.from({ length: 100_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(',+') + ',+203.0.113.9';
  const hops = parseForwarded('x-forwarded-for', many);
  assert.ok(hops.length <= MAX_HOPS, `${hops.length} hops kept`);
  assert.deepEqual(hops[hops.length - 1], ip('203.0.113.9'), 'the right-most hop survives');
  const forwardedMany = Array.from({ length: 50_000 }, () => 'for=192.0.2.1').join(', ') + ', for=203.0.113.9';
  const fh = parseForwarded('forwarded', forwardedMany);
  assert.ok(fh.length <= MAX_HOPS);
  assert.deepEqual(fh[fh.length - 1], ip('203.0.113.9'));
  const nul = parseForwarded('x-forwarded-for', '203.0.113.9\u0000,+10.0.0.1');
  assert.equal(nul[0]!.kind, 'junk');
  assert.match((nul[0] as { text: string }).text, /\\x00/, 'control characters are made visible');
  for (const garbage of ['\u0000\u0001\u0002', '"";;==,,', '%00%0d%0a', 'for=', 'for="unterminated', '[[[]]]:::', '\ud800', 'x'.repeat(100_000)]) {
    for (const h of ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const) {
      const r = parseForwarded(h, garbage);
      assert.ok(r.every((x) => x.kind !== 'ip'), `${h} ${JSON.stringify(garbage.slice(0, 20))}`);
      assert.ok(r.every((x) => x.kind !== 'junk' || x.text.length <= 80));
    }
  }
});
