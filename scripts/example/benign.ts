// Everyday traffic of a small Exchange 2016 server: OWA, ActiveSync, EWS, MAPI, Autodiscover, OAB,
// admins in ECP and Remote PowerShell, health probes. None of it may raise a finding at medium or above.
import { BUILD, Collection, SERVER, V15_WIN, iso } from './model.js';
import { rpsCmdletCommon, rpsParameters } from './exchange-logs.js';
import type { Prng } from './prng.js';

const FIRST = ['anna', 'bjorn', 'carla', 'dev', 'elif', 'femi', 'goran', 'hana', 'ivan', 'jonas', 'kemal', 'lena', 'maria', 'nils', 'olga', 'pedro', 'quinn', 'rosa', 'sami', 'tara', 'uwe', 'vera', 'wei', 'yusuf', 'zoe'];
const LAST = ['berg', 'costa', 'diaz', 'eriksen', 'fischer', 'garcia', 'holm', 'ivanova', 'jensen', 'kaya', 'lund', 'meyer'];
export const ADMIN = 'admin.exch';
const OUTLOOK = 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13127; Pro)';
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.190 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:86.0) Gecko/20100101 Firefox/86.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 11_2_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.3 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.190 Safari/537.36 Edg/88.0.705.81',
];
const PHONES = ['Apple-iPhone12C1/1802.67', 'Apple-iPhone13C2/1803.52', 'Outlook-iOS/709.4231713.prod.iphone (4.2108.0)', 'Android-Mail/2021.01.31.357791580.Release'];
const OAB_GUID = '8c1f2b9e-4d7a-4e61-9f3c-2a6b7d0e5c41';
const AMPROBE = 'AMProbe/Local/ClientAccess';

export interface User { sam: string; upn: string; ip: string; phoneIp: string; device: string; ua: string; phone: string; sid: string; mbx: string }

export function makeUsers(rng: Prng): User[] {
  const users: User[] = [];
  for (let i = 0; i < 36; i++) {
    const sam = `${FIRST[i % FIRST.length]}.${LAST[(i * 7) % LAST.length]}`;
    users.push({
      sam, upn: `${sam}@${SERVER.domain}`, ip: `10.0.${rng.int(10, 40)}.${rng.int(2, 250)}`, phoneIp: `172.16.${rng.int(0, 15)}.${rng.int(2, 250)}`,
      device: rng.hex(32).toUpperCase(), ua: rng.pick(BROWSERS), phone: rng.pick(PHONES),
      sid: `S-1-5-21-1004336348-1177238915-682003330-${1200 + i}`, mbx: rng.guid(),
    });
  }
  return users;
}

/** A time on the given day, mostly during office hours (UTC). */
function when(rng: Prng, day: number): number {
  const hour = rng.chance(0.8) ? rng.int(6, 17) : rng.int(0, 22);
  return day + hour * 3600_000 + rng.int(0, 3599_999);
}

