// Client resolution: only a trusted proxy's header counts, the right-most untrusted address wins, junk or
// `unknown` leaves the client unknown (never the proxy); --trusted-proxy parsing; proxy auto-detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HuntError } from '../diagnostics.js';
import type { W3cEvent, ExchangeEvent } from '../event.js';
import { ClientTrust, isInternalAddress, parseTrustedProxy, resolveChain, resolveClient } from './client.js';
import { ProxyDetector, describeDetection } from './proxy-detect.js';
import { clientOf, markClient } from './mark-client.js';

const lb = new ClientTrust({ cidrs: ['10.0.0.0/29'], addresses: [] });
const xff = (value: string) => [{ header: 'x-forwarded-for' as const, value }];

test('--trusted-proxy: addresses and CIDRs in canonical form; bad input is a usage error', () => {
  assert.equal(parseTrustedProxy('10.0.0.5'), '10.0.0.5/32');
  assert.equal(parseTrustedProxy(' 10.0.0.0/8 '), '10.0.0.0/8');
  assert.equal(parseTrustedProxy('2001:DB8::/32'), '2001:db8::/32');
  assert.equal(parseTrustedProxy('::1'), '::1/128');
  for (const bad of ['10.0.0.0/33', 'banana', '2001:db8::/129', '10.0.0.0/', '/8', '10.0.0.0/8/8', '', '10.0.0.0/-1', '10.0.0.0/ 8']) {
    assert.throws(() => parseTrustedProxy(bad), (e: unknown) => e instanceof HuntError && e.code === 'USAGE' && e.message.includes('--trusted-proxy'), bad);
  }
});

test('a peer that is no trusted proxy is the client; its header is only a claim', () => {
  assert.deepEqual(resolveClient('203.0.113.99', xff('127.0.0.1'), lb), { kind: 'direct', client: '203.0.113.99', claim: { header: 'x-forwarded-for', value: '127.0.0.1' } });
  assert.deepEqual(resolveClient('203.0.113.99', xff('-'), lb), { kind: 'direct', client: '203.0.113.99', claim: null });
  assert.deepEqual(resolveClient('10.0.0.5', xff('203.0.113.9'), ClientTrust.none()), { kind: 'direct', client: '10.0.0.5', claim: { header: 'x-forwarded-for', value: '203.0.113.9' } });
});

test('behind a trusted proxy: the right-most address that is not a trusted proxy', () => {
  assert.deepEqual(resolveClient('10.0.0.5', xff('203.0.113.9'), lb), { kind: 'proxied', client: '203.0.113.9', proxy: '10.0.0.5', header: 'x-forwarded-for' });
  // a forged left-most element is passed over; the proxy's own address in the chain too
  assert.equal((resolveClient('10.0.0.5', xff('127.0.0.1, 203.0.113.9, 10.0.0.6'), lb) as { client: string }).client, '203.0.113.9');
  // an internal client inside the trusted range: the left-most address
  assert.equal((resolveClient('10.0.0.5', xff('10.0.0.3, 10.0.0.6'), lb) as { client: string }).client, '10.0.0.3');
  // IPv6 client with a port
  assert.equal((resolveClient('10.0.0.5', xff('[2001:db8::7]:443'), lb) as { client: string }).client, '2001:db8::7');
});

test('behind a trusted proxy with no usable header the client is unknown, never the proxy', () => {
  assert.deepEqual(resolveClient('10.0.0.5', [], lb), { kind: 'unresolved', proxy: '10.0.0.5', reason: 'no-header' });
  assert.deepEqual(resolveClient('10.0.0.5', xff('-'), lb), { kind: 'unresolved', proxy: '10.0.0.5', reason: 'no-header' });
  assert.deepEqual(resolveClient('10.0.0.5', xff('203.0.113.9, unknown'), lb), { kind: 'unresolved', proxy: '10.0.0.5', reason: 'unknown' });
  assert.deepEqual(resolveClient('10.0.0.5', xff('203.0.113.9, banana'), lb), { kind: 'unresolved', proxy: '10.0.0.5', reason: 'junk' });
  assert.deepEqual(resolveClient('10.0.0.5', [{ header: 'forwarded', value: 'for=_gw7' }], lb), { kind: 'unresolved', proxy: '10.0.0.5', reason: 'hidden' });
});

