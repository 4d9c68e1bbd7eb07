// Generated fleets for the fleet tests: two servers compromised by one operator (same attacker IP and web-shell
// name, two days apart), one exposed but clean, one without web logs, and a server whose name is hostile.
import type { Finding } from '../../src/finding.js';
import type { ScanSummary } from '../../src/summary.js';
import { buildModel } from '../../src/reporters/index.js';
import type { StoredCollection } from '../../src/stores/clickhouse/fleet-testkit.js';
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