export function benignDay(c: Collection, users: User[], day: number, volume: number): void {
  const rng = c.rng;
  for (let n = 0; n < volume; n++) {
    const u = rng.pick(users);
    const t = when(rng, day);
    const kind = rng.next();
    if (kind < 0.18) owa(c, u, t);
    else if (kind < 0.36) c.web({ time: t, method: 'POST', stem: '/Microsoft-Server-ActiveSync/default.eas', query: `Cmd=${rng.pick(['Ping', 'Sync', 'FolderSync', 'Sync'])}&User=${u.sam}&DeviceId=${u.device}&DeviceType=iPhone`, user: u.upn, ip: u.phoneIp, ua: u.phone, status: 200, protocol: 'Eas', backend: rng.chance(0.2) });
    else if (kind < 0.5) c.web({ time: t, method: 'POST', stem: '/mapi/emsmdb/', query: `MailboxId=${u.mbx}@${SERVER.domain}`, user: u.upn, ip: u.ip, ua: OUTLOOK, status: 200, protocol: 'Mapi', anchor: `MailboxGuid~${u.mbx}`, backend: rng.chance(0.2) });
    else if (kind < 0.56) c.web({ time: t, method: 'POST', stem: '/mapi/nspi/', query: `MailboxId=${u.mbx}@${SERVER.domain}`, user: u.upn, ip: u.ip, ua: OUTLOOK, status: 200, protocol: 'Mapi', backend: rng.chance(0.2) });
    else if (kind < 0.66) c.web({ time: t, method: 'POST', stem: '/EWS/Exchange.asmx', user: u.upn, ip: u.ip, ua: rng.chance(0.5) ? OUTLOOK : 'MacOutlook/16.46.21021202 (Intelx64 Mac OS X 11.2.2 (Build 20D80))', status: 200, protocol: 'Ews', backend: rng.chance(0.2) });
    else if (kind < 0.76) autodiscover(c, u, t);
    else if (kind < 0.8) {
      c.web({ time: t, method: 'GET', stem: `/OAB/${OAB_GUID}/oab.xml`, user: u.upn, ip: u.ip, ua: OUTLOOK, status: 200, protocol: 'Oab' });
      if (rng.chance(0.3)) c.web({ time: t + 900, method: 'GET', stem: `/OAB/${OAB_GUID}/${rng.guid()}-data-${rng.int(1, 40)}.lzx`, user: u.upn, ip: u.ip, ua: OUTLOOK, status: 200, protocol: 'Oab' });
    } else if (kind < 0.85) c.web({ time: t, method: 'GET', stem: '/owa/auth/15.1.2176/themes/resources/favicon.ico', ip: u.ip, ua: u.ua, status: 200, protocol: null });
    else if (kind < 0.87) c.web({ time: t, method: 'GET', stem: `/owa/calendar/${u.mbx}@${SERVER.domain}/${rng.hex(32)}/calendar.html`, ip: `172.16.${rng.int(0, 15)}.${rng.int(2, 250)}`, ua: rng.pick(BROWSERS), status: 200, protocol: 'OwaCalendar' });
    else if (kind < 0.89) c.web({ time: t, method: 'GET', stem: '/rpc/rpcproxy.dll', query: `${SERVER.fqdn}:6001`, user: u.upn, ip: u.ip, ua: 'MSRPC', status: 200, protocol: 'RpcHttp' });
    else c.web({ time: t, method: 'GET', stem: '/owa/service.svc/s/GetFileAttachment', query: `id=${rng.alnum(40)}&X-OWA-CANARY=${rng.alnum(40)}`, user: u.upn, ip: u.ip, ua: u.ua, referer: `https://mail.${SERVER.domain}/owa/`, status: 200, protocol: 'Owa', backend: true });
  }
  probes(c, day);
  mail(c, users, day, Math.round(volume / 20));
  adminWork(c, users, day);
  oabGenerator(c, day);
}

function owa(c: Collection, u: User, t: number): void {
  const rng = c.rng;
  const ref = `https://mail.${SERVER.domain}/owa/`;
  c.web({ time: t, method: 'GET', stem: '/owa/', ip: u.ip, ua: u.ua, status: 302, protocol: 'Owa' });
  c.web({ time: t + 120, method: 'GET', stem: '/owa/auth/logon.aspx', query: `url=https%3a%2f%2fmail.${SERVER.domain}%2fowa%2f&reason=0`, ip: u.ip, ua: u.ua, status: 200, protocol: null });
  c.web({ time: t + 300, method: 'GET', stem: `/owa/auth/${BUILD.owa}/themes/resources/logon.css`, ip: u.ip, ua: u.ua, referer: ref, status: 200, protocol: null });
  c.web({ time: t + 310, method: 'GET', stem: `/owa/auth/${BUILD.owa}/scripts/premium/flogon.js`, ip: u.ip, ua: u.ua, referer: ref, status: 200, protocol: null });
  c.web({ time: t + 9000, method: 'POST', stem: '/owa/auth.owa', ip: u.ip, ua: u.ua, referer: ref, status: 302, protocol: 'Owa' });
  c.web({ time: t + 9500, method: 'GET', stem: '/owa/', user: u.upn, ip: u.ip, ua: u.ua, referer: ref, status: 200, protocol: 'Owa', backend: true });
  for (let i = 0; i < rng.int(1, 4); i++) {
    c.web({ time: t + 12_000 + i * rng.int(2000, 90_000), method: 'POST', stem: '/owa/service.svc', query: `action=${rng.pick(['GetItem', 'FindItem', 'GetConversationItems', 'GetFolderChangeDigest', 'CreateItem'])}&EP=1&ID=-${rng.int(10, 99)}&AC=1`, user: u.upn, ip: u.ip, ua: u.ua, referer: ref, status: 200, protocol: 'Owa', backend: rng.chance(0.3) });
  }
  if (rng.chance(0.3)) c.web({ time: t + 400_000, method: 'GET', stem: '/owa/logoff.owa', user: u.upn, ip: u.ip, ua: u.ua, referer: ref, status: 302, protocol: 'Owa' });
}

