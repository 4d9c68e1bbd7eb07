// The fleet model from the store's answers: per host (verdict, build and exposure windows, first/last malicious
// activity, coverage), the indicators on more than one server, the campaign per day and ATT&CK across the fleet.
import type { DiagnosticSink } from '../../diagnostics.js';
import type { AttackCatalog } from '../../attack/index.js';
import { defaultCatalogue } from '../../engines/exposure/index.js';
import type { ScanSummary } from '../../summary.js';
import { compareHosts, countVerdicts, hostDirs, type FleetCoverage, type FleetCve, type FleetHost, type FleetModel, type FleetVerdict, type SharedIndicator } from '../../reporters/index.js';
import { version } from '../../version.js';
import type { StoreClient } from './client.js';
import { evidenceRows, exploitDayRows, hostFindingRows, MAX_SHARED, scanRows, sharedIndicatorRows, techniqueRows, type FleetScope, type ScanRow } from './fleet-queries.js';

const SCAN_SEVERITY = ['compromised', 'exploitation-attempted', 'exposed', 'no-evidence'];
const iso = (unix: number): string | null => (unix > 0 ? new Date(unix * 1000).toISOString() : null);
const day = (days: number): string => new Date(days * 86400e3).toISOString().slice(0, 10);
// Where exploitation of Exchange shows: the IIS and HttpProxy logs. Without either, "no evidence" means nothing.
const WEB_LOG = /^(?:iis-w3c|exchange:httpproxy)/i;

/** What the host's rebuilt report said, when the reports were built (episodes, and its verdict from the findings). */
export interface HostReportFacts {
  episodes: number;
  verdict: string;
}

function worse(a: string, b: string): string {
  const ia = SCAN_SEVERITY.indexOf(a);
  const ib = SCAN_SEVERITY.indexOf(b);
  if (ia < 0) return b;
  if (ib < 0) return a;
  return ia <= ib ? a : b;
}

export function parseSummary(row: ScanRow, sink?: DiagnosticSink): ScanSummary | null {
  try {
    const s = JSON.parse(row.summary) as ScanSummary;
    if (s && typeof s === 'object' && s.tool && s.counts) return s;
  } catch {
    // reported below
  }
  sink?.({ code: 'REPORT_BAD_INPUT', severity: 'warning', message: `the stored summary of collection ${JSON.stringify(row.collection)} is not a scan summary`, location: { path: `store:scans/${row.host}` } });
  return null;
}

function exposureOf(summaries: readonly ScanSummary[]): FleetCve[] {
  const seen = new Map<string, FleetCve>();
  for (const s of summaries)
    for (const w of s.exposure?.windows ?? []) {
      if (!w.exploitedInWild || typeof w.cve !== 'string') continue;
      const key = `${w.cve}|${w.from}|${w.to}`;
      if (!seen.has(key)) seen.set(key, { cve: w.cve, name: w.name ?? null, from: w.from ?? null, to: w.to ?? null });
    }
  return [...seen.values()].sort((a, b) => (a.from ?? '') < (b.from ?? '') ? -1 : (a.from ?? '') > (b.from ?? '') ? 1 : a.cve < b.cve ? -1 : 1);
}

function coverageOf(summaries: readonly ScanSummary[], files: number, events: number): FleetCoverage {
  const kinds = summaries.flatMap((s) => (Array.isArray(s.coverage) ? s.coverage : [])).map((k) => ({ kind: String(k.kind), files: Number(k.files) || 0, lines: Number(k.lines) || 0, first: k.first ?? null, last: k.last ?? null }));
  const firsts = kinds.map((k) => k.first).filter((t): t is string => !!t).sort();
  const lasts = kinds.map((k) => k.last).filter((t): t is string => !!t).sort();
  return { kinds, webLogs: kinds.some((k) => WEB_LOG.test(k.kind)), first: firsts[0] ?? null, last: lasts[lasts.length - 1] ?? null, evidenceFiles: files, events };
}

function fleetVerdict(scanVerdict: string, coverage: FleetCoverage): FleetVerdict {
  if (scanVerdict === 'compromised' || scanVerdict === 'exploitation-attempted') return scanVerdict;
  if (!coverage.webLogs) return 'blind';
  return scanVerdict === 'exposed' ? 'exposed' : 'no-evidence';
}

