// Synthetic scan results for tests (story, reporters, browser): a ProxyLogon intrusion told in findings,
// an unrelated scanner, exposure, and a hostile variant with script/HTML payloads in every field.
import type { Finding, Level, RuleRef } from '../../../finding.js';
import type { ScanSummary } from '../../../summary.js';
import type { TakenSummary } from '../../activity/index.js';

export const ATTACKER = '203.0.113.77';
export const SCANNER = '198.51.100.23';

function rule(id: string, title: string, tags: string[], author = 'exhunt'): RuleRef {
  return { id, title, author, source: `builtin:sigma/${id}.yml`, tags, references: ['https://example.org/ref'] };
}
function f(p: Partial<Finding> & Pick<Finding, 'time' | 'level' | 'rule' | 'evidence' | 'fields'>): Finding {
  return { engine: 'sigma', cves: [], attack: [], host: 'EX01', ...p };
}

export function sampleFindings(): Finding[] {
  const ssrf = rule('a1b2c3d4-0001', 'ProxyLogon SSRF request (CVE-2021-26855)', ['attack.initial-access', 'attack.t1190', 'cve.2021-26855']);
  const out: Finding[] = [];
  for (let i = 0; i < 3; i++) {
    out.push(
      f({
        time: `2021-03-03T01:0${5 + i}:00.000Z`,
        level: 'critical',
        rule: ssrf,
        cves: ['CVE-2021-26855'],
        attack: ['T1190'],
        evidence: { path: 'Logging/HttpProxy/Ecp/HttpProxy_2021030301-1.LOG', line: 12 + i, kind: 'exchange-httpproxy' },
        fields: { ClientIpAddress: ATTACKER, UrlStem: '/ecp/y.js', UserAgent: 'ExchangeServicesClient/0.0.0.0', AnchorMailbox: 'ServerInfo~a]@ex01.corp.local:444/autodiscover/autodiscover.xml?#' },
        message: `SSRF to the back end from ${ATTACKER}`,
      }),
    );
  }
  out.push(
    f({
      time: '2021-03-03T01:07:10.000Z',
      level: 'critical',
      rule: rule('a1b2c3d4-0002', 'ProxyLogon arbitrary file write via ECP (CVE-2021-27065)', ['attack.initial-access', 'attack.t1190', 'attack.persistence', 'attack.t1505.003', 'cve.2021-27065']),
      cves: ['CVE-2021-27065'],
      attack: ['T1190', 'T1505.003'],
      evidence: { path: 'W3SVC1/u_ex210303.log', line: 88, kind: 'iis-w3c' },
      fields: { 'c-ip': ATTACKER, 'cs-method': 'POST', 'cs-uri-stem': '/ecp/DDI/DDIService.svc/SetObject', 'cs-uri-query': 'schema=ResetOABVirtualDirectory&msExchEcpCanary=x', 'cs-username': 'EX01$' },
    }),
    f({
      engine: 'yara',
      time: '2021-03-03T01:07:12.000Z',
      level: 'critical',
      rule: { id: 'WEBSHELL_ASPX_Chopper_Like_Mar21_1', title: 'WEBSHELL_ASPX_Chopper_Like_Mar21_1', author: 'Florian Roth (Nextron Systems)', source: 'signature-base/apt_hafnium.yar', tags: ['attack.t1505.003'] },
      attack: ['T1505.003'],
      evidence: { path: 'C/inetpub/wwwroot/aspnet_client/shell.aspx', kind: 'file' },
      fields: { path: 'C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx', sha256: 'a'.repeat(64), md5: 'b'.repeat(32), size: 412 },
      message: 'China Chopper-like web shell',
    }),
  );
  const used = rule('a1b2c3d4-0003', 'Web shell request to aspnet_client', ['attack.persistence', 'attack.t1505.003']);
  for (let i = 0; i < 5; i++) {
    out.push(
      f({
        time: `2021-03-03T02:0${i}:30.000Z`,
        level: 'high',
        rule: used,
        attack: ['T1505.003'],
        evidence: { path: 'W3SVC1/u_ex210303.log', line: 120 + i, kind: 'iis-w3c' },
        fields: { 'c-ip': ATTACKER, 'cs-method': 'POST', 'cs-uri-stem': '/aspnet_client/shell.aspx', 'cs-user-agent': 'antSword/v2.1', 'sc-status': '200' },
      }),
    );
  }
  out.push(
    f({
      time: '2021-03-03T02:10:00.000Z',
      level: 'high',
      rule: rule('a1b2c3d4-0004', 'Process memory dump via comsvcs.dll', ['attack.credential-access', 'attack.t1003.001']),
      attack: ['T1003.001'],
      evidence: { path: 'Security.evtx', record: 4242, kind: 'evtx' },
      fields: { CommandLine: 'rundll32 C:\\Windows\\System32\\comsvcs.dll MiniDump 624 C:\\inetpub\\wwwroot\\aspnet_client\\lsass.dmp full', NewProcessName: 'C:\\Windows\\System32\\rundll32.exe' },
    }),
    f({
      time: '2021-03-03T02:20:00.000Z',
      level: 'high',
      rule: rule('a1b2c3d4-0005', 'Dump archived in the web root', ['attack.collection', 'attack.t1560.001']),
      attack: ['T1560.001'],
      evidence: { path: 'Security.evtx', record: 4250, kind: 'evtx' },
      fields: { CommandLine: 'makecab C:\\inetpub\\wwwroot\\aspnet_client\\lsass.dmp C:\\inetpub\\wwwroot\\aspnet_client\\lsass.dmp.zip' },
    }),
    f({
      time: '2021-03-05T11:00:00.000Z',
      level: 'medium',
      rule: rule('a1b2c3d4-0006', 'Exchange version probe by scanner', ['attack.reconnaissance', 'attack.t1595.002', 'cve.2021-26855']),
      cves: ['CVE-2021-26855'],
      attack: ['T1595.002'],
      evidence: { path: 'W3SVC1/u_ex210305.log', line: 7, kind: 'iis-w3c' },
      fields: { 'c-ip': SCANNER, 'cs-uri-stem': '/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application', 'cs-user-agent': 'Mozilla/5.0 zgrab/0.x' },
    }),
    f({
      engine: 'exposure',
      time: '2021-03-02T00:00:00.000Z',
      level: 'high',
      rule: { id: 'exposure-proxylogon', title: 'Vulnerable build during the ProxyLogon exploitation window', author: 'exhunt', source: 'builtin:exposure' },
      cves: ['CVE-2021-26855', 'CVE-2021-27065'],
      attack: ['T1190'],
      evidence: { path: 'Logging/HttpProxy/Ecp/HttpProxy_2021030301-1.LOG', line: 1, kind: 'exchange-httpproxy' },
      fields: { build: '15.1.2176.2' },
    }),
  );
  return out;
}

