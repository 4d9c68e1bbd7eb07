// "What was taken" from the logs beyond IIS and HttpProxy: EWS operations and sizes, MapiHttp mailboxes, exports from
// Rps_Cmdlet (kept once when the event log has them too), MessageTracking mail, agents joined across Exchange's comma rewriting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExchangeEvent, HuntEvent, W3cEvent, WinEvent } from '../../event.js';
import { accountName, cmdletIdentityFinding } from './identity.js';
import { createActivityCollector } from './index.js';

const ATT = '192.0.2.15';
function row(log: string, time: string, fields: Record<string, string>, line: number, path = `Logging/${log}/x.LOG`): ExchangeEvent {
  return { source: 'exchange', log, protocol: null, version: null, time, host: 'EX01', ref: { path, line, kind: `exchange-${log}` }, fields };
}

function events(): HuntEvent[] {
  const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/106.0.0.0 Safari/537.36';
  const iis: W3cEvent = { source: 'w3c', site: 'W3SVC1', time: '2022-10-04T13:26:00Z', host: 'EX01', ref: { path: 'W3SVC1/u_ex221004.log', line: 9, kind: 'iis-w3c' },
    fields: { 'c-ip': ATT, 'cs-user-agent': ua, 'cs-uri-stem': '/owa/service.svc', 'cs-username': 'carla@corp.example' } };
  const mgmt: WinEvent = {
    source: 'evtx', channel: 'MSExchange Management', eventId: 1, provider: 'MSExchange CmdletLogs', time: '2022-10-04T13:40:00Z', host: 'EX01',
    ref: { path: 'MSExchange Management.evtx', record: 7, kind: 'evtx' },
    data: { Event: { EventData: { Data: ['New-MailboxExportRequest', "-Mailbox 'carla@corp.example' -FilePath '\\\\localhost\\c$\\pst\\c.pst'", 'CORP\\admin'] } } },
  };
  return [
    iis,
    // The same browser in HttpProxy: Exchange wrote its comma as a space.
    row('httpproxy', '2022-10-04T13:26:01Z', { ClientIpAddress: ATT, UserAgent: ua.replaceAll(',', ' '), Protocol: 'Owa', UrlStem: '/owa/service.svc', AnchorMailbox: 'SMTP:carla@corp.example' }, 7),
    row('ews', '2022-10-04T13:27:00Z', { ClientIpAddress: `${ATT} 10.0.0.9`, UserAgent: 'python-requests/2.28.1', AuthenticatedUser: 'carla@corp.example', ImpersonatedUser: 'carla@corp.example', SoapAction: 'GetItem', ResponseSize: '1000' }, 8),
    row('ews', '2022-10-04T13:27:05Z', { ClientIpAddress: ATT, UserAgent: 'python-requests/2.28.1', AuthenticatedUser: 'EX01$', ActAsUser: 'ceo@corp.example', SoapAction: 'ExportItems', ResponseSize: '900000' }, 9),
    row('ews', '2022-10-04T13:28:00Z', { ClientIpAddress: '10.0.0.5', UserAgent: 'Outlook', AuthenticatedUser: 'bob@corp.example', SoapAction: 'FindItem', ResponseSize: '10' }, 10),
    row('mapihttp', '2022-10-04T13:29:00Z', { ClientIP: ATT, ClientSoftware: 'MFCMAPI.exe', MailboxId: 'cfo@corp.example', RequestType: 'Connect' }, 11),
    row('rps-cmdlet', '2022-10-04T13:40:01Z', { Cmdlet: 'New-MailboxExportRequest', Parameters: '-Mailbox "carla@corp.example" -FilePath "\\\\localhost\\c$\\pst\\c.pst"' }, 12, 'Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2022100413-1.LOG'),
    mgmt,
    row('message-tracking', '2022-10-04T13:30:00Z', { source: 'STOREDRIVER', 'event-id': 'RECEIVE', 'sender-address': 'carla@corp.example', 'recipient-address': 'drop@mailbox.example.net', 'original-client-ip': ATT, 'source-context': 'MDB:1, Mailbox:2, ClientType:WebServices', 'total-bytes': '4311902' }, 13),
    row('message-tracking', '2022-10-04T13:30:02Z', { source: 'SMTP', 'event-id': 'SEND', 'sender-address': 'carla@corp.example', 'recipient-address': 'drop@mailbox.example.net' }, 14),
    row('message-tracking', '2022-10-04T09:00:00Z', { source: 'STOREDRIVER', 'event-id': 'RECEIVE', 'sender-address': 'carla@corp.example', 'recipient-address': 'team@corp.example', 'original-client-ip': '10.0.0.7' }, 15),
    row('message-tracking', '2022-10-04T15:00:00Z', { source: 'STOREDRIVER', 'event-id': 'RECEIVE', 'sender-address': 'carla@corp.example', 'recipient-address': 'team@corp.example', 'original-client-ip': '10.0.0.7' }, 16),
    row('message-tracking', '2022-10-05T08:00:00Z', { source: 'MAILBOXRULE', 'event-id': 'RECEIVE', 'sender-address': 'dana@corp.example', 'recipient-address': 'x@elsewhere.example' }, 17),
    row('message-tracking', '2022-10-05T08:00:00Z', { source: 'STOREDRIVER', 'event-id': 'RECEIVE', 'sender-address': 'bob@corp.example', 'recipient-address': 'y@partner.example' }, 18),
  ];
}