test('several headers: Forwarded, then X-Forwarded-For, then the single-address ones; a header that fails gives way', () => {
  const both = [{ header: 'x-real-ip' as const, value: '198.51.100.1' }, { header: 'x-forwarded-for' as const, value: '203.0.113.9' }];
  assert.equal((resolveClient('10.0.0.5', both, lb) as { client: string }).client, '203.0.113.9');
  const fwd = [{ header: 'x-forwarded-for' as const, value: '203.0.113.9' }, { header: 'forwarded' as const, value: 'for=198.51.100.2' }];
  assert.deepEqual(resolveClient('10.0.0.5', fwd, lb), { kind: 'proxied', client: '198.51.100.2', proxy: '10.0.0.5', header: 'forwarded' });
  const broken = [{ header: 'forwarded' as const, value: 'for=unknown' }, { header: 'true-client-ip' as const, value: '198.51.100.3' }];
  assert.equal((resolveClient('10.0.0.5', broken, lb) as { client: string }).client, '198.51.100.3');
});

test("Exchange's ClientIpAddress chain: the right-most element is the peer", () => {
  assert.deepEqual(resolveChain('203.0.113.9 10.0.0.5', lb), { kind: 'proxied', client: '203.0.113.9', proxy: '10.0.0.5', header: 'x-forwarded-for' });
  assert.deepEqual(resolveChain('10.0.0.5', lb), { kind: 'unresolved', proxy: '10.0.0.5', reason: 'no-header' });
  assert.equal(resolveChain('203.0.113.9', lb).kind, 'direct');
  assert.equal(resolveChain('', lb).kind, 'direct');
});

test('trust matches IPv4 and IPv6 ranges and exact addresses, and mapped forms', () => {
  const t = new ClientTrust({ cidrs: ['10.0.0.0/8', '2001:db8::/32'], addresses: ['192.168.1.1'] });
  for (const a of ['10.1.2.3', '2001:db8::1', '2001:DB8:0:0::1', '192.168.1.1', '::ffff:10.9.9.9']) assert.ok(t.has(a), a);
  for (const a of ['11.0.0.1', '2001:db9::1', '192.168.1.2', 'banana', '']) assert.ok(!t.has(a), a);
  assert.ok(ClientTrust.none().empty && !ClientTrust.none().has('10.0.0.1'));
  for (const a of ['10.0.0.5', '172.16.3.4', '192.168.0.1', '127.0.0.1', '::1', 'fd00::5', 'fe80::1']) assert.ok(isInternalAddress(a), a);
  for (const a of ['203.0.113.9', '8.8.8.8', '2001:4860::8888', 'x']) assert.ok(!isInternalAddress(a), a);
});

function w3c(fields: Record<string, string>, site = 'W3SVC1'): W3cEvent {
  return { source: 'w3c', time: null, host: null, site, fields, ref: { path: `${site}/u_ex1.log`, line: 1, kind: 'iis-w3c' } };
}

