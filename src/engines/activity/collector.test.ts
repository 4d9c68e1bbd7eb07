// Tests for the "what was taken" collector: mailbox, address-book and export aggregation from W3C,
// HttpProxy and cmdlet events; only attacker IPs/agents kept; bounds honoured and stated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExchangeEvent, W3cEvent, WinEvent } from '../../event.js';
import { createActivityCollector, mailboxFromAnchor } from './index.js';

const ATT = '203.0.113.77';
function proxy(time: string, fields: Record<string, string>, line: number): ExchangeEvent {
  return { source: 'exchange', log: 'httpproxy', protocol: fields['Protocol'] ?? null, version: null, time, host: 'EX01', ref: { path: 'Logging/HttpProxy/Ews/HttpProxy_2021030301-1.LOG', line, kind: 'exchange-httpproxy' }, fields };
}
function w3c(time: string, fields: Record<string, string>, line: number): W3cEvent {
  return { source: 'w3c', site: 'W3SVC1', time, host: 'EX01', ref: { path: 'W3SVC1/u_ex210303.log', line, kind: 'iis-w3c' }, fields };
}

test('mailboxFromAnchor strips SMTP:, ignores ServerInfo~ SSRF targets', () => {
  assert.equal(mailboxFromAnchor('SMTP:CEO@Corp.example'), 'ceo@corp.example');
  assert.equal(mailboxFromAnchor('ServerInfo~a]@ex01.corp.local:444/autodiscover/autodiscover.xml?#'), null);
  assert.equal(mailboxFromAnchor(''), null);
});

/** A scan's events: the attacker's requests, a legitimate user's, an SSRF row, an IIS request, an export cmdlet. */
function scanEvents(): (ExchangeEvent | W3cEvent | WinEvent)[] {
  const out: (ExchangeEvent | W3cEvent | WinEvent)[] = [];
  const c = { observe: (e: ExchangeEvent | W3cEvent | WinEvent): void => void out.push(e) };
  c.observe(proxy('2021-03-03T01:00:00Z', { ClientIpAddress: ATT, UserAgent: 'python-requests/2.25.1', Protocol: 'Ews', UrlStem: '/ews/exchange.asmx', AnchorMailbox: 'SMTP:ceo@corp.example', ResponseBytes: '1000' }, 5));
  c.observe(proxy('2021-03-03T02:00:00Z', { ClientIpAddress: ATT, UserAgent: 'python-requests/2.25.1', Protocol: 'Ews', UrlStem: '/ews/exchange.asmx', AnchorMailbox: 'SMTP:ceo@corp.example', ResponseBytes: '500' }, 9));
  c.observe(proxy('2021-03-03T02:30:00Z', { ClientIpAddress: ATT, UserAgent: 'python-requests/2.25.1', Protocol: 'Oab', UrlStem: '/oab/abc/oab.xml', AnchorMailbox: '', ResponseBytes: '20' }, 11));
  // a legitimate user: kept during the scan but not reported
  c.observe(proxy('2021-03-03T03:00:00Z', { ClientIpAddress: '10.0.0.5', UserAgent: 'Outlook', Protocol: 'Mapi', UrlStem: '/mapi/emsmdb/', AnchorMailbox: 'SMTP:bob@corp.example', ResponseBytes: '7' }, 12));
  // ProxyLogon SSRF row: ServerInfo~ anchor is not a mailbox
  c.observe(proxy('2021-03-03T00:59:00Z', { ClientIpAddress: ATT, UserAgent: 'ExchangeServicesClient/0.0.0.0', Protocol: 'Ecp', UrlStem: '/ecp/y.js', AnchorMailbox: 'ServerInfo~a]@ex01:444/x?#' }, 2));
  // IIS: the attacker agent from another IP reads OWA calendar as a user
  c.observe(w3c('2021-03-04T10:00:00Z', { 'c-ip': '198.51.100.9', 'cs-user-agent': 'python-requests/2.25.1', 'cs-uri-stem': '/owa/calendar/x', 'cs-username': 'CFO@corp.example' }, 40));
  const mgmt: WinEvent = {
    source: 'evtx', channel: 'MSExchange Management', eventId: 1, provider: 'MSExchange CmdletLogs', time: '2021-03-05T00:00:00Z', host: 'EX01',
    ref: { path: 'MSExchange Management.evtx', record: 77, kind: 'evtx' },
    data: { Event: { EventData: { Data: ['New-MailboxExportRequest', '-Mailbox "ceo@corp.example" -FilePath "\\\\EX01\\c$\\inetpub\\wwwroot\\aspnet_client\\ceo.pst"', 'CORP\\admin'] } } },
  };
  c.observe(mgmt);
  return out;
}
const ATTACKER_AGENTS = new Set(['python-requests/2.25.1']);

