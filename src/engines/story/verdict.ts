// The verdict at the top of the report: compromised / exploitation attempted / exposed / no evidence,
// each with the reasons (the findings or exposure windows behind it) a responder can check.
import type { Finding } from '../../finding.js';
import { levelRank } from '../../finding.js';
import type { ScanSummary } from '../../summary.js';
import type { AttackCatalog } from '../../attack/index.js';
import { cmpStr } from '../activity/index.js';

export type VerdictKind = 'compromised' | 'exploitation-attempted' | 'exposed' | 'no-evidence';
export interface Verdict {
  kind: VerdictKind;
  headline: string;
  reasons: string[];
}

const HEADLINES: Record<VerdictKind, string> = {
  compromised: 'Compromised: the evidence shows the attacker acted on the server after getting in',
  'exploitation-attempted': 'Exploitation attempted: exploit traffic reached the server; no post-exploitation was found',
  exposed: 'Exposed: the server ran vulnerable builds while the flaws were exploited in the wild; no exploitation was found',
  'no-evidence': 'No evidence of compromise in what was read',
};

const FILE_ENGINES = new Set(['yara', 'ioc', 'file']);
const PRE_EXPLOIT = new Set(['reconnaissance', 'resource-development', 'initial-access']);

/** What the verdict reads of a finding (a Finding, or the digest's view of one). */
type Tallied = Pick<Finding, 'engine' | 'level' | 'attack' | 'cves' | 'rule' | 'time'>;

function isPostExploitation(f: Tallied, catalog: AttackCatalog): boolean {
  if (f.engine === 'exposure' || levelRank(f.level) < levelRank('high')) return false;
  if (FILE_ENGINES.has(f.engine)) return true;
  return f.attack.some((t) => {
    const tech = catalog.technique(catalog.resolve(t) ?? t);
    return tech !== undefined && tech.tactics.some((s) => !PRE_EXPLOIT.has(s));
  });
}
function isExploitation(f: Tallied, catalog: AttackCatalog): boolean {
  if (f.engine === 'exposure' || levelRank(f.level) < levelRank('medium')) return false;
  // a probe (reconnaissance only, e.g. a version scan tagged with the CVE it looks for) is not an exploitation attempt
  const techs = f.attack.map((t) => catalog.technique(catalog.resolve(t) ?? t)).filter((t) => t !== undefined);
  if (techs.length > 0 && techs.every((t) => t.tactics.every((s) => s === 'reconnaissance'))) return false;
  return f.cves.length > 0 || f.attack.some((t) => (catalog.resolve(t) ?? t) === 'T1190');
}

interface RuleLine {
  title: string;
  count: number;
  first: string | null;
  level: string;
}

/**
 * What the verdict needs from the findings, kept as exact per-rule counts (bounded by the rules that fired):
 * post-exploitation, exploitation and exposure findings by rule id, in the order their rules first appear.
 */
export class VerdictTally {
  readonly post = new Map<string, RuleLine>();
  readonly expl = new Map<string, RuleLine>();
  readonly exposure = new Map<string, RuleLine>();
  constructor(private readonly catalog: AttackCatalog) {}
  static of(findings: readonly Finding[], catalog: AttackCatalog): VerdictTally {
    const t = new VerdictTally(catalog);
    for (const f of findings) t.add(f);
    return t;
  }
  /** Adds a tally of the findings that come after this one's (so the result is that of one tally of both). */
  absorb(p: Pick<VerdictTally, 'post' | 'expl' | 'exposure'>): void {
    for (const k of ['post', 'expl', 'exposure'] as const) {
      const into = this[k];
      for (const [id, r] of p[k]) {
        const x = into.get(id);
        if (!x) into.set(id, { ...r });
        else {
          x.count += r.count;
          if (r.first && (!x.first || r.first < x.first)) x.first = r.first;
        }
      }
    }
  }
  add(f: Tallied): void {
    if (isPostExploitation(f, this.catalog)) tally(this.post, f);
    if (isExploitation(f, this.catalog)) tally(this.expl, f);
    if (f.engine === 'exposure' && levelRank(f.level) >= levelRank('medium')) tally(this.exposure, f);
  }
}

