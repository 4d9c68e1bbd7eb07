// FindingsDigest: what the report, the ATT&CK layer and STIX need from the findings, kept bounded however many
// there are — exact counts, and capped samples (per rule: 50 rows shown, up to 1,000 findings for the story).
import type { Finding, Level, RuleRef } from '../finding.js';
import { LEVELS, levelRank } from '../finding.js';
import { attackCatalog, type AttackCatalog } from '../attack/index.js';
import { findingView, slimFromText, wantsSample, type FindingView } from '../engines/activity/index.js';
import { RemediationTally, VerdictTally, type RemediationPart } from '../engines/story/index.js';
import { StixTally } from './stix.js';
import { detailsOf } from './timeline-rows.js';

const clipDetails = (s: string): string => (s.length > ROW_DETAILS ? s.slice(0, ROW_DETAILS - 1) + '…' : s);

/** Rows per rule in report.html's findings section (the rest are in findings.jsonl and the timelines)... */
export const RULE_ROWS = 50;
/** ...and in all: thousands of rules can fire on a big EVTX collection. */
export const ROWS_TOTAL = 20_000;
/** What a row shows of a finding's fields (report.html clips them to this). */
const ROW_DETAILS = 500;
/** The story is built from at most this many findings of each rule (the earliest)... */
export const STORY_PER_RULE = 1000;
/** ...and at most this many in all: with many busy rules, each keeps STORY_TOTAL / rules (at least 50). */
export const STORY_TOTAL = 50_000;
/** Source IPs counted one by one; findings from further IPs are counted together. */
export const MAX_IPS = 100_000;

export interface RuleDigest {
  engine: string;
  rule: RuleRef;
  count: number;
  /** The level of the rule's first finding (summary.json's byRule) and the highest one (the report). */
  firstLevel: Level;
  top: Level;
  techniques: Set<string>;
  cves: Set<string>;
  /** The first RULE_ROWS findings as report rows (a row keeps what the report shows, not the finding's fields)... */
  rows: RuleRow[];
  /** ...and where each is among the findings (0 for the first finding in output order). */
  rowAt: number[];
  /**
   * Findings this rule gave to the story (level low and up, exposure aside), and the first of them kept (seq: where
   * among the findings; text: its sample copy as slimText, a few hundred bytes where the copy itself is a KB or more).
   */
  storyCount: number;
  story: { seq: number; text: string }[];
}

/** One row of a rule's findings in report.html: where and when, the message, the fields as one clipped line. */
export interface RuleRow {
  time: string | null;
  host: string | null;
  evidence: Finding['evidence'];
  message: string | null;
  details: string;
}

export interface TechniqueTally {
  id: string;
  name: string;
  tactics: string[];
  count: number;
  level: Level;
  ruleCounts: Map<string, number>;
  first: string | null;
  last: string | null;
}

export interface IpTally {
  ip: string;
  count: number;
  level: Level;
  first: string | null;
  last: string | null;
}

/** A capped list, for the report to say so. */
export interface CapNote {
  what: string;
  kept: number;
  total: number;
}

const HOUR = 3600e3;
const minT = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a < b ? a : b);
const maxT = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);

/** A FindingsDigest as data (FindingsDigest.part): what crosses between threads. */
export interface DigestPart {
  count: number;
  first: string | null;
  last: string | null;
  byLevel: Record<Level, number>;
  rules: Map<string, RuleDigest>;
  techniques: Map<string, TechniqueTally>;
  unknownTechniques: Set<string>;
  ips: Map<string, IpTally>;
  ipsDropped: number;
  hosts: string[];
  activity: FindingsDigest['activity'];
  firstExploit: FindingsDigest['firstExploit'];
  firstPost: FindingsDigest['firstPost'];
  verdict: Pick<VerdictTally, 'post' | 'expl' | 'exposure'>;
  remediation: RemediationPart;
  stix: Pick<StixTally, 'sighted' | 'dropped'>;
}