export function sampleSummary(findings: Finding[]): ScanSummary {
  const byLevel: Record<Level, number> = { informational: 0, low: 0, medium: 0, high: 0, critical: 0 };
  for (const x of findings) byLevel[x.level]++;
  return {
    tool: { name: 'exhunt', version: '0.1.0' },
    startedAt: '2026-11-26T10:00:00.000Z',
    finishedAt: '2026-11-26T10:00:04.500Z',
    inputs: ['/cases/ex01-triage'],
    options: { minLevel: 'medium', since: null, until: null },
    files: { total: 42, bytes: 12_345_678, byKind: { 'iis-w3c': { files: 10, bytes: 8_000_000 }, evtx: { files: 3, bytes: 4_000_000 } }, skipped: [{ path: 'x.bin', reason: 'unknown format' }] },
    events: { total: 51234, skipped: 0 },
    coverage: [
      { kind: 'iis-w3c:W3SVC1', files: 10, lines: 40000, bytes: 8_000_000, first: '2021-02-28T00:00:00Z', last: '2021-03-06T23:59:59Z' },
      { kind: 'exchange:httpproxy/Ecp', files: 4, lines: 10000, bytes: 300000, first: '2021-03-01T00:00:00Z', last: '2021-03-06T00:00:00Z' },
      { kind: 'evtx:Security', files: 1, lines: 1234, bytes: 4_000_000, first: '2021-03-02T00:00:00Z', last: '2021-03-06T00:00:00Z' },
    ],
    coverageWarnings: ['No MSExchange Management event log: cmdlets run through web shells cannot be checked.'],
    rules: { sigma: { loaded: 120, failed: 0, inactive: 3 }, yara: { loaded: 890, available: true }, iocs: { loaded: 3828 } },
    counts: { findings: findings.length, byLevel, byRule: [] },
    exposure: {
      builds: [
        { build: '15.1.2176.2', product: 'Exchange Server 2016', cu: 'CU19', su: null, first: '2021-02-28T00:00:00Z', last: '2021-03-04T10:00:00Z', sources: ['exchange log #Version'] },
        { build: '15.1.2176.9', product: 'Exchange Server 2016', cu: 'CU19', su: 'Mar21SU', first: '2021-03-04T12:00:00Z', last: '2021-03-06T23:00:00Z', sources: ['exchange log #Version'] },
      ],
      windows: [
        { cve: 'CVE-2021-26855', name: 'ProxyLogon', exploitedInWild: true, exploitationStart: '2021-01-03', from: '2021-02-28T00:00:00Z', to: '2021-03-04T12:00:00Z', fixedIn: '15.1.2176.9' },
        { cve: 'CVE-2021-34473', name: 'ProxyShell', exploitedInWild: true, exploitationStart: '2021-08-05', from: '2021-02-28T00:00:00Z', to: null, fixedIn: '15.1.2308.14' },
      ],
      mitigations: [],
      notes: [],
    },
    diagnostics: { total: 2, byCode: { LOG_BAD_LINE: 2 }, items: [{ code: 'LOG_BAD_LINE', severity: 'warning', message: 'line has 3 fields, header has 14', location: { path: 'W3SVC1/u_ex210304.log', line: 99 } }] },
  };
}