function tally(byRule: Map<string, RuleLine>, f: Tallied): void {
  const r = byRule.get(f.rule.id);
  if (r) {
    r.count++;
    if (f.time && (!r.first || f.time < r.first)) r.first = f.time;
  } else byRule.set(f.rule.id, { title: f.rule.title, count: 1, first: f.time, level: f.level });
}

function describe(byRule: Map<string, RuleLine>, limit = 6): string[] {
  return [...byRule.values()]
    .sort((a, b) => cmpStr(a.first ?? '~', b.first ?? '~'))
    .slice(0, limit)
    .map((r) => `${r.title} — ${r.count} finding${r.count === 1 ? '' : 's'} (${r.level})${r.first ? `, first ${r.first.replace('T', ' ').slice(0, 19)} UTC` : ''}`);
}

export function decideVerdict(input: VerdictTally | readonly Finding[], summary: ScanSummary | null, catalog: AttackCatalog): Verdict {
  const t = input instanceof VerdictTally ? input : VerdictTally.of(input, catalog);
  const post = t.post;
  const expl = t.expl;
  const windows = (summary?.exposure?.windows ?? []).filter((w) => w.exploitedInWild && w.from !== null);
  const exposureFindings = t.exposure;
  // one line per (name, window, fix): ProxyLogon's four CVEs share theirs
  const grouped = new Map<string, { cves: string[]; w: (typeof windows)[number] }>();
  for (const w of windows) {
    const key = `${w.name ?? ''}|${w.from}|${w.to}|${w.fixedIn}`;
    const g = grouped.get(key);
    if (g) g.cves.push(w.cve);
    else grouped.set(key, { cves: [w.cve], w });
  }
  const exposureReasons = [...grouped.values()]
    .slice(0, 6)
    .map(({ cves, w }) => `Vulnerable to ${cves.join(', ')}${w.name ? ` (${w.name})` : ''} from ${w.from!.slice(0, 10)} ${w.to ? `until ${w.to.slice(0, 10)}` : 'to the end of the evidence (still open)'}${w.fixedIn ? `; fixed in ${w.fixedIn}` : ''}`);
  if (exposureReasons.length === 0) exposureReasons.push(...describe(exposureFindings, 4));

  let kind: VerdictKind;
  const reasons: string[] = [];
  if (post.size > 0) {
    kind = 'compromised';
    reasons.push(...describe(post, 5));
    if (expl.size > 0) reasons.push(...describe(expl, 3).map((r) => `Exploitation: ${r}`));
  } else if (expl.size > 0) {
    kind = 'exploitation-attempted';
    reasons.push(...describe(expl));
  } else if (windows.length > 0 || exposureFindings.size > 0) {
    kind = 'exposed';
    reasons.push(...exposureReasons);
  } else {
    kind = 'no-evidence';
    reasons.push(`No finding at or above ${summary?.options.minLevel ?? 'the minimum'} level pointed at exploitation or post-exploitation activity.`);
  }
  if (kind !== 'exposed' && windows.length > 0) {
    reasons.push(...exposureReasons.slice(0, 3).map((r) => `Exposure: ${r}`));
    if (grouped.size > 3) reasons.push(`Exposure: ${grouped.size - 3} more windows for vulnerabilities exploited in the wild (see "Exposure and build timeline").`);
  }
  if (kind === 'no-evidence' || kind === 'exposed') {
    for (const w of summary?.coverageWarnings ?? []) reasons.push(`Blind spot: ${w}`);
    reasons.push('Absence of evidence is limited to the logs and files read; see "Log coverage and blind spots".');
  }
  return { kind, headline: HEADLINES[kind], reasons };
}
