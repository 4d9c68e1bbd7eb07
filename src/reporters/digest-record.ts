// A finding's digest record: what FindingsDigest reads of it, as short JSON made where the finding is (a worker),
// so the scan's final merge parses neither the finding nor its fields, except for the few rows a report shows.
import { threadId } from 'node:worker_threads';
import type { Finding, RuleRef } from '../finding.js';
import { findingHashes, findingIp, findingUrlHost, findingUrlStem, slimFacts, slimFromText, wantsHashes, wantsSample, wantsUrl, type FindingHashes, type FindingView } from '../engines/activity/index.js';
import type { TimelineLines } from './ordered-outputs.js';
import { findingLineParts, Pieces } from './finding-line.js';

/** What many findings share: their rule, engine, level, techniques, CVEs and kind of evidence. */
interface Shape extends Pick<Finding, 'engine' | 'level' | 'rule' | 'cves' | 'attack'> {
  kind: string;
}

/** The shapes a thread numbered since it last sent its table (ShapeTable.delta). */
export interface ShapeDelta {
  thread: number;
  from: number;
  shapes: Shape[];
}

/** [thread, shape number, time, host, evidence path, ip, hashes, URL stem, URL host]: the view's own values. */
type Head = [number, number, string | null, string | null, string, string | null, FindingHashes | null, string | null, string | null];

/**
 * This thread's numbered shapes. A shape keeps its rule as JSON gives it back (what a finding read from its
 * line would carry), so every thread and --workers value gives the digest equal rules.
 */
class ShapeTable {
  readonly shapes: Shape[] = [];
  private readonly ids = new Map<string, number>();
  private readonly ruleText = new WeakMap<RuleRef, string>();
  private readonly ruleNums = new Map<string, number>();
  private sent = 0;

  /** Shapes met per rule object, by the identity of the finding's technique and CVE lists (a rule's findings share them). */
  private readonly recent = new WeakMap<RuleRef, (Pick<Finding, 'engine' | 'level' | 'cves' | 'attack'> & { kind: string; id: number })[]>();