export function sampleTaken(): TakenSummary {
  return {
    attackerIps: [ATTACKER, SCANNER],
    attackerAgents: ['antSword/v2.1'],
    actors: [{ ip: ATTACKER, agent: 'python-requests/2.25.1', requests: 12, bytes: 1_500_000, first: '2021-03-03T01:10:00Z', last: '2021-03-03T03:00:00Z' }],
    mailboxes: [
      { ip: ATTACKER, agent: 'python-requests/2.25.1', target: 'ceo@corp.example', kind: 'mailbox', via: ['EWS'], operations: ['ExportItems'], requests: 10, bytes: 1_400_000, first: '2021-03-03T01:10:00Z', last: '2021-03-03T03:00:00Z', evidence: { path: 'Logging/HttpProxy/Ews/HttpProxy_2021030301-1.LOG', line: 5, kind: 'exchange-httpproxy' } },
    ],
    addressBooks: [
      { ip: ATTACKER, agent: 'python-requests/2.25.1', target: 'Offline Address Book', kind: 'address-book', via: ['OAB'], operations: [], requests: 2, bytes: 100_000, first: '2021-03-03T01:20:00Z', last: '2021-03-03T01:21:00Z', evidence: { path: 'Logging/HttpProxy/Oab/HttpProxy_2021030301-1.LOG', line: 3, kind: 'exchange-httpproxy' } },
    ],
    exports: [
      { kind: 'mailbox-export', command: 'New-MailboxExportRequest', mailbox: 'ceo@corp.example', filePath: '\\\\EX01\\c$\\inetpub\\wwwroot\\aspnet_client\\ceo.pst', detail: 'New-MailboxExportRequest -Mailbox ceo@corp.example -FilePath ...', time: '2021-03-03T02:40:00Z', host: 'EX01', evidence: { path: 'MSExchange Management.evtx', record: 77, kind: 'evtx' } },
    ],
    cannotShow: ['Web and proxy logs record requests, not content.'],
    mail: [
      { why: 'mailbox-rule', time: '2021-03-03T04:00:00Z', sender: 'ceo@corp.example', recipients: ['drop@mailbox.example.net'], subject: 'FW: board minutes', bytes: 88_000, event: 'MAILBOXRULE RECEIVE', client: null, originalClientIp: null, evidence: { path: 'TransportRoles/Logs/MessageTracking/MSGTRK2021030304-1.LOG', line: 9, kind: 'exchange-message-tracking' } },
    ],
    seen: { web: 40000, httpproxy: 10000, commands: 3, ews: 0, mapi: 0, cmdletLog: 0, messageTracking: 1 },
    dropped: { actors: 0, targets: 0, exports: 0, mail: 0 },
  };
}

/** Script and HTML payloads in every field a log can carry (user agent, URL, user name, file name, rule text). */
export const HOSTILE = `"><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;
export function hostileFindings(): Finding[] {
  const base = sampleFindings();
  const h = HOSTILE;
  base.push({
    engine: 'yara',
    time: '2021-03-03T02:30:00.000Z',
    level: 'critical',
    rule: { id: `hostile-${h}`, title: `=HYPERLINK("http://evil")${h}`, author: `@evil ${h}`, source: `x${h}`, tags: ['attack.t1505.003'], references: [`javascript:alert(1)//${h}`] },
    cves: ['CVE-2021-26855'],
    attack: ['T1505.003'],
    host: `EX01${h}`,
    evidence: { path: `C/inetpub/wwwroot/aspnet_client/${h}.aspx`, kind: 'file' },
    fields: { 'c-ip': ATTACKER, 'cs-user-agent': `+cmd|' /C calc'!A0${h}`, 'cs-uri-stem': `/aspnet_client/${h}.aspx`, 'cs-username': `-2+3${h}`, path: `C:\\inetpub\\${h}.aspx`, note: `\t\r\n@SUM(1)${h}` },
    message: `${h}<style>body{display:none}</style>`,
  });
  return base;
}
export function hostileTaken(): TakenSummary {
  const t = sampleTaken();
  t.mailboxes.push({ ...t.mailboxes[0]!, target: `${HOSTILE}@corp.example`, agent: HOSTILE });
  t.exports.push({ ...t.exports[0]!, mailbox: HOSTILE, filePath: HOSTILE, detail: HOSTILE });
  t.cannotShow.push(HOSTILE);
  return t;
}
