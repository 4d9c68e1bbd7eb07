// Exposure windows -> findings: one per exploited (or traced) CVE group, one summary finding for the rest.
// Level: high when traces of the CVE fall inside its window, medium when exposed while exploited in the wild, low otherwise.
import type { EvidenceRef } from '../../event.js';
import type { Finding, Level, RuleRef } from '../../finding.js';
import { findingOrderKey } from '../../finding.js';
import type { ExposureSummary, ExposureWindow } from '../../summary.js';

const SOURCE = 'builtin:rules/data/exchange-builds.json';
const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '?');

function inWindow(t: string | null, w: ExposureWindow): boolean {
  if (t === null) return false;
  const ms = Date.parse(t);
  return !Number.isNaN(ms) && (w.from === null || ms >= Date.parse(w.from)) && (w.to === null || ms < Date.parse(w.to));
}

export interface Trace {
  key: string;
  rule: string;
  time: string | null;
  path: string;
}
interface CveTraces {
  /** Every trace while there are at most TRACE_SAMPLE, then the earliest TRACE_SAMPLE (findingOrderKey). */
  sample: Trace[];
  total: number;
  /** Per day: the earliest and latest time, for the days with traces past the sample. */
  days: Map<string, { min: string; max: string }>;
}
/** Traces kept per CVE; past it the windows' days come from per-day extremes. */
export const TRACE_SAMPLE = 1000;

/**
 * Other engines' findings tagged with a CVE, by CVE, bounded: what exposureFindings needs to see whether a
 * window holds traces of its CVE (the windows are known only once every build was seen).
 */
/** A TraceTally as plain data (a worker's, for the main thread's tally): by CVE, in first-seen order. */
export type TracePart = [cve: string, sample: Trace[], total: number, days: [day: string, min: string, max: string][]][];

export class TraceTally {
  private readonly byCve = new Map<string, CveTraces>();
  part(): TracePart {
    return [...this.byCve].map(([cve, e]) => [cve, earliest(e.sample), e.total, [...e.days].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([d, x]) => [d, x.min, x.max] as [string, string, string])]);
  }
  /** Folds in another tally's part: the sample stays the earliest TRACE_SAMPLE of both, counts and days add up. */
  merge(part: TracePart): void {
    for (const [cve, sample, total, days] of part) {
      let e = this.byCve.get(cve);
      if (!e) this.byCve.set(cve, (e = { sample: [], total: 0, days: new Map() }));
      e.total += total;
      e.sample.push(...sample);
      if (e.sample.length >= 2 * TRACE_SAMPLE) e.sample = earliest(e.sample);
      for (const [d, min, max] of days) {
        const x = e.days.get(d);
        if (!x) e.days.set(d, { min, max });
        else {
          if (min < x.min) x.min = min;
          if (max > x.max) x.max = max;
        }
      }
    }
  }
  add(f: Finding): void {
    if (f.engine === 'exposure' || f.cves.length === 0) return;
    const t: Trace = { key: findingOrderKey(f), rule: f.rule.title, time: f.time, path: f.evidence.path };
    for (const c of f.cves) {
      let e = this.byCve.get(c);
      if (!e) this.byCve.set(c, (e = { sample: [], total: 0, days: new Map() }));
      e.total++;
      e.sample.push(t);
      if (e.sample.length >= 2 * TRACE_SAMPLE) e.sample = earliest(e.sample);
      if (f.time !== null) {
        const d = e.days.get(day(f.time));
        if (!d) e.days.set(day(f.time), { min: f.time, max: f.time });
        else {
          if (f.time < d.min) d.min = f.time;
          if (f.time > d.max) d.max = f.time;
        }
      }
    }
  }
  /** The traces of `cve` inside `w` (at most `limit`, earliest first) and the days they fall on. */
  hits(cve: string, w: ExposureWindow, limit = 20): { traces: Trace[]; days: string[] } {
    const e = this.byCve.get(cve);
    if (!e) return { traces: [], days: [] };
    e.sample = earliest(e.sample);
    const traces = e.sample.filter((t) => inWindow(t.time, w));
    // every trace is in the sample: exact; else a day counts when its earliest or latest trace is in the window
    const days = e.total <= e.sample.length ? traces.map((t) => day(t.time)) : [...e.days].filter(([, d]) => inWindow(d.min, w) || inWindow(d.max, w)).map(([k]) => k);
    return { traces: traces.slice(0, limit), days: [...new Set(days)].sort() };
  }
}
function earliest(ts: Trace[]): Trace[] {
  return ts.sort((a, b) => cmpKey(a, b)).slice(0, TRACE_SAMPLE);
}
const cmpKey = (a: Trace, b: Trace): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);

export function exposureFindings(summary: ExposureSummary, input: TraceTally | readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  let traces: TraceTally;
  if (input instanceof TraceTally) traces = input;
  else {
    traces = new TraceTally();
    for (const f of input) traces.add(f);
  }
  const firstBuild = (w: ExposureWindow) => summary.builds.find((b) => b.build === w.builds?.[0]) ?? summary.builds[0];
  const groups = new Map<string, { windows: ExposureWindow[]; hits: Map<string, Trace>; days: Set<string> }>();
  const rest: ExposureWindow[] = [];
  for (const w of summary.windows) {
    const hits = traces.hits(w.cve, w);
    if (!w.exploitedInWild && hits.days.length === 0 && hits.traces.length === 0) {
      rest.push(w);
      continue;
    }
    const key = `${w.name ?? w.cve}|${w.from}|${w.to}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { windows: [], hits: new Map(), days: new Set() }));
    g.windows.push(w);
    for (const h of hits.traces) g.hits.set(`${h.key}\u0000${h.rule}`, h);
    for (const d of hits.days) g.days.add(d);
  }
  for (const { windows, hits: hitMap, days } of groups.values()) {
    const hits = [...hitMap.values()].sort(cmpKey);
    const w = windows[0]!;
    const cves = windows.map((x) => x.cve);
    const b = firstBuild(w);
    const level: Level = hits.length > 0 || days.size > 0 ? 'high' : w.exploitedInWild ? 'medium' : 'low';
    const what = `${w.name ? `${w.name} (${cves.join(', ')})` : cves.join(', ')}`;
    const ran = (w.builds ?? []).join(', ') || b?.build || 'a vulnerable build';
    const hitDays = [...days].sort();
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
      traces: hits.slice(0, 20).map((h) => ({ rule: h.rule, time: h.time, path: h.path })),
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
