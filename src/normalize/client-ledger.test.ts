// The client ledger: what the summary and the report say about proxies, resolved clients, forged claims and
// the logs that cannot name the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExchangeEvent, W3cEvent } from '../event.js';
import { ClientLedger } from './client-ledger.js';
import type { DetectedProxy } from './proxy-detect.js';

function w3c(site: string, fields: Record<string, string>, forwarded: boolean): W3cEvent {
  return { source: 'w3c', time: null, host: null, site, fields, forwarded, ref: { path: `${site}/u_ex1.log`, line: 1, kind: 'iis-w3c' } };
}
const detected: DetectedProxy = { address: '10.0.0.5', header: 'x-forwarded-for', log: 'W3SVC1/u_ex1_x.log', requests: 100, withHeader: 98, logRequests: 120, logs: 1 };

test('behind a detected proxy: the statement names it, its evidence and the header clients come from', () => {
  const l = new ClientLedger([], [detected]);
  for (let i = 0; i < 3; i++) l.mark(w3c('W3SVC1', { 'c-ip': '10.0.0.5', 'x-forwarded-for': `198.51.100.${i}` }, true));
  l.mark(w3c('W3SVC1', { 'c-ip': '10.0.0.5', 'x-forwarded-for': '-' }, true));
  const s = l.summary();
  assert.deepEqual(s.requests, { proxied: 4, resolved: 3, claims: 0 });
  assert.equal(
    s.statements[0],
    'This server is behind a proxy at 10.0.0.5 (detected: 10.0.0.5 sent X-Forwarded-For on 98 of its 100 requests (of 120 sampled) in W3SVC1/u_ex1_x.log); client addresses come from X-Forwarded-For (3 of 4 requests through it named their client). A proxy address is never named an attacker.',
  );
  assert.deepEqual(l.warnings(), [], 'the log named its clients');
});

test('blind spots: an IIS log with no forwarded column, Exchange rows that name only the proxy', () => {
  const l = new ClientLedger(['10.0.0.0/29'], []);
  l.mark(w3c('W3SVC1', { 'c-ip': '10.0.0.5' }, false));
  const hp: ExchangeEvent = { source: 'exchange', log: 'httpproxy', protocol: 'Ecp', version: null, time: null, host: null, fields: { ClientIpAddress: '10.0.0.6' }, ref: { path: 'hp.log', kind: 'exchange-csv' } };
  l.mark(hp);
  assert.deepEqual(l.warnings(), [
    'exchange:httpproxy/Ecp: 1 rows name only the proxy 10.0.0.6 as ClientIpAddress: for them this log cannot name the client (it is not joined to the IIS line), so their findings name no attacker IP.',
    'iis-w3c:W3SVC1: 1 requests came through the proxy 10.0.0.5 and the log has no forwarded-client column (X-Forwarded-For or another): attacker IPs are unknown for it.',
  ]);
  assert.match(l.summary().statements[0]!, /^This server is behind a proxy at 10\.0\.0\.0\/29 \(given with --trusted-proxy\); none of the 2 requests through it named its client\.$/);
  assert.match(new ClientLedger(['10.9.0.0/16'], []).summary().statements[0]!, /but no request in the logs came from it\.$/);
});

test('claims from non-proxies: counted, and forged ones kept among the samples however many ordinary ones came first', () => {
  const l = new ClientLedger([], []);
  for (let i = 0; i < 50; i++) l.mark(w3c('W3SVC1', { 'c-ip': `198.51.100.${i}`, 'x-forwarded-for': `10.9.8.${i}` }, true));
  l.mark(w3c('W3SVC1', { 'c-ip': '203.0.113.99', 'x-forwarded-for': '127.0.0.1' }, true));
  l.mark(w3c('W3SVC1', { 'c-ip': '203.0.113.98', 'x-forwarded-for': 'a\u0000b' }, true));
  const s = l.summary();
  assert.equal(s.requests.claims, 52);
  assert.equal(s.claims.length, 12, '10 ordinary and the 2 odd ones');
  assert.deepEqual(s.claims.slice(0, 2).map((c) => [c.peer, c.value]), [['203.0.113.99', '127.0.0.1'], ['203.0.113.98', 'a?b']]);
  assert.match(s.statements[0]!, /^52 requests carried a forwarded-client header from a peer that is no trusted proxy/);
  assert.deepEqual(s.proxies, []);
});
