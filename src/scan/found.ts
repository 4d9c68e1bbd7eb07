// What a job found, handed over pre-serialised: the findings shown (at or above minLevel) as spill records sorted
// in the outputs' total order, and the few facts the main thread's bookkeeping needs — never Finding objects.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Finding, Level } from '../finding.js';
import { findingOrderKey, levelRank } from '../finding.js';
import { addAttackerIndicators, type AttackerIndicators, type FindingFacts } from '../engines/activity/index.js';
import { TraceTally, type TracePart } from '../engines/exposure/index.js';
import { attackCatalog, type AttackCatalog } from '../attack/index.js';
import { digestFacts, timelineLines } from '../reporters/index.js';
import { encodeRecord } from '../spill/index.js';
import { chooseHost } from '../evidence/index.js';

/** Where a job's findings go: the level shown, and the scan's spill folder (null: every record inline). */
export interface FoundContext {
  minLevel: Level;
  spillDir: string | null;
  /** Render each finding's timeline lines too (the caller writes timeline.csv and timeline.jsonl). */
  timelines: boolean;
  /** The collection's host per evidence path (collectionHosts' pathHosts), for findings whose event names none. */
  hosts?: Record<string, string>;
}

/** A record's aux text, parsed: the digest's facts (digestFacts), then the timeline lines when they were asked for. */
export type FindingAux = [details: string, finding: Finding, facts: FindingFacts, csv?: string, sketch?: string | null];

/** The aux text of a finding's spill record (JSON of FindingAux), wherever the finding was made. */
export function findingAux(f: Finding, timelines: AttackCatalog | null): string {
  const facts = digestFacts(f);
  if (!timelines) return JSON.stringify(facts);
  const t = timelineLines(f, timelines);
  return JSON.stringify([...facts, t.csv, t.sketch]);
}

/** A rule that fired in a job: its `engine:id` and what its ATT&CK tags are checked from. */
export interface FiredRule {
  key: string;
  tags: string[];
  source: string;
}

export interface FoundPart {
  /** Sorted run files in the spill folder (encodeRecord; key, then line) and how many findings each holds. */
  runs: { path: string; count: number }[];
  /** Records too few for a file of their own (any order). */
  inline: string;
  /** Every rule that fired (shown or not), in the order it first fired. */
  rules: FiredRule[];
  /** The findings tagged with a CVE, for the exposure windows (every level). */
  traces: TracePart;
  /** The attackers' addresses and agents the findings name (addAttackerIndicators), in first-seen order. */
  ips: string[];
  agents: string[];
}

/** Text a job holds before it writes a sorted run (about 2 bytes a character in the heap)... */
export const JOB_RUN_CHARS = 16 << 20;
/** ...and below which its last records go inline instead of to a file. */
const INLINE_CHARS = 256 << 10;

interface Rec {
  key: string;
  line: string;
  aux: string;
}
const cmp = (a: Rec, b: Rec): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.line < b.line ? -1 : a.line > b.line ? 1 : 0);
let seq = 0;

/** One job's findings as they are made; part() ends it. */
export class JobFindings {
  private recs: Rec[] = [];
  private chars = 0;
  private readonly runs: FoundPart['runs'] = [];
  private readonly rules = new Map<string, FiredRule>();
  private readonly traces = new TraceTally();
  private readonly ind: AttackerIndicators = { ips: new Set(), agents: new Set() };
  private readonly min: number;
  private readonly catalog: AttackCatalog | null;

  constructor(private readonly ctx: FoundContext, private readonly maxChars = JOB_RUN_CHARS) {
    this.min = levelRank(ctx.minLevel);
    this.catalog = ctx.timelines ? attackCatalog() : null;
  }

  add(f: Finding): void {
    f.host = chooseHost(this.ctx.hosts?.[f.evidence.path] ?? null, f.host);
    const key = `${f.engine}:${f.rule.id}`;
    if (!this.rules.has(key)) this.rules.set(key, { key, tags: f.rule.tags ?? f.attack.map((t) => `attack.${t.toLowerCase()}`), source: f.rule.source });
    this.traces.add(f);
    addAttackerIndicators(this.ind, f);
    if (levelRank(f.level) < this.min) return;
    const r: Rec = { key: findingOrderKey(f), line: JSON.stringify(f), aux: findingAux(f, this.catalog) };
    this.recs.push(r);
    this.chars += r.line.length + r.aux.length + r.key.length;
    if (this.chars >= this.maxChars && this.ctx.spillDir !== null) this.writeRun(this.ctx.spillDir);
  }

  /** Sorts what is held and writes it as one run file (a worker's memory stays bounded however much a job finds). */
  private writeRun(dir: string): void {
    this.recs.sort(cmp);
    const path = join(dir, `job-${threadId}-${seq++}.run`);
    writeFileSync(path, this.recs.map((r) => encodeRecord(r.key, r.line, r.aux)).join(''));
    this.runs.push({ path, count: this.recs.length });
    this.recs = [];
    this.chars = 0;
  }

  part(): FoundPart {
    let inline = '';
    if (this.recs.length > 0) {
      if (this.ctx.spillDir !== null && (this.chars >= INLINE_CHARS || this.runs.length > 0)) this.writeRun(this.ctx.spillDir);
      else inline = this.recs.map((r) => encodeRecord(r.key, r.line, r.aux)).join('');
    }
    this.recs = [];
    return { runs: this.runs, inline, rules: [...this.rules.values()], traces: this.traces.part(), ips: [...this.ind.ips], agents: [...this.ind.agents] };
  }
}