export class FindingsDigest {
  readonly catalog: AttackCatalog;
  count = 0;
  /** The earliest and latest finding time. */
  first: string | null = null;
  last: string | null = null;
  readonly byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  /** By `engine:rule id`, in the order rules first appear. */
  readonly rules = new Map<string, RuleDigest>();
  readonly techniques = new Map<string, TechniqueTally>();
  readonly unknownTechniques = new Set<string>();
  readonly ips = new Map<string, IpTally>();
  /** Findings from IPs past MAX_IPS. */
  ipsDropped = 0;
  /** The first 4 hosts named by findings. */
  readonly hosts: string[] = [];
  /** Timed findings (exposure aside) per evidence kind per hour since the epoch, and the exact extremes. */
  readonly activity = { lo: Infinity, hi: -Infinity, byKind: new Map<string, Map<number, number>>() };
  firstExploit: { time: string; title: string } | null = null;
  firstPost: { time: string; title: string } | null = null;
  readonly verdict: VerdictTally;
  readonly remediation: RemediationTally;
  readonly stix: StixTally;
  private storyRules = 0;
  private storyCap: number;
  private rowCount = 0;
  private readonly caps: { perRule: number; total: number };

  /** `caps` are for tests (small caps, to see them announced). */
  constructor(catalog: AttackCatalog = attackCatalog(), caps: { perRule?: number; total?: number } = {}) {
    this.catalog = catalog;
    this.caps = { perRule: caps.perRule ?? STORY_PER_RULE, total: caps.total ?? STORY_TOTAL };
    this.storyCap = this.caps.perRule;
    this.verdict = new VerdictTally(catalog);
    this.remediation = new RemediationTally(catalog);
    this.stix = new StixTally(catalog);
  }

  static of(findings: Iterable<Finding>): FindingsDigest {
    const d = new FindingsDigest();
    for (const f of findings) d.add(f);
    return d;
  }

  /** Findings come in the order of the outputs (findingOrderKey): "first" below means first in that order. */
  add(f: Finding): void {
    this.addView(findingView(f));
  }

  /**
   * The same, from a finding's view (what a scan's spill records carry instead of the fields): the whole finding
   * is asked for only by the rules' first rows and the web-shell paths, its sample copy by the story.
   */
  addView(f: FindingView): void {
    this.count++;
    this.byLevel[f.level]++;
    this.first = minT(this.first, f.time);
    this.last = maxT(this.last, f.time);
    this.verdict.add(f);
    this.remediation.add(f);
    this.stix.add(f);
    const key = `${f.engine}:${f.rule.id}`;
    let r = this.rules.get(key);
    if (!r) {
      r = { engine: f.engine, rule: f.rule, count: 0, firstLevel: f.level, top: f.level, techniques: new Set(), cves: new Set(), rows: [], rowAt: [], storyCount: 0, story: [] };
      this.rules.set(key, r);
    }
    r.count++;
    if (levelRank(f.level) > levelRank(r.top)) r.top = f.level;
    for (const t of f.attack) r.techniques.add(t);
    for (const c of f.cves) r.cves.add(c);
    // Rows hold what the report shows, not the finding: an EVTX finding's fields are the whole event.
    if (r.rows.length < RULE_ROWS && this.rowCount < ROWS_TOTAL) {
      this.rowCount++;
      const w = f.whole();
      r.rows.push({ time: f.time, host: f.host, evidence: w.evidence, message: w.message === undefined ? null : w.message.slice(0, 400), details: clipDetails(detailsOf(w.fields)) });
      r.rowAt.push(this.count - 1);
    }
    if (f.host && this.hosts.length < 4 && !this.hosts.includes(f.host)) this.hosts.push(f.host);
    this.addTechniques(f);
    if (f.engine !== 'exposure') {
      this.addIp(f);
      this.addActivity(f);
      if (f.time) {
        if (!this.firstExploit && f.cves.length > 0) this.firstExploit = { time: f.time, title: f.rule.title };
        if (!this.firstPost && levelRank(f.level) >= levelRank('high') && f.attack.some((t) => t.startsWith('T1505') || t.startsWith('T1003'))) this.firstPost = { time: f.time, title: f.rule.title };
      }
      if (wantsSample(f)) this.addStory(r, f);
    }
  }