test('collects mailboxes, address books and exports of the attacker only', () => {
  const c = createActivityCollector();
  for (const e of scanEvents()) c.observe(e);
  const t = c.finish(new Set([ATT]), ATTACKER_AGENTS);
  assert.deepEqual(t.mailboxes.map((m) => [m.target, m.kind, m.requests, m.bytes, m.first, m.last]), [
    ['ceo@corp.example', 'mailbox', 2, 1500, '2021-03-03T01:00:00Z', '2021-03-03T02:00:00Z'],
    ['cfo@corp.example', 'calendar', 1, null, '2021-03-04T10:00:00Z', '2021-03-04T10:00:00Z'],
  ]);
  assert.equal(t.mailboxes[0]!.evidence.line, 5);
  assert.deepEqual(t.mailboxes[0]!.via, ['EWS']);
  assert.deepEqual(t.addressBooks.map((a) => [a.target, a.via.join(), a.bytes]), [['Offline Address Book', 'OAB', 20]]);
  assert.ok(!t.mailboxes.some((m) => m.target === 'bob@corp.example'));
  assert.equal(t.exports.length, 1);
  assert.equal(t.exports[0]!.kind, 'mailbox-export');
  assert.equal(t.exports[0]!.mailbox, 'ceo@corp.example');
  assert.match(t.exports[0]!.filePath ?? '', /ceo\.pst$/);
  assert.equal(t.exports[0]!.evidence.record, 77);
  assert.ok(t.cannotShow.some((s) => /not content/.test(s)));
  assert.ok(!t.cannotShow.some((s) => /volume taken is unknown/.test(s)), 'bytes were logged');
});

test('second pass: requests recorded on revisit once the attackers are known give the same summary', () => {
  const one = createActivityCollector();
  for (const e of scanEvents()) one.observe(e);
  const two = createActivityCollector({}, { mode: 'second-pass' });
  for (const e of scanEvents()) two.observe(e);
  const ips = new Set([ATT]);
  for (const e of scanEvents()) two.revisit(e, ips, ATTACKER_AGENTS);
  const expected = one.finish(ips, ATTACKER_AGENTS);
  assert.ok(expected.mailboxes.length > 0 && expected.exports.length > 0);
  assert.deepEqual(two.finish(ips, ATTACKER_AGENTS), expected);
  // Observing alone records no request in this mode; revisit does nothing in one-pass mode.
  const counted = createActivityCollector({}, { mode: 'second-pass' });
  for (const e of scanEvents()) counted.observe(e);
  const none = counted.finish(ips, ATTACKER_AGENTS);
  assert.deepEqual([none.mailboxes, none.addressBooks], [[], []]);
  assert.deepEqual(none.seen, expected.seen, 'requests are still counted');
  assert.equal(none.exports.length, 1, 'exports come from the first pass');
});

test('second pass: legitimate clients do not use up the bounds', () => {
  const c = createActivityCollector({ maxActors: 2 }, { mode: 'second-pass' });
  const events = Array.from({ length: 5 }, (_, i) => w3c('2021-03-03T00:00:00Z', { 'c-ip': `192.0.2.${i}`, 'cs-uri-stem': '/ews/exchange.asmx', 'cs-username': `u${i}@corp.example` }, i + 1));
  for (const e of events) c.observe(e);
  const ips = new Set(['192.0.2.4']);
  for (const e of events) c.revisit(e, ips, new Set());
  const t = c.finish(ips, new Set());
  assert.equal(t.dropped.actors, 0);
  assert.deepEqual(t.mailboxes.map((m) => m.target), ['u4@corp.example']);
});

test('bounds: actors beyond the cap are dropped and said so', () => {
  const c = createActivityCollector({ maxActors: 2 });
  for (let i = 0; i < 5; i++) c.observe(w3c('2021-03-03T00:00:00Z', { 'c-ip': `192.0.2.${i}`, 'cs-uri-stem': '/ews/exchange.asmx', 'cs-username': `u${i}@corp.example` }, i + 1));
  const t = c.finish(new Set(['192.0.2.0', '192.0.2.4']), new Set());
  assert.equal(t.dropped.actors, 3);
  assert.deepEqual(t.mailboxes.map((m) => m.target), ['u0@corp.example']);
  assert.ok(t.cannotShow.some((s) => /Bounds reached/.test(s)));
  assert.ok(t.cannotShow.some((s) => /No Exchange HttpProxy/.test(s)));
});

test("quoted cmdlet parameters keep their spaces; the back-end site's c-ip is not a client", () => {
  const c = createActivityCollector();
  c.observe({
    source: 'json', channel: 'MSExchange Management', eventId: 1, provider: null, time: '2021-08-13T21:43:57Z', host: 'EX01',
    ref: { path: 'mgmt.jsonl', line: 35, kind: 'json' },
    data: { Event: { EventData: { Data: ['New-MailboxExportRequest', "-Mailbox 'admin@corp.example' -ContentFilter 'Subject -eq ''x''' -FilePath '\\\\localhost\\c$\\Program Files\\Microsoft\\owa\\auth\\k.aspx'"] } } },
  });
  const back: W3cEvent = { ...w3c('2021-03-03T00:00:00Z', { 'c-ip': '10.0.1.20', 'cs-uri-stem': '/ews/exchange.asmx', 'cs-username': 'bob@corp.example' }, 3), site: 'W3SVC2', ref: { path: 'W3SVC2/u_ex210303.log', line: 3, kind: 'iis-w3c' } };
  c.observe(back);
  const t = c.finish(new Set(['10.0.1.20']), new Set());
  assert.equal(t.exports[0]!.mailbox, 'admin@corp.example');
  assert.equal(t.exports[0]!.filePath, '\\\\localhost\\c$\\Program Files\\Microsoft\\owa\\auth\\k.aspx');
  assert.deepEqual(t.mailboxes, [], 'the front end (c-ip of W3SVC2) is not the attacker');
});
