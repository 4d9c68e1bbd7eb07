// What a job found, handed over pre-serialised: the findings shown (at or above minLevel) as spill records sorted
// in the outputs' total order, and the few facts the main thread's bookkeeping needs — never Finding objects.
import { closeSync, openSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Finding, Level } from '../finding.js';
import { findingOrderKey, levelRank } from '../finding.js';
import { addAttackerIndicators, type AttackerIndicators } from '../engines/activity/index.js';
import { TraceTally, type TracePart } from '../engines/exposure/index.js';
import { attackCatalog, type AttackCatalog } from '../attack/index.js';
import { digestRecord, digestRecordParts, findingLineParts, orderedBytes, Pieces, shapeDelta, timelineLinePieces, timelineLines, type ShapeDelta } from '../reporters/index.js';
import { RunIndex } from '../spill/index.js';
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

/** The aux text of a finding's spill record (digestRecord, with its timeline lines when they were asked for), wherever the finding was made. */
export function findingAux(f: Finding, timelines: AttackCatalog | null): string {
  return digestRecord(f, timelines ? timelineLines(f, timelines) : null);
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
  /** The rule shapes this thread numbered since its last part (what the digest records name). */
  shapes: ShapeDelta;
}

/** Record bytes a job holds (outside the JS heap) before it writes a sorted run... */
export const JOB_RUN_BYTES = 16 << 20;
/** ...and below which its last records go inline instead of to a file. */
const INLINE_BYTES = 256 << 10;

/** A record in the job's buffer: its key, and where its bytes (encodeRecord's) and its line are. */
interface Rec {
  key: string;
  at: number;
  lineAt: number;
  lineEnd: number;
  end: number;
}
let seq = 0;
/**
 * Record buffers this thread's finished jobs gave back, for the next jobs: a job's buffer grows to several MB,
 * and a fresh one per job (allocated outside the heap, doubling as it grows) made V8 collect the old generation
 * far more often for the external memory it saw come and go. Jobs of a thread may overlap (async reads): each
 * takes its own buffer, so a free list rather than one buffer.
 */
const spare: Buffer[] = [];
const SPARE_MAX = 2;
const TAB = 0x09;
const NL = 0x0a;

/** One job's findings as they are made; part() ends it. */
export class JobFindings {
  private recs: Rec[] = [];
  /** The records' bytes as encodeRecord writes them, in the order they came (a run sorts an index of them). */
  private bytes = spare.pop() ?? Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private readonly runs: FoundPart['runs'] = [];
  private readonly rules = new Map<string, FiredRule>();
  /** The engine each RuleRef was last seen with (its fired-rule entry is made). */
  private readonly seen = new WeakMap<object, string>();
  private readonly traces = new TraceTally();
  private readonly ind: AttackerIndicators = { ips: new Set(), agents: new Set() };
  private readonly min: number;
  private readonly catalog: AttackCatalog | null;
  /** The pieces of the record being written (reused). */
  private readonly parts = new Pieces();

  constructor(private readonly ctx: FoundContext, private readonly maxBytes = JOB_RUN_BYTES) {
    this.min = levelRank(ctx.minLevel);
    this.catalog = ctx.timelines ? attackCatalog() : null;
  }

  add(f: Finding): void {
    f.host = chooseHost(this.ctx.hosts?.[f.evidence.path] ?? null, f.host);
    // A rule's findings share its RuleRef: its key is looked up once per rule object and engine.
    if (this.seen.get(f.rule) !== f.engine) {
      const key = `${f.engine}:${f.rule.id}`;
      if (!this.rules.has(key)) this.rules.set(key, { key, tags: f.rule.tags ?? f.attack.map((t) => `attack.${t.toLowerCase()}`), source: f.rule.source });
      this.seen.set(f.rule, f.engine);
    }
    this.traces.add(f);
    addAttackerIndicators(this.ind, f);
    if (levelRank(f.level) < this.min) return;
    const order = findingOrderKey(f);
    // The line and the aux as pieces, written into the buffer one by one: neither is ever one string in the heap.
    const parts = this.parts;
    parts.clear();
    findingLineParts(f, parts);
    const lineParts = parts.n;
    digestRecordParts(f, null, parts);
    if (this.catalog) timelineLinePieces(f, this.catalog, parts);
    this.write(order, parts, lineParts);
    if (this.used >= this.maxBytes && this.ctx.spillDir !== null) this.writeRun(this.ctx.spillDir);
  }