for (const mode of ['one-pass', 'second-pass'] as const) {
  test(`${mode}: EWS operations and sizes, MapiHttp mailboxes, one actor across IIS and HttpProxy spellings of an agent`, () => {
    const c = createActivityCollector({}, { mode });
    const evs = events();
    for (const e of evs) c.observe(e);
    const ips = new Set([ATT]);
    const agents = new Set<string>();
    if (mode === 'second-pass') for (const e of evs) c.revisit(e, ips, agents);
    const t = c.finish(ips, agents);
    const ceo = t.mailboxes.find((m) => m.target === 'ceo@corp.example');
    assert.deepEqual(ceo?.operations, ['ExportItems']);
    assert.equal(ceo?.bytes, 900000);
    const carla = t.mailboxes.filter((m) => m.target === 'carla@corp.example');
    assert.deepEqual(carla.map((m) => [m.via.join(), m.operations.join(), m.ip]), [['OWA', '', ATT], ['EWS', 'GetItem', ATT]]);
    assert.equal(carla[0]!.requests, 2, 'the IIS and HttpProxy rows of one browser are one actor');
    assert.equal(t.mailboxes.find((m) => m.target === 'cfo@corp.example')?.via.join(), 'MAPI');
    assert.ok(!t.mailboxes.some((m) => m.target === 'bob@corp.example'));
    assert.equal(t.seen.ews, 3);
    assert.equal(t.seen.cmdletLog, 1);
    // One export, recorded by both the Rps_Cmdlet log and the event log.
    assert.equal(t.exports.length, 1);
    assert.equal(t.exports[0]!.filePath, '\\\\localhost\\c$\\pst\\c.pst');
    assert.deepEqual(t.mail.map((m) => [m.why, m.evidence.line]), [['attacker-client', 13], ['touched-mailbox', 16], ['mailbox-rule', 17]]);
    assert.equal(t.mail[0]!.client, 'WebServices');
    assert.ok(t.cannotShow.some((s) => s.includes('inside mailboxes')));
    assert.ok(t.cannotShow.some((s) => s.includes('200 characters')));
  });
}

test('without EWS, CmdletInfra or MessageTracking logs the summary says what cannot be known', () => {
  const c = createActivityCollector();
  const t = c.finish(new Set(), new Set());
  for (const s of ['No EWS logs', 'No CmdletInfra Rps_Cmdlet logs', 'No MessageTracking logs']) assert.ok(t.cannotShow.some((x) => x.includes(s)), s);
});

test('Rps_Cmdlet identity: a forged token (mailbox login name, built-in Administrator SID) is critical; a normal session is not reported', () => {
  const forged = row('rps-cmdlet', '2021-08-13T21:43:17Z', { AuthenticatedUser: 'Administrator', ExecutingUserSid: 'S-1-5-21-1-2-3-500', PSSenderInfo: 'jones@corp.example.com', Cmdlet: 'New-MailboxExportRequest' }, 7);
  const f = cmdletIdentityFinding(forged);
  assert.equal(f?.level, 'critical');
  assert.deepEqual(f?.cves, ['CVE-2021-34523']);
  assert.equal(f?.evidence.line, 7);
  const other = cmdletIdentityFinding(row('rps-cmdlet', 't', { AuthenticatedUser: 'svc-backup', ExecutingUserSid: 'S-1-5-21-1-2-3-1107', PSSenderInfo: 'CORP\\jones' }, 8));
  assert.equal(other?.level, 'high');
  for (const [user, sender] of [['admin.exch', 'CORP\\admin.exch'], ['HealthMailbox3f2a', 'corp.example\\healthmailbox3f2a'], ['jones', 'Jones@corp.example.com']]) {
    assert.equal(cmdletIdentityFinding(row('rps-cmdlet', 't', { AuthenticatedUser: user!, PSSenderInfo: sender! }, 9)), null, `${user} / ${sender}`);
  }
  assert.equal(cmdletIdentityFinding(row('rps-http', 't', { AuthenticatedUser: 'a', PSSenderInfo: 'b' }, 9)), null);
  assert.equal(accountName('CORP\\Jones'), 'jones');
});
