// EWS and MessageTracking fixtures: mail read and exported by scripts, act-as requests, inbox rules through EWS,
// forwarded and dropped mail (research exchange-logs.md §3.1, §4), beside the Outlook and probe traffic of every day.
import { addLog, guid, type Expect, type FixtureSet, type Row } from './builder.js';
import { EWS, MESSAGE_TRACKING } from './columns.js';

const VERSION = { MajorVersion: '15', MinorVersion: '1', BuildVersion: '2375', RevisionVersion: '7' };
const OUTLOOK = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13801; Pro)';
const MAC_OUTLOOK = 'MacOutlook/16.46.21021202 (Intelx64 Mac OS X 11.2.1 (Build 20D74))';
const HEALTH = 'HealthMailbox5c1e08d3a47f4b2e9d6a0c7f31b8e254@corp.example.com';

interface Ews {
  t: string;
  user: string;
  ua: string;
  action: string;
  ip?: string;
  bytes?: string;
  impersonated?: string;
  actAs?: string;
  status?: string;
  hit?: Expect;
}

function ewsRows(list: readonly Ews[]): Row[] {
  return list.map((e) => {
    const row: Row = {
      v: {
        DateTime: e.t, RequestId: guid(`ews${e.t}`), ...VERSION, Ring: 'R1', ClientRequestId: guid(`ewsc${e.t}`),
        AuthenticationType: e.user.startsWith('NT AUTHORITY') ? 'Kerberos' : 'Negotiate', IsAuthenticated: 'true', AuthenticatedUser: e.user,
        UserAgent: e.ua, VersionInfo: 'Exchange2013_SP1', ClientIpAddress: e.ip ?? '10.0.3.17', ServerHostName: 'EXCH01',
        FrontEndServer: 'EXCH01.CORP.EXAMPLE.COM', SoapAction: e.action, HttpStatus: e.status ?? '200', RequestSize: '1402',
        ResponseSize: e.bytes ?? '5120', ImpersonatedUser: e.impersonated ?? (e.user.includes('@') ? e.user : ''), ActAsUser: e.actAs ?? '',
        CorrelationGuid: guid(`ewsg${e.t}`), PrimaryOrProxyServer: 'EXCH01.corp.example.com', TaskType: 'Execute', LocalMailboxCount: '1',
        ThrottlingPolicy: 'GlobalThrottlingPolicy_e7c3c1b0', TotalRequestTime: '74',
        GenericInfo: 'MailboxTypeCacheSize=1;S:WLM.Cl=InternalMaintenance;S:ServiceTaskMetadata.ADCount=0;',
        StartTime: new Date(Date.parse(e.t) - 74).toISOString(), ProcessId: '9420',
      },
    };
    if (e.hit) row.hit = e.hit;
    return row;
  });
}