function autodiscover(c: Collection, u: User, t: number): void {
  const rng = c.rng;
  const k = rng.int(0, 2);
  // Legitimate Autodiscover v2 calls always name a Protocol and the user's own address.
  if (k === 0) c.web({ time: t, method: 'POST', stem: '/Autodiscover/Autodiscover.xml', user: u.upn, ip: u.ip, ua: OUTLOOK, status: 200, protocol: 'Autodiscover' });
  else if (k === 1) c.web({ time: t, method: 'GET', stem: `/autodiscover/autodiscover.json/v1.0/${u.upn}`, query: `Protocol=${rng.pick(['ActiveSync', 'EWS', 'AutodiscoverV1'])}&RedirectCount=1`, ip: u.phoneIp, ua: 'iOS/14.4 (18D52) dataaccessd/1.0', status: 200, protocol: 'Autodiscover' });
  else c.web({ time: t, method: 'GET', stem: '/autodiscover/autodiscover.json', query: `Email=${u.sam}%40${SERVER.domain}&Protocol=EWS&RedirectCount=1`, ip: u.ip, ua: OUTLOOK, status: 200, protocol: 'Autodiscover' });
}

/** Everyday mail as MessageTracking records it: submitted from Outlook or OWA, then sent out or delivered. */
function mail(c: Collection, users: User[], day: number, n: number): void {
  const rng = c.rng;
  for (let i = 0; i < n; i++) {
    const u = rng.pick(users);
    const t = when(rng, day);
    const id = `<${rng.hex(16)}@${SERVER.fqdn}>`;
    const client = rng.chance(0.7) ? 'MOMT' : 'OWA';
    const external = rng.chance(0.4);
    const to = external ? `${rng.pick(FIRST)}@partner.example` : rng.pick(users).upn;
    const bytes = String(rng.int(4000, 900_000));
    const common = { 'message-id': id, 'recipient-address': to, 'recipient-count': '1', 'total-bytes': bytes, 'message-subject': rng.pick(['Weekly report', 'Meeting notes', 'RE: Budget', 'Lunch?']), 'sender-address': u.upn, directionality: 'Originating' };
    c.messageTracking(t, { ...common, source: 'STOREDRIVER', 'event-id': 'SUBMIT', 'source-context': `MDB:${rng.guid()}, Mailbox:${u.mbx}, Event:${rng.int(1000, 99999)}, MessageClass:IPM.Note, CreationTime:${iso(t - 900)}, ClientType:${client}` }, 'MSGTRKMS');
    c.messageTracking(t + 600, { ...common, source: 'STOREDRIVER', 'event-id': 'RECEIVE', 'original-client-ip': client === 'OWA' ? u.ip : '', 'custom-data': `S:Mailbox=${u.mbx}` });
    if (external) c.messageTracking(t + 1900, { ...common, source: 'SMTP', 'event-id': 'SEND', 'connector-id': 'Internet Send', 'recipient-status': '250 2.6.0 Queued mail for delivery' });
    else c.messageTracking(t + 1200, { ...common, source: 'STOREDRIVER', 'event-id': 'DELIVER' }, 'MSGTRKMD');
  }
}

/** Managed Availability probes every few minutes, on both sites, with their own user agent and health mailboxes. */
function probes(c: Collection, day: number): void {
  const rng = c.rng;
  const hm = `HealthMailbox${'3f2a9c1e7b'}@${SERVER.domain}`;
  for (let m = 0; m < 24 * 60; m += 30) {
    const t = day + m * 60_000 + rng.int(0, 59_000);
    const vdir = ['owa', 'ecp', 'EWS', 'mapi', 'OAB', 'Autodiscover', 'Microsoft-Server-ActiveSync'][(m / 30) % 7]!;
    c.web({ time: t, method: 'GET', stem: `/${vdir}/healthcheck.htm`, ip: '127.0.0.1', ua: AMPROBE, status: 200, protocol: null });
    if ((m / 30) % 3 === 0) c.web({ time: t + 2000, method: 'POST', stem: '/EWS/Exchange.asmx', user: hm, ip: SERVER.ip, ua: AMPROBE, status: 200, protocol: 'Ews', backend: true });
    if ((m / 30) % 9 === 0) c.web({ time: t + 4000, method: 'GET', stem: '/ecp/', user: hm, ip: SERVER.ip, ua: AMPROBE, status: 200, protocol: 'Ecp',
      anchor: `ServerInfo~localhost/ecp/healthcheck.htm`, backend: true });
    if ((m / 30) % 6 === 0) c.backendOnly(t + 5000, 'POST', '/powershell', `serializationLevel=Full;ExchClientVer=${BUILD.short};clientApplication=ManagementShell`, `${SERVER.netbios}\\${SERVER.name}$`, 'Exchange BackEnd Probes', 200);
  }
}

