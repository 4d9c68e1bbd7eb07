// Generated fleets for the fleet tests: two servers compromised by one operator (same attacker IP and web-shell
// name, two days apart), one exposed but clean, one without web logs, and a server whose name is hostile.
import type { Finding } from '../../src/finding.js';
import type { ScanSummary } from '../../src/summary.js';
import { buildModel } from '../../src/reporters/index.js';
import type { StoredCollection } from '../../src/stores/clickhouse/testkit.js';
import { ATTACKER, HOSTILE, sampleFindings, sampleSummary } from '../../src/engines/story/testdata/sample-scan.js';

export { ATTACKER, HOSTILE };
export const SHELL = 'shell.aspx';
const DAY = 86400e3;

function shift(t: string | null, ms: number): string | null {
  return t === null ? null : new Date(Date.parse(t) + ms).toISOString();
}

/** The sample intrusion on `host`, `days` later, the web shell's bytes differing (`hashChar`). */
function intrusion(host: string, days: number, hashChar: string): Finding[] {
  return sampleFindings().map((f) => ({
    ...f,
    host,
    time: shift(f.time, days * DAY),
    fields: typeof f.fields['sha256'] === 'string' ? { ...f.fields, sha256: hashChar.repeat(64) } : f.fields,
  }));
}

function collection(host: string, findings: Finding[], patch: Partial<ScanSummary> = {}, days = 0): StoredCollection {
  const base = sampleSummary(findings);
  const summary: ScanSummary = {
    ...base,
    startedAt: shift(base.startedAt, days * DAY)!,
    finishedAt: shift(base.finishedAt, days * DAY)!,
    inputs: [`/cases/${host}`],
    ...patch,
  };
  return { host, collection: `${host}-triage`, findings, summary, verdict: buildModel(findings, summary, null).verdict.kind };
}

export function fleetCollections(): StoredCollection[] {
  const exposure = sampleFindings().filter((f) => f.engine === 'exposure').map((f) => ({ ...f, host: 'EX03' }));
  const blindCoverage = [{ kind: 'evtx:Security', files: 1, lines: 900, bytes: 1_000_000, first: '2021-03-01T00:00:00Z', last: '2021-03-06T00:00:00Z' }];
  return [
    collection('EX02', intrusion('EX02', 2, 'c'), {}, 2),
    collection('EX01', intrusion('EX01', 0, 'a')),
    collection('EX03', exposure),
    collection('EX04', [], { coverage: blindCoverage, exposure: null }),
  ];
}

/** A compromised server whose name and values carry script and HTML, sharing the operator's IP. */
export function hostileCollection(): StoredCollection {
  const host = `../../${HOSTILE}\u0000\uff0e\uff0e\uff0f`;
  const findings = intrusion(host, 1, 'd').map((f) => ({ ...f, message: HOSTILE, rule: { ...f.rule, title: `${f.rule.title} ${HOSTILE}` } }));
  return collection(host, findings, { inputs: [HOSTILE] }, 1);
}

/** Server i of a synthetic fleet: 10% compromised by one of 20 operators, 20% attacked, the rest exposed, clean or blind. */
export function syntheticServer(i: number): StoredCollection {
  const host = `EXCH${String(i).padStart(4, '0')}.corp${i % 7}.example`;
  const days = Math.floor(i / 10) % 30;
  const operator = `203.0.113.${i % 20}`;
  const all = sampleFindings().map((f): Finding => ({
    ...f,
    host,
    time: shift(f.time, days * DAY + (i % 24) * 3600e3),
    fields: { ...f.fields, ...(f.fields['c-ip'] === ATTACKER ? { 'c-ip': operator } : {}), ...(f.fields['ClientIpAddress'] ? { ClientIpAddress: operator } : {}) },
  }));
  const kind = i % 10;
  const findings = kind === 0 ? all : kind <= 2 ? all.filter((f) => f.rule.id.endsWith('0001') || f.engine === 'exposure') : kind <= 6 ? all.filter((f) => f.engine === 'exposure') : [];
  // everyday noise: informational findings of ordinary clients, on every server
  for (let n = 0; n < 20; n++)
    findings.push({ engine: 'sigma', time: shift('2021-03-01T08:00:00Z', n * 3600e3 + days * DAY), level: 'informational', rule: { id: 'noise', title: 'OWA logon', author: 'exhunt', source: 'builtin:noise' }, cves: [], attack: [], host, evidence: { path: 'W3SVC1/u_ex210301.log', line: n + 1, kind: 'iis-w3c' }, fields: { 'c-ip': `198.51.100.${n}`, 'cs-uri-stem': '/owa/auth/logon.aspx' } });
  const base = sampleSummary(findings);
  // 7 and 8: patched (no exposure window); 9: no web logs
  const summary = kind === 9 ? { ...base, coverage: base.coverage.filter((c) => c.kind.startsWith('evtx')) } : kind >= 7 ? { ...base, exposure: null } : base;
  return { host, collection: `${host}-triage`, findings, summary, verdict: buildModel(findings, summary, null).verdict.kind };
}