  private addTechniques(f: FindingView): void {
    for (const raw of new Set(f.attack)) {
      const id = this.catalog.resolve(raw);
      if (!id) {
        this.unknownTechniques.add(raw);
        continue;
      }
      let h = this.techniques.get(id);
      if (!h) {
        const t = this.catalog.technique(id)!;
        h = { id, name: t.name, tactics: t.tactics, count: 0, level: f.level, ruleCounts: new Map(), first: null, last: null };
        this.techniques.set(id, h);
      }
      h.count++;
      if (levelRank(f.level) > levelRank(h.level)) h.level = f.level;
      h.first = minT(h.first, f.time);
      h.last = maxT(h.last, f.time);
      h.ruleCounts.set(f.rule.title, (h.ruleCounts.get(f.rule.title) ?? 0) + 1);
    }
  }

  private addIp(f: FindingView): void {
    const ip = f.ip;
    if (!ip) return;
    let s = this.ips.get(ip);
    if (!s) {
      if (this.ips.size >= MAX_IPS) {
        this.ipsDropped++;
        return;
      }
      s = { ip, count: 0, level: f.level, first: null, last: null };
      this.ips.set(ip, s);
    }
    s.count++;
    if (levelRank(f.level) > levelRank(s.level)) s.level = f.level;
    s.first = minT(s.first, f.time);
    s.last = maxT(s.last, f.time);
  }

  private addActivity(f: FindingView): void {
    if (f.time === null) return;
    const ms = Date.parse(f.time);
    if (Number.isNaN(ms)) return;
    const a = this.activity;
    if (ms < a.lo) a.lo = ms;
    if (ms > a.hi) a.hi = ms;
    let hours = a.byKind.get(f.evidence.kind);
    if (!hours) a.byKind.set(f.evidence.kind, (hours = new Map()));
    const h = Math.floor(ms / HOUR);
    hours.set(h, (hours.get(h) ?? 0) + 1);
  }

  private addStory(r: RuleDigest, f: FindingView): void {
    if (r.storyCount++ === 0) {
      this.storyRules++;
      this.capStory();
    }
    if (r.story.length < this.storyCap) r.story.push({ seq: this.count - 1, text: f.sampleText() });
  }

  /** More busy rules: every sample keeps its earliest `cap`, so the total stays within STORY_TOTAL. */
  private capStory(): void {
    const cap = Math.min(this.caps.perRule, Math.max(RULE_ROWS, Math.floor(this.caps.total / this.storyRules)));
    if (cap < this.storyCap) {
      this.storyCap = cap;
      for (const x of this.rules.values()) if (x.story.length > cap) x.story.length = cap;
    }
  }

  /** This digest as data (structured-cloneable, without the catalog): what a thread that digested a range of the findings sends. */
  part(): DigestPart {
    const { catalog: _c, verdict, remediation, stix, ...own } = this;
    return { ...own, verdict: { post: verdict.post, expl: verdict.expl, exposure: verdict.exposure }, remediation: remediation.part(), stix: { sighted: stix.sighted, dropped: stix.dropped } } as unknown as DigestPart;
  }

  /**
   * The digest of consecutive ranges of the findings in output order, from each range's own digest (part()), made
   * with the same caps: equal to the digest of all of them made in one go — or null where it might not be (a
   * range's capped list of IPs, indicators or report rows could hold other entries than the whole's would).
   */
  static merge(catalog: AttackCatalog, parts: readonly DigestPart[], caps: { perRule?: number; total?: number } = {}): FindingsDigest | null {
    const d = new FindingsDigest(catalog, caps);
    for (const p of parts) if (!d.join(p)) return null;
    return d;
  }