/** An administrator in ECP and Remote PowerShell, and the cmdlets that leaves in the event log and ECP server log. */
function adminWork(c: Collection, users: User[], day: number): void {
  const rng = c.rng;
  const admin = `${ADMIN}@${SERVER.domain}`;
  const ip = '10.0.5.12';
  const ua = BROWSERS[3]!;
  const base = day + 9 * 3600_000 + rng.int(0, 3600_000);
  const canary = rng.alnum(43);
  c.web({ time: base, method: 'GET', stem: '/ecp/', user: admin, ip, ua, status: 200, protocol: 'Ecp', backend: true });
  for (let i = 0; i < 6; i++) {
    const t = base + (i + 1) * rng.int(5000, 60_000);
    const schema = rng.pick(['Mailboxes', 'DistributionGroups', 'MailboxDatabases', 'ExchangeServers']);
    c.web({ time: t, method: 'POST', stem: '/ecp/DDI/DDIService.svc/GetList', query: `schema=${schema}&msExchEcpCanary=${canary}`, user: admin, ip, ua, referer: `https://mail.${SERVER.domain}/ecp/`, status: 200, protocol: 'Ecp', backend: true });
    ecpServer(c, t, `Get-${schema === 'Mailboxes' ? 'Mailbox' : schema === 'DistributionGroups' ? 'DistributionGroup' : schema === 'MailboxDatabases' ? 'MailboxDatabase' : 'ExchangeServer'}.ResultSize='500'`, `/ecp/DDI/DDIService.svc/GetList?schema=${schema}&msExchEcpCanary=${canary}`, admin);
  }
  // Exchange Management Shell from the admin workstation.
  const ps = base + 3 * 3600_000;
  c.web({ time: ps, method: 'POST', stem: '/powershell', query: `serializationLevel=Full;ExchClientVer=${BUILD.short};clientApplication=ManagementShell;TargetServer=;PSVersion=5.1.17763.1490`, user: `${SERVER.netbios}\\${ADMIN}`, ip, ua: 'Microsoft WinRM Client', status: 200, protocol: 'PowerShell', backend: true });
  const u = rng.pick(users);
  mgmt(c, ps + 4000, 'Get-Mailbox', `-Identity '${u.upn}'`, 'Remote-PowerShell-Unknown');
  mgmt(c, ps + 9000, 'Set-Mailbox', `-Identity '${u.upn}' -ProhibitSendQuota '9.5 GB'`, 'Remote-PowerShell-Unknown');
  mgmt(c, ps + 12000, 'Get-MailboxExportRequest', '', 'Remote-PowerShell-Unknown');
  // Managed Availability's own cmdlets.
  mgmt(c, day + 3 * 3600_000 + rng.int(0, 600_000), 'Get-ExchangeServer', `-Identity '${SERVER.name}'`, 'MSExchangeHMWorker', 'NT AUTHORITY\\SYSTEM');
  c.winEvent('Application', day + rng.int(1, 23) * 3600_000, 'MSExchange ActiveSync', 1053, 3, [`${rng.pick(users).upn}`, 'The user has exceeded the maximum number of devices.'], 32768);
  c.winEvent('Application', day + rng.int(1, 23) * 3600_000, 'MSExchange Unified Messaging', 1400, 4, ['The Unified Messaging service started successfully.'], 16388);
  c.winEvent('Application', day + rng.int(1, 23) * 3600_000, 'MSExchange Control Panel', 4, 3, ['Request for URL \'https://mail.corp.example.com/ecp/PersonalSettings/HomePage.aspx\' failed with the following error: System.Threading.ThreadAbortException'], 49152);
}

export function ecpServer(c: Collection, t: number, cmd: string, url: string, user: string): void {
  const rng = c.rng;
  const data = `S:TIME=${rng.int(15, 900)};S:SID=S-1-5-21-1004336348-1177238915-682003330-1105;S:USER=${user};S:CMD=${cmd};S:REQID=${rng.guid()};S:URL=${url};S:REFERRER=https://mail.${SERVER.domain}/ecp/;S:BLD=${BUILD.short};S:ACTID=${rng.guid()}`;
  c.exchangeRow({ folder: 'ECP/Server', prefix: 'ECPServer', logType: 'ECP Server Log', fields: ['TimeStamp', 'ServerName', 'EventId', 'EventData'] }, t, [iso(t), SERVER.name, 'ECP.Request', data]);
}