export function ewsAccess(set: FixtureSet): void {
  const read: Expect = { rules: ['exch_ews_mail_read_tool'], attack: ['T1114.002'] };
  addLog(set, 'ews-access/Logging/Ews/Ews_2021030205-1.LOG',
    { mode: 'csv-compatible', version: '15.01.2375.007', logType: 'EWS Logs', date: '2021-03-02T05:00:00.514Z', fields: EWS }, ewsRows([
      { t: '2021-03-02T05:00:41.120Z', user: HEALTH, ua: 'AMProbe/Local/ClientAccess', action: 'GetFolder' },
      { t: '2021-03-02T05:01:02.300Z', user: 'jones@corp.example.com', ua: OUTLOOK, action: 'GetItem', bytes: '48211' },
      { t: '2021-03-02T05:01:09.800Z', user: 'jones@corp.example.com', ua: OUTLOOK, action: 'GetAttachment', bytes: '912044' },
      { t: '2021-03-02T05:02:15.000Z', user: 'smith@corp.example.com', ua: MAC_OUTLOOK, action: 'UpdateInboxRules' },
      { t: '2021-03-02T05:02:40.000Z', user: 'svc-crm@corp.example.com', ua: 'ExchangeServicesClient/15.00.0913.015', action: 'FindItem' },
      // An archiving service using ExchangeImpersonation: ImpersonatedUser differs from the caller. Whether that is
      // expected needs two fields compared (the activity engine's job); no rule here looks at it.
      { t: '2021-03-02T05:02:50.000Z', user: 'svc-archive@corp.example.com', ua: 'ExchangeServicesClient/15.00.0913.015', action: 'SyncFolderItems', impersonated: 'cfo@corp.example.com' },
      // HAFNIUM-style collection: ExportItems and reads by scripting clients from outside.
      { t: '2021-03-02T05:10:03.250Z', user: 'CORP\\jones', ua: 'python-requests/2.25.1', action: 'FindItem', ip: '203.0.113.66', impersonated: 'jones@corp.example.com', hit: read },
      { t: '2021-03-02T05:10:05.900Z', user: 'CORP\\jones', ua: 'python-requests/2.25.1', action: 'ExportItems', ip: '203.0.113.66', bytes: '18874312', impersonated: 'jones@corp.example.com',
        hit: { rules: ['exch_ews_export_items_tool'], attack: ['T1114.002'] } },
      { t: '2021-03-02T05:11:30.000Z', user: 'cfo@corp.example.com', ua: 'ExchangeServicesClient/0.0.0.0', action: 'GetItem', ip: '203.0.113.66', bytes: '71220', hit: read },
      { t: '2021-03-02T05:11:41.000Z', user: 'cfo@corp.example.com', ua: 'curl/7.68.0', action: 'GetAttachment', ip: '203.0.113.66', bytes: '2210933', hit: read },
      { t: '2021-03-02T05:12:00.000Z', user: 'cfo@corp.example.com', ua: 'python-requests/2.25.1', action: 'UpdateInboxRules', ip: '203.0.113.66',
        hit: { rules: ['exch_ews_update_inbox_rules'], attack: ['T1114.003', 'T1564.008'] } },
      // ProxyShell through the autodiscover SSRF: a SerializedSecurityContext header names the victim (ActAsUser)
      // to plant the draft and to dump the address book.
      { t: '2021-08-13T21:12:40.500Z', user: 'NT AUTHORITY\\SYSTEM', ua: 'python-requests/2.26.0', action: 'CreateItem', ip: '198.51.100.23', actAs: 'jones@corp.example.com',
        hit: { rules: ['exch_ews_act_as_user'], cves: ['CVE-2021-34473'], attack: ['T1190'] } },
      { t: '2021-08-13T21:12:44.100Z', user: 'NT AUTHORITY\\SYSTEM', ua: 'python-requests/2.26.0', action: 'ResolveNames', ip: '198.51.100.23', actAs: 'administrator@corp.example.com',
        hit: { rules: ['exch_ews_act_as_user'], cves: ['CVE-2021-34473'], attack: ['T1190'] } },
    ]), true);
}

interface Track {
  t: string;
  source: string;
  event: string;
  sender: string;
  to: string;
  subject: string;
  context?: string;
  origIp?: string;
  bytes?: string;
  hit?: Expect;
}

function trackRows(list: readonly Track[]): Row[] {
  return list.map((m, i) => {
    const id = guid(`msg${m.subject}${m.sender}`);
    const row: Row = {
      v: {
        'date-time': m.t, 'client-ip': m.source === 'SMTP' ? '10.0.0.12' : '', 'client-hostname': 'EXCH01', 'server-ip': m.event === 'SEND' ? '192.0.2.25' : '',
        'server-hostname': m.event === 'SEND' ? 'mx.mail-drop.example.net' : 'EXCH01', 'source-context': m.context ?? '', source: m.source, 'event-id': m.event,
        'internal-message-id': String(41230 + i), 'message-id': `<${id.slice(0, 8)}@EXCH01.corp.example.com>`, 'network-message-id': id,
        'recipient-address': m.to, 'recipient-status': m.event === 'SEND' ? '250 2.6.0 Queued mail for delivery' : '', 'total-bytes': m.bytes ?? '24510',
        'recipient-count': String(m.to.split(';').length), 'message-subject': m.subject, 'sender-address': m.sender, 'return-path': m.sender,
        directionality: 'Originating', 'original-client-ip': m.origIp ?? '', 'original-server-ip': '10.0.0.5',
        'custom-data': m.source === 'STOREDRIVER' ? `S:MailboxDatabaseGuid=${guid('db1')};S:Mailbox=${guid(m.sender)};S:E2ELatency=0.214` : '',
        'transport-traffic-type': 'Email', 'log-id': guid(`log${m.t}`), 'schema-version': '15.01.2375.007',
      },
    };
    if (m.hit) row.hit = m.hit;
    return row;
  });
}

