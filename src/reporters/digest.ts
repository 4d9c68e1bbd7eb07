// FindingsDigest: what the report, the ATT&CK layer and STIX need from the findings, kept bounded however many
// there are — exact counts, and capped samples (per rule: 50 rows shown, up to 1,000 findings for the story).
import type { Finding, Level, RuleRef } from '../finding.js';
import { LEVELS, levelRank } from '../finding.js';
import { attackCatalog, type AttackCatalog } from '../attack/index.js';
import { findingView, wantsSample, type FindingView } from '../engines/activity/index.js';
import { RemediationTally, VerdictTally } from '../engines/story/index.js';
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
  /** The first RULE_ROWS findings as report rows (a row keeps what the report shows, not the finding's fields). */
  rows: RuleRow[];
  /** Findings this rule gave to the story (level low and up, exposure aside), and the first of them kept. */
  storyCount: number;
  story: { seq: number; f: Finding }[];
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
  private seq = 0;
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
      r = { engine: f.engine, rule: f.rule, count: 0, firstLevel: f.level, top: f.level, techniques: new Set(), cves: new Set(), rows: [], storyCount: 0, story: [] };
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
      const cap = Math.min(this.caps.perRule, Math.max(RULE_ROWS, Math.floor(this.caps.total / this.storyRules)));
      // more busy rules: every sample keeps its earliest `cap`, so the total stays within STORY_TOTAL
      if (cap < this.storyCap) {
        this.storyCap = cap;
        for (const x of this.rules.values()) if (x.story.length > cap) x.story.length = cap;
      }
    }
    // One RuleRef per rule is shared by its sample (a finding read back from findings.jsonl brings its own copy).
    if (r.story.length < this.storyCap) r.story.push({ seq: this.seq++, f: f.sample(r.rule) });
  }

  /** The story's findings in output order (every one when no rule passed its cap). */
  storySample(): Finding[] {
    const all: { seq: number; f: Finding }[] = [];
    for (const r of this.rules.values()) for (const s of r.story) all.push(s);
    return all.sort((a, b) => a.seq - b.seq).map((s) => s.f);
  }

  /** The rules whose findings were too many for the story sample. */
  storyCapped(): CapNote[] {
    return [...this.rules.values()].filter((r) => r.storyCount > r.story.length).map((r) => ({ what: r.rule.title, kept: r.story.length, total: r.storyCount }));
  }
}
