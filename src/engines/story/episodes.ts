// The intrusion story: findings linked into episodes by source IP, file name (web shell, dump, archive) and
// user; episodes without an IP attached to the nearest one on the host by time; then each episode told as steps in time order with their tactic.
import type { EvidenceRef } from '../../event.js';
import type { Finding, Level } from '../../finding.js';
import { levelRank } from '../../finding.js';
import type { AttackCatalog } from '../../attack/index.js';
import { cmpStr, findingFileKey, findingIp, findingPath, findingUser } from '../activity/index.js';
import { phaseOf } from './phases.js';

export interface StoryEvidence {
  ref: EvidenceRef;
  time: string | null;
  message: string | null;
}
export interface StepRule {
  id: string;
  title: string;
  author: string | null;
  engine: string;
  level: Level;
  count: number;
}
export interface StoryStep {
  headline: string;
  tactic: string | null;
  tacticName: string | null;
  techniques: string[];
  cves: string[];
  /** The rules whose findings make up this step, most findings first (authors travel with them, DRL 1.1). */
  rules: StepRule[];
  level: Level;
  count: number;
  first: string | null;
  last: string | null;
  ips: string[];
  users: string[];
  paths: string[];
  /** Up to 3 citations (first occurrences). */
  evidence: StoryEvidence[];
}
export interface Episode {
  id: number;
  first: string | null;
  last: string | null;
  level: Level;
  ips: string[];
  users: string[];
  files: string[];
  hosts: string[];
  /** Tactics reached, in matrix order. */
  tactics: string[];
  steps: StoryStep[];
  /** One sentence: from where, when, and the chain of phases. */
  summary: string;
}

const ATTACH_WINDOW_MS = 72 * 3600 * 1000;
const MAX_LIST = 20;

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

function nearest(list: { t: number; i: number }[] | undefined, t: number): { gap: number; i: number } | null {
  if (!list || list.length === 0) return null;
  let lo = 0;
  let hi = list.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  let best: { gap: number; i: number } | null = null;
  for (const k of [lo - 1, lo]) {
    const c = list[k];
    if (c && (best === null || Math.abs(c.t - t) < best.gap)) best = { gap: Math.abs(c.t - t), i: c.i };
  }
  return best;
}

const ms = (t: string | null): number | null => (t === null ? null : Date.parse(t));
const pushCapped = (arr: string[], v: string | null): void => {
  if (v !== null && !arr.includes(v) && arr.length < MAX_LIST) arr.push(v);
};

/** Builds episodes from findings (exposure findings are context, not story). Deterministic for a given input. */
export function buildStory(all: readonly Finding[], catalog: AttackCatalog): Episode[] {
  const findings = all.filter((f) => f.engine !== 'exposure' && levelRank(f.level) >= levelRank('low'));
  const n = findings.length;
  const uf = new UnionFind(n);
  const owner = new Map<string, number>();
  findings.forEach((f, i) => {
    const keys = [findingIp(f), findingFileKey(f), findingUser(f)];
    const prefixes = ['ip:', 'file:', 'user:'];
    keys.forEach((k, j) => {
      if (k === null) return;
      const key = prefixes[j]! + k;
      const o = owner.get(key);
      if (o === undefined) owner.set(key, i);
      else uf.union(o, i);
    });
  });
  // Findings with no actor key (an LSASS dump in the event log) join the keyed episode nearest in time on the same host.
  // Episodes without a source IP (an LSASS dump in the event log, a file on disk) join the IP-bearing episode
  // nearest in time on the same host: on one server, what follows an intrusion within days is most likely its sequel.
  const hasIp = new Set<number>();
  findings.forEach((f, i) => {
    if (findingIp(f) !== null) hasIp.add(uf.find(i));
  });
  const anchors = new Map<string, { t: number; i: number }[]>();
  findings.forEach((f, i) => {
    const t = ms(f.time);
    if (!hasIp.has(uf.find(i)) || t === null || Number.isNaN(t)) return;
    const h = (f.host ?? '').toLowerCase();
    const list = anchors.get(h);
    if (list) list.push({ t, i });
    else anchors.set(h, [{ t, i }]);
  });
  for (const list of anchors.values()) list.sort((a, b) => a.t - b.t);
  const best = new Map<number, { gap: number; i: number }>();
  findings.forEach((f, i) => {
    const root = uf.find(i);
    if (hasIp.has(root)) return;
    const t = ms(f.time);
    if (t === null || Number.isNaN(t)) return;
    const h = (f.host ?? '').toLowerCase();
    const lists = h ? [anchors.get(h), anchors.get('')] : [...anchors.values()];
    for (const list of lists) {
      const c = nearest(list, t);
      const b = best.get(root);
      if (c && c.gap <= ATTACH_WINDOW_MS && (!b || c.gap < b.gap)) best.set(root, c);
    }
  });
  for (const [root, b] of best) uf.union(b.i, root);

  const groups = new Map<number, Finding[]>();
  findings.forEach((f, i) => {
    const r = uf.find(i);
    const g = groups.get(r);
    if (g) g.push(f);
    else groups.set(r, [f]);
  });

  const episodes: Episode[] = [];
  for (const members of groups.values()) episodes.push(toEpisode(members, catalog));
  episodes.sort((a, b) => levelRank(b.level) - levelRank(a.level) || b.tactics.length - a.tactics.length || cmpStr(a.first ?? '~', b.first ?? '~'));
  episodes.forEach((e, i) => (e.id = i + 1));
  return episodes;
}