const storeCtx = (client: string): string =>
  `MDB:${guid('db1')}, Mailbox:${guid('cfo')}, Event:1844031, MessageClass:IPM.Note, CreationTime:2022-03-14T10:21:30.000Z, ClientType:${client}, SubmissionAssistant:MailboxTransportSubmissionEmailAssistant`;

export function mailForwarding(set: FixtureSet): void {
  const header = (date: string): { mode: 'hash-first'; version: string; logType: string; date: string; fields: readonly string[] } =>
    ({ mode: 'hash-first', version: '15.01.2375.007', logType: 'Message Tracking Log', date, fields: MESSAGE_TRACKING });
  const drop = 'ledger@mail-drop.example.net';
  addLog(set, 'mail-forwarding/TransportRoles/Logs/MessageTracking/MSGTRKMS2022031410-1.LOG', header('2022-03-14T10:00:00.120Z'), trackRows([
    { t: '2022-03-14T10:15:02.000Z', source: 'STOREDRIVER', event: 'RECEIVE', sender: 'jones@corp.example.com', to: 'smith@corp.example.com', subject: 'Lunch', context: storeCtx('MOMT'), origIp: '10.0.3.17' },
    { t: '2022-03-14T10:16:40.000Z', source: 'STOREDRIVER', event: 'RECEIVE', sender: 'smith@corp.example.com', to: 'jones@corp.example.com', subject: 'Re: Lunch', context: storeCtx('WebServices'), origIp: '10.0.3.22' },
    { t: '2022-03-14T10:17:00.000Z', source: 'STOREDRIVER', event: 'RECEIVE', sender: HEALTH, to: HEALTH, subject: 'MBTSubmission/StoreDriverSubmission/ probe', context: storeCtx('Monitoring') },
    // Mail sent from the CFO's mailbox by an EWS tool from a public address.
    { t: '2022-03-14T10:21:31.000Z', source: 'STOREDRIVER', event: 'RECEIVE', sender: 'cfo@corp.example.com', to: 'ap@partner.example', subject: 'Updated bank details', context: storeCtx('WebServices'), origIp: '203.0.113.66',
      hit: { rules: ['exch_msgtrk_ews_submission_external'], attack: ['T1534'], low: true } },
    { t: '2022-03-14T10:21:31.400Z', source: 'STOREDRIVER', event: 'SUBMIT', sender: 'cfo@corp.example.com', to: 'ap@partner.example', subject: 'Updated bank details', context: storeCtx('WebServices'), origIp: '203.0.113.66' },
  ]), false);
  addLog(set, 'mail-forwarding/TransportRoles/Logs/MessageTracking/MSGTRK2022031410-1.LOG', header('2022-03-14T10:00:00.090Z'), trackRows([
    { t: '2022-03-14T10:30:12.000Z', source: 'SMTP', event: 'RECEIVE', sender: 'vendor@partner.example', to: 'cfo@corp.example.com', subject: 'Invoice 4471' },
    // The inbox rule created at 10:02 forwards the invoice out.
    { t: '2022-03-14T10:30:13.000Z', source: 'MAILBOXRULE', event: 'RECEIVE', sender: 'cfo@corp.example.com', to: drop, subject: 'FW: Invoice 4471',
      hit: { rules: ['exch_msgtrk_mailbox_rule_forward'], attack: ['T1114.003'], low: true } },
    { t: '2022-03-14T10:30:14.000Z', source: 'SMTP', event: 'SEND', sender: 'cfo@corp.example.com', to: drop, subject: 'FW: Invoice 4471' },
    // A message file dropped into the Pickup folder by someone with file-system access.
    { t: '2022-03-14T10:40:00.000Z', source: 'PICKUP', event: 'RECEIVE', sender: 'it-support@corp.example.com', to: 'all-staff@corp.example.com', subject: 'Password expiry notice',
      hit: { rules: ['exch_msgtrk_pickup_submission'], attack: ['T1534'] } },
  ]), false);
}