const DOMAIN_SID = 'S-1-5-21-1004336348-1177238915-682003330';

export function mgmt(c: Collection, t: number, cmdlet: string, params: string, app: string, caller = `${SERVER.domain}/Users/${ADMIN}`, eventId = 1, level = 4): void {
  mgmtEvent(c, t, cmdlet, params, app, caller, eventId, level);
  // Remote PowerShell cmdlets are also in CmdletInfra's Rps_Cmdlet log, with the executing SID and the session's sender.
  if (app === 'Remote-PowerShell-Unknown') rpsCmdletRow(c, t, cmdlet, params, caller, eventId === 6);
}

/** The MSExchange Management event log's record of a cmdlet (provider MSExchange CmdletLogs, 1 = succeeded, 6 = failed). */
export function mgmtEvent(c: Collection, t: number, cmdlet: string, params: string, app: string, caller: string, eventId = 1, level = 4): void {
  c.winEvent('MSExchange Management', t, 'MSExchange CmdletLogs', eventId, level, [
    cmdlet, params, caller, `${DOMAIN_SID}-1105`, `${DOMAIN_SID}-1105`,
    app, `${c.rng.int(2000, 9000)} w3wp#MSExchangePowerShellAppPool`, '', '0 objects execution has been proxied to remote server.', 'False', '0', '1',
  ]);
}

/** The Rps_Cmdlet row of a Remote PowerShell cmdlet (`params` as the event log writes them, single-quoted). */
export function rpsCmdletRow(c: Collection, t: number, cmdlet: string, params: string, caller: string, failed = false): void {
  const user = caller.split('/').at(-1)!;
  const builtin = user.toLowerCase() === 'administrator';
  const p = failed ? '' : rpsParameters(params);
  c.rpsCmdlet(t + 150, {
    ...rpsCmdletCommon(c.rng), RequestId: c.rng.guid(), AuthenticatedUser: user,
    ExecutingUserSid: builtin ? `${DOMAIN_SID}-500` : `${DOMAIN_SID}-${1100 + (user.length % 50)}`, ClientApplication: '',
    Cmdlet: cmdlet, Parameters: p, NonPiiParameters: p.replace(/"(?:[^"]|"")*"/g, '"<SNIP-PII>"'),
    ExecutionResult: failed ? 'Error' : 'Success', ErrorType: failed ? 'UnHandled' : '',
    // ProxyShell's forged token: a mailbox's address as login name, the built-in Administrator's SID (research §1.3).
    GenericInfo: `PSSenderInfo=${builtin ? `${ADMIN}@${SERVER.domain}` : `${SERVER.netbios}\\${user}`};ADServerSettingsInEnd=DC01.${SERVER.domain}`,
    GenericErrors: failed ? params : '',
  });
}

const OAB_FIELDS = ['DateTime', 'ThreadId', 'TraceLevel', 'OabGuid', 'Message'];
export function oabRow(c: Collection, t: number, level: string, message: string): void {
  c.exchangeRow({ folder: 'OABGeneratorLog', prefix: 'OABGeneratorLog_', logType: 'OABGenerator Log', fields: OAB_FIELDS }, t, [iso(t), String(c.rng.int(8, 80)), level, OAB_GUID, message]);
}

function oabGenerator(c: Collection, day: number): void {
  const rng = c.rng;
  for (const h of [1, 9, 17]) {
    const t = day + h * 3600_000 + rng.int(0, 300_000);
    oabRow(c, t, 'Information', `OABGenerator started generation of OAB '\\Default Offline Address Book'.`);
    oabRow(c, t + 5000, 'Information', `Downloaded file from ${SERVER.fqdn} to '${V15_WIN}\\ClientAccess\\OAB\\Temp\\${OAB_GUID}\\${rng.guid()}.tmp'.`);
    if (rng.chance(0.3)) {
      // Benign: the legitimate download location, ClientAccess\OAB\Temp (Test-ProxyLogon excludes it).
      oabRow(c, t + 6000, 'Warning', `Download failed and temporary file '${V15_WIN}\\ClientAccess\\OAB\\Temp\\${OAB_GUID}\\${rng.guid()}.tmp' needs to be removed.`);
    }
    oabRow(c, t + 40_000, 'Information', `OABGenerator completed generation of OAB '\\Default Offline Address Book' (${rng.int(300, 420)} entries).`);
  }
}