export async function buildFleetModel(
  c: StoreClient,
  scope: FleetScope,
  catalog: AttackCatalog,
  reports: ReadonlyMap<string, HostReportFacts> | null,
  sink?: DiagnosticSink,
): Promise<FleetModel> {
  const [scans, stats, evidence, shared, exploit, techs] = await Promise.all([
    scanRows(c, scope), hostFindingRows(c, scope), evidenceRows(c, scope), sharedIndicatorRows(c, scope), exploitDayRows(c, scope), techniqueRows(c, scope),
  ]);
  const names = [...new Set([...scans.map((r) => r.host), ...stats.map((r) => r.host)])].sort();
  const dirs = hostDirs(names);
  const statOf = new Map(stats.map((r) => [r.host, r]));
  const evOf = new Map(evidence.map((r) => [r.host, r]));
  const scansOf = new Map<string, ScanRow[]>();
  for (const r of scans) scansOf.set(r.host, [...(scansOf.get(r.host) ?? []), r]);

  const hosts: FleetHost[] = names.map((host) => {
    const rows = scansOf.get(host) ?? [];
    const summaries = rows.map((r) => parseSummary(r, sink)).filter((s): s is ScanSummary => s !== null);
    const report = reports?.get(host);
    const scanVerdict = [...rows.map((r) => r.verdict), report?.verdict ?? ''].reduce(worse, '');
    const newest = [...rows].sort((a, b) => b.finished_at - a.finished_at)[0];
    const st = statOf.get(host);
    const ev = evOf.get(host);
    const coverage = coverageOf(summaries, ev?.files ?? 0, ev?.events ?? 0);
    return {
      host,
      dir: dirs.get(host)!,
      verdict: fleetVerdict(scanVerdict, coverage),
      scanVerdict: scanVerdict || 'unknown',
      build: newest?.build || null,
      openCves: exposureOf(summaries),
      firstMalicious: iso(st?.first ?? 0),
      lastMalicious: iso(st?.last ?? 0),
      episodes: report?.episodes ?? null,
      findings: st?.findings ?? 0,
      malicious: st?.malicious ?? 0,
      collections: rows.length,
      coverage,
    };
  });
  hosts.sort(compareHosts);

  const sharedIndicators: SharedIndicator[] = shared.slice(0, MAX_SHARED).map((r) => {
    const perHost = r.hosts.map((host, i) => ({ host, findings: r.findings[i]!, first: iso(r.firsts[i]!), last: iso(r.lasts[i]!) })).sort((a, b) => ((a.first ?? '~') < (b.first ?? '~') ? -1 : 1));
    const firsts = perHost.map((p) => p.first).filter((t): t is string => t !== null).sort();
    const lasts = perHost.map((p) => p.last).filter((t): t is string => t !== null).sort();
    return { type: r.type, value: r.value, hosts: perHost.map((p) => p.host), findings: perHost.reduce((n, p) => n + p.findings, 0), first: firsts[0] ?? null, last: lasts[lasts.length - 1] ?? null, perHost };
  });

  const fellByDay = new Map<string, number>();
  for (const h of hosts) if (h.firstMalicious) fellByDay.set(h.firstMalicious.slice(0, 10), (fellByDay.get(h.firstMalicious.slice(0, 10)) ?? 0) + 1);
  // a finding naming CVEs of one family (ProxyLogon's chain) counts once for that family
  const cveNames = defaultCatalogue().file.cves;
  const families = new Set<string>();
  const byDay = new Map<string, Record<string, number>>();
  for (const r of exploit) {
    const d = day(r.day);
    const fams = new Set(r.cves.split(',').filter(Boolean).map((cve) => cveNames[cve]?.name ?? cve));
    const rec = byDay.get(d) ?? {};
    for (const f of fams) {
      families.add(f);
      rec[f] = (rec[f] ?? 0) + r.n;
    }
    byDay.set(d, rec);
  }

  // techniques as the catalogue names them (revoked and renamed IDs resolved), servers counted once per technique
  const techHosts = new Map<string, { hosts: Set<string>; n: number }>();
  const unknown = new Set<string>();
  for (const r of techs) {
    const id = catalog.resolve(r.id);
    if (id === null || !catalog.technique(id)) {
      unknown.add(r.id);
      continue;
    }
    const t = techHosts.get(id) ?? { hosts: new Set<string>(), n: 0 };
    for (const h of r.hosts) t.hosts.add(h);
    t.n += r.n;
    techHosts.set(id, t);
  }
  const techniques = [...techHosts].map(([id, t]) => {
    const tech = catalog.technique(id)!;
    return { id, name: tech.name, tactics: tech.tactics, hosts: t.hosts.size, findings: t.n };
  }).sort((a, b) => b.hosts - a.hosts || (a.id < b.id ? -1 : 1));

  return {
    tool: { name: 'exhunt', version },
    generatedAt: new Date().toISOString(),
    store: c.info.where,
    scope: { hosts: [...scope.hosts], since: scope.since, until: scope.until },
    counts: countVerdicts(hosts),
    hosts,
    sharedIndicators,
    sharedIndicatorsCapped: shared.length > MAX_SHARED,
    campaign: {
      fell: [...fellByDay].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, count]) => ({ day: d, count })),
      exploitation: [...byDay].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, byFamily]) => ({ day: d, byFamily })),
      families: [...families].sort(),
    },
    techniques,
    unknownTechniques: [...unknown].sort(),
  };
}