/** An ordinary hour of EWS and mail flow: Outlook, Outlook for Mac rules, probes, internal EWS clients. */
export function benignMailflow(set: FixtureSet): void {
  const root = 'benign-mailflow';
  addLog(set, `${root}/Logging/Ews/Ews_2021030110-1.LOG`,
    { mode: 'csv-compatible', version: '15.01.2375.007', logType: 'EWS Logs', date: '2021-03-01T10:00:00.211Z', fields: EWS }, ewsRows([
      { t: '2021-03-01T10:00:41.120Z', user: HEALTH, ua: 'AMProbe/Local/ClientAccess', action: 'GetFolder' },
      { t: '2021-03-01T10:00:42.000Z', user: HEALTH, ua: 'AMProbe/Local/ClientAccess', action: 'FindItem', status: '500' },
      { t: '2021-03-01T10:01:02.300Z', user: 'jones@corp.example.com', ua: OUTLOOK, action: 'GetItem', bytes: '48211' },
      { t: '2021-03-01T10:01:03.300Z', user: 'jones@corp.example.com', ua: OUTLOOK, action: 'FindItem' },
      { t: '2021-03-01T10:01:09.800Z', user: 'jones@corp.example.com', ua: OUTLOOK, action: 'GetAttachment', bytes: '912044' },
      { t: '2021-03-01T10:02:15.000Z', user: 'smith@corp.example.com', ua: MAC_OUTLOOK, action: 'UpdateInboxRules' },
      { t: '2021-03-01T10:02:16.000Z', user: 'smith@corp.example.com', ua: MAC_OUTLOOK, action: 'SyncFolderItems', ip: '198.51.100.200' },
      { t: '2021-03-01T10:02:40.000Z', user: 'svc-crm@corp.example.com', ua: 'ExchangeServicesClient/15.00.0913.015', action: 'FindItem' },
      { t: '2021-03-01T10:03:00.000Z', user: 'CORP\\jones', ua: 'Microsoft Office/16.0 (Microsoft Outlook Mail 16.0.14326; Pro)', action: 'GetUserAvailability' },
    ]), true);
  addLog(set, `${root}/TransportRoles/Logs/MessageTracking/MSGTRKMS2021030110-1.LOG`,
    { mode: 'hash-first', version: '15.01.2375.007', logType: 'Message Tracking Log', date: '2021-03-01T10:00:00.101Z', fields: MESSAGE_TRACKING }, trackRows([
      { t: '2021-03-01T10:15:02.000Z', source: 'STOREDRIVER', event: 'RECEIVE', sender: 'jones@corp.example.com', to: 'smith@corp.example.com', subject: 'Lunch', context: storeCtx('MOMT'), origIp: '10.0.3.17' },
      { t: '2021-03-01T10:15:02.300Z', source: 'STOREDRIVER', event: 'SUBMIT', sender: 'jones@corp.example.com', to: 'smith@corp.example.com', subject: 'Lunch', context: storeCtx('MOMT'), origIp: '10.0.3.17' },
      { t: '2021-03-01T10:16:40.000Z', source: 'STOREDRIVER', event: 'RECEIVE', sender: 'smith@corp.example.com', to: 'jones@corp.example.com', subject: 'Re: Lunch', context: storeCtx('WebServices'), origIp: '10.0.3.22' },
      { t: '2021-03-01T10:17:00.000Z', source: 'STOREDRIVER', event: 'RECEIVE', sender: HEALTH, to: HEALTH, subject: 'MBTSubmission/StoreDriverSubmission/ probe', context: storeCtx('Monitoring') },
      { t: '2021-03-01T10:18:00.000Z', source: 'STOREDRIVER', event: 'RECEIVE', sender: 'jones@corp.example.com', to: 'partner@partner.example', subject: 'Offer', context: storeCtx('OWA'), origIp: '198.51.100.200' },
      { t: '2021-03-01T10:19:00.000Z', source: 'SMTP', event: 'SEND', sender: 'jones@corp.example.com', to: 'partner@partner.example', subject: 'Offer' },
    ]), false);
}