  /** Appends encodeRecord(key, line, aux) to the buffer: `parts` up to `lineParts` join to the line, the rest to the aux. */
  private write(key: string, parts: Pieces, lineParts: number): void {
    const k = JSON.stringify(key);
    const list = parts.list;
    let chars = k.length;
    for (let i = 0; i < parts.n; i++) chars += list[i]!.length;
    const need = 3 * chars + 3;
    if (this.used + need > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + need));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    const b = this.bytes;
    const at = this.used;
    let p = at + b.write(k, at, 'utf8');
    b[p++] = TAB;
    const lineAt = p;
    for (let i = 0; i < lineParts; i++) p += b.write(list[i]!, p, 'utf8');
    const lineEnd = p;
    b[p++] = TAB;
    for (let i = lineParts; i < parts.n; i++) p += b.write(list[i]!, p, 'utf8');
    b[p++] = NL;
    this.used = p;
    this.recs.push({ key, at, lineAt, lineEnd, end: p });
  }

  // Keys rarely tie (the same event, engine and rule): only then are the two lines decoded and compared, as the merge compares them.
  private readonly cmp = (a: Rec, b: Rec): number => {
    if (a.key !== b.key) return a.key < b.key ? -1 : 1;
    const x = this.bytes.toString('utf8', a.lineAt, a.lineEnd);
    const y = this.bytes.toString('utf8', b.lineAt, b.lineEnd);
    return x < y ? -1 : x > y ? 1 : 0;
  };

  /** Sorts what is held and writes it as one run file (a worker's memory stays bounded however much a job finds). */
  private writeRun(dir: string): void {
    this.recs.sort(this.cmp);
    const path = join(dir, `job-${threadId}-${seq++}.run`);
    const fd = openSync(path, 'w');
    // and its index: where each record starts, and what those before it put in the ordered outputs
    const index = new RunIndex(orderedBytes);
    try {
      const parts: Buffer[] = [];
      for (const r of this.recs) {
        parts.push(this.bytes.subarray(r.at, r.end));
        index.add(this.bytes, r.at, r.lineAt, r.lineEnd, r.end - 1);
        if (parts.length === 1024) writeAll(fd, parts.splice(0));
      }
      writeAll(fd, parts);
    } finally {
      closeSync(fd);
    }
    index.write(path);
    this.runs.push({ path, count: this.recs.length });
    this.recs = [];
    this.used = 0;
  }

  part(): FoundPart {
    let inline = '';
    if (this.recs.length > 0) {
      if (this.ctx.spillDir !== null && (this.used >= INLINE_BYTES || this.runs.length > 0)) this.writeRun(this.ctx.spillDir);
      else inline = this.bytes.toString('utf8', 0, this.used);
    }
    this.recs = [];
    this.used = 0;
    if (spare.length < SPARE_MAX && this.bytes.length <= 2 * this.maxBytes) spare.push(this.bytes);
    this.bytes = Buffer.alloc(0);
    return { runs: this.runs, inline, rules: [...this.rules.values()], traces: this.traces.part(), ips: [...this.ind.ips], agents: [...this.ind.agents], shapes: shapeDelta() };
  }
}

/** writev until every byte of `parts` is written (writev may write less than asked). */
function writeAll(fd: number, parts: Buffer[]): void {
  let left = parts;
  while (left.length > 0) {
    let n = writevSync(fd, left);
    let i = 0;
    while (i < left.length && n >= left[i]!.length) n -= left[i++]!.length;
    left = left.slice(i);
    if (n > 0) left[0] = left[0]!.subarray(n);
  }
}