test('markClient puts both addresses on the event, clearly named, and clientOf reads them', () => {
  const e = w3c({ 'c-ip': '10.0.0.5', 'x-forwarded-for': '203.0.113.9' });
  markClient(e, lb);
  assert.deepEqual(e.fields, { 'c-ip': '10.0.0.5', 'x-forwarded-for': '203.0.113.9', 'proxy-ip': '10.0.0.5', 'client-ip': '203.0.113.9', 'client-ip-from': 'x-forwarded-for' });
  assert.equal(clientOf(e.fields, 'c-ip'), '203.0.113.9');
  const probe = w3c({ 'c-ip': '10.0.0.5' });
  markClient(probe, lb);
  assert.equal(probe.fields['proxy-ip'], '10.0.0.5');
  assert.equal(clientOf(probe.fields, 'c-ip'), null, 'the proxy is never the client');
  const spoof = w3c({ 'c-ip': '203.0.113.99', 'x-forwarded-for': '127.0.0.1' });
  markClient(spoof, lb);
  assert.equal(spoof.fields['forwarded-claim'], '127.0.0.1');
  assert.equal(clientOf(spoof.fields, 'c-ip'), '203.0.113.99');
  const plain = w3c({ 'c-ip': '203.0.113.1' });
  assert.equal(markClient(plain, ClientTrust.none()), null);
  assert.deepEqual(Object.keys(plain.fields), ['c-ip'], 'nothing added without a proxy or header');
  const hp: ExchangeEvent = { source: 'exchange', log: 'httpproxy', protocol: 'Ecp', version: null, time: null, host: null, fields: { ClientIpAddress: '203.0.113.9 10.0.0.5' }, ref: { path: 'x', kind: 'exchange-csv' } };
  markClient(hp, lb);
  assert.equal(hp.fields['client-ip'], '203.0.113.9');
});

function observeMany(d: ProxyDetector, log: string, peer: string, n: number, withHeader: boolean): void {
  for (let i = 0; i < n; i++) d.observe(log, peer, withHeader ? ['x-forwarded-for'] : []);
}

test('detection: a few internal peers sending the header on most requests of a log are its proxies', () => {
  const d = new ProxyDetector();
  observeMany(d, 'a.log', '10.0.0.5', 500, true);
  observeMany(d, 'a.log', '10.0.0.6', 480, true);
  observeMany(d, 'a.log', '10.0.0.5', 20, false); // health probes
  const v = d.verdict();
  assert.deepEqual(v.map((p) => p.address).sort(), ['10.0.0.5', '10.0.0.6']);
  const five = v.find((p) => p.address === '10.0.0.5')!;
  assert.deepEqual([five.requests, five.withHeader, five.logRequests, five.header, five.log, five.logs], [520, 500, 1000, 'x-forwarded-for', 'a.log', 1]);
  // the same balancer in another log: one proxy, its best evidence, the number of logs
  observeMany(d, 'b.log', '10.0.0.5', 900, true);
  const again = d.verdict().filter((p) => p.address === '10.0.0.5');
  assert.equal(again.length, 1);
  assert.deepEqual([again[0]!.log, again[0]!.withHeader, again[0]!.logs], ['b.log', 900, 2]);
  assert.match(describeDetection(again[0]!), /^10\.0\.0\.5 sent X-Forwarded-For on 900 of its 900 requests \(of 900 sampled\) in b\.log and like that in 1 more log$/);
});

test('detection refuses: public peers, few requests, a header on a minority, or many carriers', () => {
  const pub = new ProxyDetector();
  observeMany(pub, 'a.log', '203.0.113.9', 500, true);
  assert.deepEqual(pub.verdict(), [], 'a public peer is never detected as a proxy');
  const few = new ProxyDetector();
  observeMany(few, 'a.log', '10.0.0.5', 10, true);
  assert.deepEqual(few.verdict(), []);
  const minority = new ProxyDetector();
  observeMany(minority, 'a.log', '10.0.0.5', 40, true);
  for (let i = 0; i < 60; i++) minority.observe('a.log', `198.51.100.${i}`, []);
  assert.deepEqual(minority.verdict(), [], 'the header on 40% of requests is not "most"');
  const many = new ProxyDetector();
  for (let i = 0; i < 100; i++) observeMany(many, 'a.log', `10.1.0.${i}`, 5, true);
  assert.deepEqual(many.verdict(), [], 'a hundred internal clients behind their own proxies are not "a few"');
});