function toEpisode(members: Finding[], catalog: AttackCatalog): Episode {
  const steps = new Map<string, StoryStep>();
  const ips: string[] = [];
  const users: string[] = [];
  const files: string[] = [];
  const hosts: string[] = [];
  let level: Level = 'informational';
  for (const f of [...members].sort((a, b) => cmpStr(a.time ?? '~', b.time ?? '~'))) {
    const phase = phaseOf(f, catalog);
    // one step per phase: several rules seeing the same thing (an SSRF in HttpProxy and in IIS) tell it once
    const key = `${phase.tactic ?? ''}\u0000${phase.headline}`;
    let s = steps.get(key);
    if (!s) {
      s = {
        headline: phase.headline,
        tactic: phase.tactic,
        tacticName: phase.tactic ? (catalog.tactic(phase.tactic)?.name ?? phase.tactic) : null,
        techniques: [],
        cves: [],
        rules: [],
        level: f.level,
        count: 0,
        first: f.time,
        last: f.time,
        ips: [],
        users: [],
        paths: [],
        evidence: [],
      };
      steps.set(key, s);
    }
    s.count++;
    if (levelRank(f.level) > levelRank(s.level)) s.level = f.level;
    let r = s.rules.find((x) => x.id === f.rule.id && x.engine === f.engine);
    const newRule = !r;
    if (!r) {
      r = { id: f.rule.id, title: f.rule.title, author: f.rule.author, engine: f.engine, level: f.level, count: 0 };
      s.rules.push(r);
    }
    r.count++;
    if (levelRank(f.level) > levelRank(r.level)) r.level = f.level;
    if (f.time !== null) {
      if (s.first === null || f.time < s.first) s.first = f.time;
      if (s.last === null || f.time > s.last) s.last = f.time;
    }
    for (const t of f.attack) pushCapped(s.techniques, catalog.resolve(t) ?? t);
    for (const c of f.cves) pushCapped(s.cves, c);
    const ip = findingIp(f);
    const user = findingUser(f);
    pushCapped(s.ips, ip);
    pushCapped(s.users, user);
    pushCapped(s.paths, findingPath(f));
    // the first citations, plus the first of every further rule (up to 6)
    const dup = s.evidence.some((e) => e.ref.path === f.evidence.path && e.ref.line === f.evidence.line && e.ref.record === f.evidence.record);
    if (!dup && (s.evidence.length < 3 || (newRule && s.evidence.length < 6))) s.evidence.push({ ref: f.evidence, time: f.time, message: f.message ?? null });
    pushCapped(ips, ip);
    pushCapped(users, user);
    pushCapped(files, findingFileKey(f));
    pushCapped(hosts, f.host);
    if (levelRank(f.level) > levelRank(level)) level = f.level;
  }
  for (const s of steps.values()) s.rules.sort((a, b) => b.count - a.count || levelRank(b.level) - levelRank(a.level));
  const ordered = [...steps.values()].sort(
    (a, b) => cmpStr(a.first ?? '~', b.first ?? '~') || (a.tactic ? catalog.tacticIndex(a.tactic) : 99) - (b.tactic ? catalog.tacticIndex(b.tactic) : 99),
  );
  const tactics = [...new Set(ordered.map((s) => s.tactic).filter((t): t is string => t !== null))].sort((a, b) => catalog.tacticIndex(a) - catalog.tacticIndex(b));
  const times = ordered.flatMap((s) => [s.first, s.last]).filter((t): t is string => t !== null).sort();
  const first = times[0] ?? null;
  const last = times[times.length - 1] ?? null;
  const chain: string[] = [];
  for (const s of ordered) if (!chain.includes(s.headline)) chain.push(s.headline);
  const from = ips.length ? `From ${ips.slice(0, 3).join(', ')}${ips.length > 3 ? ` and ${ips.length - 3} more` : ''}` : hosts.length ? `On ${hosts.slice(0, 2).join(', ')}` : 'Without a known source';
  const when = first ? (first.slice(0, 10) === last?.slice(0, 10) ? ` on ${first.slice(0, 10)}` : `, ${first.slice(0, 10)} to ${last!.slice(0, 10)}`) : '';
  const summary = `${from}${when}: ${chain.slice(0, 6).join(' → ')}${chain.length > 6 ? ` → … (${chain.length - 6} more)` : ''}.`;
  return { id: 0, first, last, level, ips, users, files, hosts, tactics, steps: ordered, summary };
}