  id(f: Finding): number {
    const known = this.recent.get(f.rule);
    if (known) for (const k of known) if (k.attack === f.attack && k.cves === f.cves && k.level === f.level && k.engine === f.engine && k.kind === f.evidence.kind) return k.id;
    let text = this.ruleText.get(f.rule);
    if (text === undefined) this.ruleText.set(f.rule, (text = JSON.stringify(f.rule)));
    let rule = this.ruleNums.get(text);
    if (rule === undefined) this.ruleNums.set(text, (rule = this.ruleNums.size));
    const key = `${rule}\u0000${f.engine}\u0000${f.level}\u0000${f.evidence.kind}\u0000${JSON.stringify(f.attack)}\u0000${JSON.stringify(f.cves)}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.shapes.length;
      this.shapes.push({ engine: f.engine, level: f.level, rule: JSON.parse(text) as RuleRef, cves: [...f.cves], attack: [...f.attack], kind: f.evidence.kind });
      this.ids.set(key, id);
    }
    // Remembered by identity only for the lists as they are now: a finding with lists of its own (not shared) takes the path above.
    const list = known ?? [];
    if (!known) this.recent.set(f.rule, list);
    if (list.length < 8) list.push({ engine: f.engine, level: f.level, cves: f.cves, attack: f.attack, kind: f.evidence.kind, id });
    return id;
  }

  delta(): ShapeDelta {
    const d = { thread: threadId, from: this.sent, shapes: this.shapes.slice(this.sent) };
    this.sent = this.shapes.length;
    return d;
  }
}

const local = new ShapeTable();

/**
 * The digest record of a finding: its view's own values (Head) as JSON, a tab, its sample copy (slimText; 0
 * for a finding no story samples), and with `lines` a tab and its timeline lines (timelineParts). JSON has no tab
 * or line break; the record has none but its timeline lines' tab.
 */
export function digestRecord(f: Finding, lines: TimelineLines | null): string {
  const out = new Pieces();
  digestRecordParts(f, lines, out);
  return out.text();
}

/** digestRecord as pieces appended to `out` (a worker writes them into its record buffer as they are). */
export function digestRecordParts(f: Finding, lines: TimelineLines | null, out: Pieces): void {
  // The view's own values, as findingView gives them, without making the view.
  const url = wantsUrl(f);
  const head: Head = [threadId, local.id(f), f.time, f.host, f.evidence.path, findingIp(f), wantsHashes(f) ? findingHashes(f) : null, url ? findingUrlStem(f) : null, url ? findingUrlHost(f) : null];
  out.push(JSON.stringify(head), '\t');
  if (wantsSample(f)) {
    // slimText(f), in pieces: [the slim copy, ip, agent, user, file key, path]
    out.push('[');
    findingLineParts(f, out, true);
    for (const fact of slimFacts(f)) out.push(',', JSON.stringify(fact));
    out.push(']');
  } else out.push('0');
  if (lines) timelineParts(lines, out);
}

/**
 * A finding's timeline lines at the end of its digest record. As they are where they can be (no JSON escaping made
 * and undone per finding: a third of the lines' cost): the CSV row without its closing CRLF, a tab, and the
 * Timesketch line (nothing for none) — a CSV row is one physical line (safeCell) and starts with a quote, JSON has
 * no tab or line break, so the last tab splits them. Anything else (never made today) goes as a JSON pair.
 */
function timelineParts(lines: TimelineLines, out: Pieces): void {
  const { csv, sketch } = lines;
  const nl = csv.indexOf('\n');
  const raw =
    csv.charCodeAt(0) === QUOTE && nl === csv.length - 1 && csv.charCodeAt(nl - 1) === CR &&
    (sketch === null || (sketch !== '' && sketch.indexOf('\t') === -1 && sketch.indexOf('\n') === -1));
  if (raw) {
    out.push('\t', csv.slice(0, -2));
    out.push('\t', sketch ?? '');
  } else out.push('\t', JSON.stringify([csv, sketch]));
}
const QUOTE = 0x22;
const CR = 0x0d;
const BRACKET = 0x5b;

/** The shapes this thread numbered since it last sent them, for the thread that merges its records. */
export function shapeDelta(): ShapeDelta {
  return local.delta();
}

/** Where records are merged: every thread's shapes, and the records read back as views. */
export class ShapeBook {
  private readonly byThread = new Map<number, Shape[]>();

  learn(d: ShapeDelta): void {
    if (d.thread === threadId) return; // this thread's own table is read directly
    let shapes = this.byThread.get(d.thread);
    if (!shapes) this.byThread.set(d.thread, (shapes = []));
    for (let i = 0; i < d.shapes.length; i++) shapes[d.from + i] = d.shapes[i]!;
  }

  /** Every shape learnt and this thread's own, for another thread to read the same records with (learn each). */
  export(): ShapeDelta[] {
    return [{ thread: threadId, from: 0, shapes: local.shapes }, ...[...this.byThread].map(([thread, shapes]) => ({ thread, from: 0, shapes }))];
  }

  /** A record as the digest reads it; `whole` gives the finding itself (parsed from its line) when asked. Its timeline lines: lines(). */
  read(record: string, whole: () => Finding): FindingView {
    const a = record.indexOf('\t');
    const b = record.indexOf('\t', a + 1);
    const slim = b === -1 ? record.slice(a + 1) : record.slice(a + 1, b);
    // A copy of its own, for the digest keeps it: V8 makes `slim` a view into the whole record, which (with its
    // timeline lines) is KBs, and 50,000 kept samples held 210 MB of records in a range thread of a 404 MB scan.
    return this.view(JSON.parse(record.slice(0, a)) as Head, whole, () => JSON.parse(JSON.stringify(slim)) as string);
  }

  /**
   * read() from the record's bytes as a run file holds them: only its head is decoded, its sample copy when asked
   * for (a string of its own), and its timeline lines not at all (copyLines).
   */
  readBytes(record: Buffer, whole: () => Finding): FindingView {
    const a = record.indexOf(TAB);
    const b = record.indexOf(TAB, a + 1);
    return this.view(JSON.parse(record.toString('utf8', 0, a)) as Head, whole, () => record.toString('utf8', a + 1, b === -1 ? record.length : b));
  }

  private view([thread, id, time, host, path, ip, hashes, urlStem, urlHost]: Head, whole: () => Finding, slim: () => string): FindingView {
    const s = thread === threadId ? local.shapes[id] : this.byThread.get(thread)?.[id];
    if (s === undefined) throw new Error(`a digest record names shape ${id} of thread ${thread}, which was never sent`);
    const sampleText = (): string => {
      const text = slim();
      if (text === '0') throw new Error(`a ${s.level} ${s.engine} finding has no sample copy`);
      return text;
    };
    const sample = (rule: RuleRef): Finding => slimFromText(sampleText(), rule);
    return { engine: s.engine, time, level: s.level, rule: s.rule, cves: s.cves, attack: s.attack, host, evidence: { path, kind: s.kind }, ip, hashes, urlStem, urlHost, whole, sample, sampleText };
  }

  /** A record's timeline lines (null where the record was made without them). */
  lines(record: string): TimelineLines | null {
    const b = record.indexOf('\t', record.indexOf('\t') + 1);
    return b === -1 ? null : linesAt(record, b);
  }

  /**
   * A record's timeline lines added to the timelines' files — from its bytes (a run file's) as they are, from its
   * text decoded — the bytes OrderedOutputs.writeLines writes for lines(): false where the record has none.
   */
  copyLines(record: Buffer | string, csv: ByteSink | null, sketch: ByteSink | null): boolean {
    if (typeof record === 'string') return addLines(this.lines(record), csv, sketch);
    const b = record.indexOf(TAB, record.indexOf(TAB) + 1);
    if (b === -1) return false;
    if (record[b + 1] === BRACKET) return addLines(linesAt(record.toString('utf8', b), 0), csv, sketch);
    const last = record.lastIndexOf(TAB);
    csv?.add(record.subarray(b + 1, last));
    csv?.add(CRLF);
    if (last < record.length - 1 && sketch) {
      sketch.add(record.subarray(last + 1));
      sketch.add(NL);
    }
    return true;
  }
}

/** Decoded timeline lines added as writeLines writes them (false: there were none). */
function addLines(t: TimelineLines | null, csv: ByteSink | null, sketch: ByteSink | null): boolean {
  if (!t) return false;
  csv?.add(t.csv);
  if (t.sketch !== null) sketch?.add(t.sketch + '\n');
  return true;
}

/**
 * The bytes a run file's record puts in findings.jsonl, timeline.csv and timeline.jsonl, as the final merge's
 * ranges write them (its line and a newline; copyLines): its line is block[lineAt, lineEnd), its digest record
 * block[lineEnd + 1, end). What lets each range know where in the files its stretch begins (the runs' indexes).
 */
export function orderedBytes(block: Buffer, lineAt: number, lineEnd: number, end: number): [number, number, number] {
  const head = block.indexOf(TAB, lineEnd + 1);
  const b = head === -1 || head >= end ? -1 : block.indexOf(TAB, head + 1);
  const findings = lineEnd - lineAt + 1;
  if (b === -1 || b >= end) return [findings, 0, 0];
  if (block[b + 1] === BRACKET) {
    const t = linesAt(block.toString('utf8', b, end), 0);
    return [findings, Buffer.byteLength(t.csv), t.sketch === null ? 0 : Buffer.byteLength(t.sketch) + 1];
  }
  const last = block.lastIndexOf(TAB, end - 1);
  return [findings, last - b - 1 + 2, last === end - 1 ? 0 : end - last];
}

/** Where copyLines puts a timeline's bytes (BufferedFile). */
export interface ByteSink {
  add(x: Buffer | string): void;
}
const TAB = 0x09;
const CRLF = Buffer.from('\r\n');
const NL = Buffer.from('\n');

/** The timeline lines that follow the record's tab at `tab` (timelineParts). */
function linesAt(record: string, tab: number): TimelineLines {
  if (record.charCodeAt(tab + 1) === BRACKET) {
    const [csv, sketch] = JSON.parse(record.slice(tab + 1)) as [string, string | null];
    return { csv, sketch };
  }
  const last = record.lastIndexOf('\t');
  return { csv: record.slice(tab + 1, last) + '\r\n', sketch: last === record.length - 1 ? null : record.slice(last + 1) };
}
