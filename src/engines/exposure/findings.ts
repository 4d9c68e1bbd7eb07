// Exposure windows -> findings: one per exploited (or traced) CVE group, one summary finding for the rest.
// Level: high when traces of the CVE fall inside its window, medium when exposed while exploited in the wild, low otherwise.
import type { EvidenceRef } from '../../event.js';
import type { Finding, Level, RuleRef } from '../../finding.js';
import type { ExposureSummary, ExposureWindow } from '../../summary.js';

const SOURCE = 'builtin:rules/data/exchange-builds.json';
const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '?');

function inWindow(t: string | null, w: ExposureWindow): boolean {
  if (t === null) return false;
  const ms = Date.parse(t);
  return !Number.isNaN(ms) && (w.from === null || ms >= Date.parse(w.from)) && (w.to === null || ms < Date.parse(w.to));
}

export function exposureFindings(summary: ExposureSummary, otherFindings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  // Traces: other engines' findings tagged with the CVE, by CVE.
  const traces = new Map<string, Finding[]>();
  for (const f of otherFindings) {
    if (f.engine === 'exposure') continue;
    for (const c of f.cves) {
      let l = traces.get(c);
      if (!l) traces.set(c, (l = []));
      l.push(f);
    }
  }
  const firstBuild = (w: ExposureWindow) => summary.builds.find((b) => b.build === w.builds?.[0]) ?? summary.builds[0];
  const groups = new Map<string, { windows: ExposureWindow[]; hits: Finding[] }>();
  const rest: ExposureWindow[] = [];
  for (const w of summary.windows) {
    const hits = (traces.get(w.cve) ?? []).filter((f) => inWindow(f.time, w));
    if (!w.exploitedInWild && hits.length === 0) {
      rest.push(w);
      continue;
    }
    const key = `${w.name ?? w.cve}|${w.from}|${w.to}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { windows: [], hits: [] }));
    g.windows.push(w);
    for (const h of hits) if (!g.hits.includes(h)) g.hits.push(h);
  }
  for (const { windows, hits } of groups.values()) {
    const w = windows[0]!;
    const cves = windows.map((x) => x.cve);
    const b = firstBuild(w);
    const level: Level = hits.length > 0 ? 'high' : w.exploitedInWild ? 'medium' : 'low';
    const what = `${w.name ? `${w.name} (${cves.join(', ')})` : cves.join(', ')}`;
    const ran = (w.builds ?? []).join(', ') || b?.build || 'a vulnerable build';
    const hitDays = [...new Set(hits.map((h) => day(h.time)))].sort();
    let message = `server ran ${ran}${b?.cu ? ` (${b.product} ${b.cu}${b.su ? ` ${b.su}` : ''})` : ''}, vulnerable to ${what} from ${day(w.from)} until ${w.to ? `${day(w.to)} (when ${w.fixedIn} ran)` : `the end of the evidence (first fix: ${w.fixedIn ?? 'a later CU'})`}`;
    if (w.exploitedInWild) message += `; exploited in the wild since ${w.exploitationStart ?? 'an unknown date'}`;
    if (hitDays.length) message += `; exploitation traces found on ${hitDays.slice(0, 5).join(', ')}${hitDays.length > 5 ? ` and ${hitDays.length - 5} more days` : ''}`;
    if (w.mitigations?.length) message += `; mitigation seen: ${w.mitigations.join('; ')}`;
    out.push(finding(w, cves, level, `Exchange build vulnerable to ${w.name ?? cves.join(', ')}`, message, b?.evidence, b?.host ?? null, {
      builds: w.builds ?? [],
      from: w.from,
      to: w.to,
      fixedIn: w.fixedIn,
      exploitationStart: w.exploitationStart,
      traces: hits.slice(0, 20).map((h) => ({ rule: h.rule.title, time: h.time, path: h.evidence.path })),
      mitigations: w.mitigations ?? [],
    }));
  }
  if (rest.length > 0) {
    const w = rest[0]!;
    const b = firstBuild(w);
    const cves = rest.map((x) => x.cve).filter((c) => c.startsWith('CVE-'));
    const builds = [...new Set(rest.flatMap((x) => x.builds ?? []))];
    out.push(finding({ ...w, name: 'missing security updates' }, cves, 'low', 'Exchange build lacks security updates', `server ran ${builds.join(', ') || b?.build || '?'}, open to ${cves.length} further CVEs not known to be exploited in the wild (no traces of them found)`, b?.evidence, b?.host ?? null, { builds, cves }));
  }
  return out;
}

function finding(
  w: ExposureWindow,
  cves: string[],
  level: Level,
  title: string,
  message: string,
  evidence: EvidenceRef | undefined,
  host: string | null,
  fields: Record<string, unknown>,
): Finding {
  const rule: RuleRef = {
    id: `exhunt-exposure-${(w.name ?? w.cve).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    title,
    author: 'exhunt',
    source: SOURCE,
    tags: ['attack.initial-access', 'attack.t1190', ...cves.filter((c) => c.startsWith('CVE-')).map((c) => `cve.${c.slice(4).toLowerCase()}`)],
  };
  return {
    engine: 'exposure',
    time: w.from,
    level,
    rule,
    cves: cves.filter((c) => c.startsWith('CVE-')),
    attack: ['T1190'],
    host,
    evidence: evidence ?? { path: '(build catalogue)', kind: 'exposure' },
    fields,
    message,
  };
}