  /** Joins the digest of the findings that come next (merge(), one range at a time); false where the result may not be exact. */
  join(p: DigestPart): boolean {
    if (this.ipsDropped > 0 || p.ipsDropped > 0) return false;
    const offset = this.count;
    this.count += p.count;
    for (const l of LEVELS) this.byLevel[l] += p.byLevel[l];
    this.first = minT(this.first, p.first);
    this.last = maxT(this.last, p.last);
    this.verdict.absorb(p.verdict);
    this.remediation.absorb(p.remediation);
    if (!this.stix.absorb(p.stix)) return false;
    // Report rows: the whole's first RULE_ROWS per rule and ROWS_TOTAL in all, taken in output order. Exact: a
    // range that reached ROWS_TOTAL itself fills the whole's total too (the rows of its that the whole refuses
    // belong to rules already holding as many rows from earlier ranges), so no row it left out is missed.
    const rows: { at: number; r: RuleDigest; row: RuleRow }[] = [];
    for (const [key, o] of p.rules) {
      let r = this.rules.get(key);
      if (!r) {
        r = { ...o, count: 0, techniques: new Set(), cves: new Set(), rows: [], rowAt: [], storyCount: 0, story: [] };
        this.rules.set(key, r);
      }
      r.count += o.count;
      if (levelRank(o.top) > levelRank(r.top)) r.top = o.top;
      for (const t of o.techniques) r.techniques.add(t);
      for (const c of o.cves) r.cves.add(c);
      o.rows.forEach((row, i) => rows.push({ at: o.rowAt[i]! + offset, r: r, row }));
      if (o.storyCount > 0 && r.storyCount === 0) this.storyRules++;
      r.storyCount += o.storyCount;
      for (const s of o.story) r.story.push({ seq: s.seq + offset, text: s.text });
    }
    rows.sort((a, b) => a.at - b.at);
    for (const { at, r, row } of rows) {
      if (r.rows.length >= RULE_ROWS || this.rowCount >= ROWS_TOTAL) continue;
      this.rowCount++;
      r.rows.push(row);
      r.rowAt.push(at);
    }
    this.capStory();
    for (const r of this.rules.values()) if (r.story.length > this.storyCap) r.story.length = this.storyCap;
    for (const h of p.hosts) if (this.hosts.length < 4 && !this.hosts.includes(h)) this.hosts.push(h);
    for (const [id, o] of p.techniques) {
      const h = this.techniques.get(id);
      if (!h) {
        this.techniques.set(id, { ...o, ruleCounts: new Map(o.ruleCounts) });
        continue;
      }
      h.count += o.count;
      if (levelRank(o.level) > levelRank(h.level)) h.level = o.level;
      h.first = minT(h.first, o.first);
      h.last = maxT(h.last, o.last);
      for (const [t, n] of o.ruleCounts) h.ruleCounts.set(t, (h.ruleCounts.get(t) ?? 0) + n);
    }
    for (const t of p.unknownTechniques) this.unknownTechniques.add(t);
    for (const [ip, o] of p.ips) {
      const s = this.ips.get(ip);
      if (!s) {
        if (this.ips.size >= MAX_IPS) return false;
        this.ips.set(ip, { ...o });
        continue;
      }
      s.count += o.count;
      if (levelRank(o.level) > levelRank(s.level)) s.level = o.level;
      s.first = minT(s.first, o.first);
      s.last = maxT(s.last, o.last);
    }
    const a = this.activity;
    a.lo = Math.min(a.lo, p.activity.lo);
    a.hi = Math.max(a.hi, p.activity.hi);
    for (const [kind, hours] of p.activity.byKind) {
      let mine = a.byKind.get(kind);
      if (!mine) a.byKind.set(kind, (mine = new Map()));
      for (const [h, n] of hours) mine.set(h, (mine.get(h) ?? 0) + n);
    }
    this.firstExploit ??= p.firstExploit;
    this.firstPost ??= p.firstPost;
    return true;
  }

  /** The story's findings in output order (every one when no rule passed its cap). */
  storySample(): Finding[] {
    const all: { seq: number; text: string; rule: RuleRef }[] = [];
    for (const r of this.rules.values()) for (const s of r.story) all.push({ ...s, rule: r.rule });
    // one RuleRef per rule is shared by its samples (a finding read back from findings.jsonl brings its own copy)
    return all.sort((a, b) => a.seq - b.seq).map((s) => slimFromText(s.text, s.rule));
  }

  /** The rules whose findings were too many for the story sample. */
  storyCapped(): CapNote[] {
    return [...this.rules.values()].filter((r) => r.storyCount > r.story.length).map((r) => ({ what: r.rule.title, kept: r.story.length, total: r.storyCount }));
  }
}
