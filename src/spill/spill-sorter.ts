// Sorting more items than memory should hold (external sort): items are kept as text records in sorted runs of
// at most `runSize` items (or `runBytes` of text) in a private temp folder, then merged k-way in one pass.
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

export interface SpillOptions<T> {
  /** The order: items compare by key, then by their serialised line (so the order is total). */
  key: (item: T) => string;
  /** One line of text (no '\n' or tab inside; JSON.stringify gives that). */
  serialize: (item: T) => string;
  parse: (line: string) => T;
  /** A second text carried with each item (no line break; tabs are allowed, it is a record's last field; not part of the order): e.g. what a digest reads. */
  aux?: (item: T) => string;
  /** Items per sorted run (default 5,000). */
  runSize?: number;
  /** Text per sorted run (default 16 MB of UTF-16 code units). */
  runBytes?: number;
  /** Runs merged at once; more are merged in passes first (default 256 open files, a 64 KiB block each). */
  fanIn?: number;
  /** Where the temp folder is made (default os.tmpdir()). */
  tmpParent?: string;
  /** What each record puts in the caller's outputs: every run written gets its index (RunIndex). */
  measure?: RecordMeasure;
}

export interface Sorted<T> {
  /** The item (parsed from its line when it was spilled: read it only where it is needed). */
  readonly item: T;
  /** The item serialised, exactly as it sorted. */
  readonly line: string;
  /** Its `aux` text ('' without one). */
  readonly aux: string;
}

/**
 * One item: its key, and its line and aux text — as strings, or (read back from a run file) as the bytes of the
 * block they were read in, decoded only when read: a merge that nobody asks for lines (or aux) decodes none, and
 * a block is a buffer outside the JS heap, not a string that lives until its last record is merged.
 */
class Entry<T> {
  item: T | undefined = undefined;
  constructor(
    readonly key: string,
    private text: string | undefined,
    private auxText: string | undefined,
    /** The block, where the record starts, its line's first byte and end (the aux follows the tab), the record's end. */
    private readonly block: Buffer | null = null,
    private readonly at = 0,
    private readonly lineAt = 0,
    private readonly lineEnd = 0,
    private readonly end = 0,
  ) {}
  get line(): string {
    return (this.text ??= this.block!.toString('utf8', this.lineAt, this.lineEnd));
  }
  get aux(): string {
    return (this.auxText ??= this.block!.toString('utf8', this.lineEnd + 1, this.end));
  }
  /** The line as its bytes where it was read from a run file (no decoding), else as its text. */
  lineBytes(): Buffer | string {
    return this.block === null || this.text !== undefined ? this.line : this.block.subarray(this.lineAt, this.lineEnd);
  }
  /** The aux the same way: its bytes where it was read from a run file, else its text. */
  auxBytes(): Buffer | string {
    return this.block === null || this.auxText !== undefined ? this.aux : this.block.subarray(this.lineEnd + 1, this.end);
  }
  /** Characters held in memory (what a run's size is counted in). */
  get chars(): number {
    return this.line.length + this.aux.length;
  }
  /** The record as encodeRecord writes it, newline included (bytes as read, for a merge pass). */
  encoded(): string | Buffer {
    if (this.block === null || this.block[this.end] !== NL) return encodeRecord(this.key, this.line, this.aux);
    return this.block.subarray(this.at, this.end + 1);
  }
}

const NL = 0x0a;
const TAB = 0x09;

/**
 * One item in a run file: its key (as a JSON string: a key may hold any character), its line, its aux text,
 * tab-separated (JSON escapes tabs and line breaks), one per line. Whoever writes runs for adoptRun uses this.
 */
export function encodeRecord(key: string, line: string, aux = ''): string {
  return `${JSON.stringify(key)}\t${line}\t${aux}\n`;
}
function decodeRecord<T>(rec: string): Entry<T> {
  const i = rec.indexOf('\t');
  const j = rec.indexOf('\t', i + 1);
  return new Entry<T>(JSON.parse(rec.slice(0, i)) as string, rec.slice(i + 1, j), rec.slice(j + 1));
}
/** The record in block[at, end) (end: its newline, or the end of the data): only its key is decoded now. */
function recordAt<T>(block: Buffer, at: number, end: number): Entry<T> {
  const i = block.indexOf(TAB, at);
  const j = i === -1 || i >= end ? -1 : block.indexOf(TAB, i + 1);
  if (j === -1 || j >= end) return decodeRecord<T>(block.toString('utf8', at, end)); // not ours: fails as before
  return new Entry<T>(JSON.parse(block.toString('utf8', at, i)) as string, undefined, undefined, block, at, i + 1, j, end);
}

class SortedEntry<T> implements Sorted<T> {
  constructor(private readonly e: Entry<T>, private readonly parse: (line: string) => T) {}
  get item(): T {
    return (this.e.item ??= this.parse(this.e.line));
  }
  get line(): string {
    return this.e.line;
  }
  get aux(): string {
    return this.e.aux;
  }
}

// Keys rarely tie (the same event, engine and rule): only then are the two lines decoded and compared.
const cmp = (a: { key: string; line: string }, b: { key: string; line: string }): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.line < b.line ? -1 : a.line > b.line ? 1 : 0;

const BLOCK = 64 * 1024;
const SLICE_BLOCK = 16 * 1024;

/**
 * Reads a run file record by record, in blocks (synchronously: one block per run is all the merge holds). Each
 * block is a fresh buffer, so the records already handed out keep theirs; a record cut at a block's end starts
 * the next one.
 */
class RunReader<T> {
  /** The open file; null for a slice told not to hold it, which opens its file for each read. */
  private readonly fd: number | null;
  private block: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  private eof = false;
  /** Where the next read starts in the file; it reads up to `stop` (a slice of the file: whole records). */
  private at: number;
  private readonly stop: number;
  constructor(private readonly path: string, slice: { start: number; end: number } | null = null, private readonly blockSize = BLOCK, hold = true) {
    this.fd = hold ? openSync(path, 'r') : null;
    this.at = slice?.start ?? 0;
    this.stop = slice?.end ?? Infinity;
  }
  private read(b: Buffer, at: number, length: number): number {
    if (this.fd !== null) return readSync(this.fd, b, at, length, this.at);
    const fd = openSync(this.path, 'r');
    try {
      return readSync(fd, b, at, length, this.at);
    } finally {
      closeSync(fd);
    }
  }
  next(): Entry<T> | null {
    for (;;) {
      const nl = this.pos < this.end ? this.block.indexOf(NL, this.pos) : -1;
      if (nl !== -1 && nl < this.end) {
        const at = this.pos;
        this.pos = nl + 1;
        if (nl === at) continue; // an empty line
        return recordAt<T>(this.block, at, nl);
      }
      if (this.eof) {
        if (this.pos >= this.end) return null;
        const at = this.pos;
        this.pos = this.end;
        return recordAt<T>(this.block, at, this.end); // the last record, without its newline
      }
      const left = this.end - this.pos;
      const size = Math.max(this.blockSize, 2 * left);
      const b = Buffer.allocUnsafe(size);
      this.block.copy(b, 0, this.pos, this.end);
      const n = this.read(b, left, Math.min(size - left, this.stop - this.at));
      this.at += n;
      this.block = b;
      this.pos = 0;
      this.end = left + n;
      if (n === 0) this.eof = true;
    }
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
  }
}

export class SpillSorter<T> {
  private readonly o: Required<Omit<SpillOptions<T>, 'tmpParent' | 'aux' | 'measure'>> & { tmpParent: string | undefined; aux: ((item: T) => string) | undefined; measure: RecordMeasure | undefined };
  private buffer: Entry<T>[] = [];
  private bufferChars = 0;
  private runs: string[] = [];
  private dir: string | null = null;
  private count = 0;
  private drained = false;
  /** Merge passes drain() ran (past the fan-in). */
  drainPasses = 0;

  constructor(opts: SpillOptions<T>) {
    this.o = { runSize: 5000, runBytes: 16 * 1024 * 1024, fanIn: 256, ...opts, tmpParent: opts.tmpParent, aux: opts.aux, measure: opts.measure };
  }

  /** Items added so far. */
  get size(): number {
    return this.count;
  }
  /** Sorted runs written to disk so far (0 while everything fits in one run). */
  get spilledRuns(): number {
    return this.runs.length;
  }
  /** The temp folder, once something was spilled (tests check it is gone afterwards). */
  get tempDir(): string | null {
    return this.dir;
  }

  add(item: T): void {
    const line = this.o.serialize(item);
    const e = new Entry<T>(this.o.key(item), line, this.o.aux?.(item) ?? '');
    e.item = item;
    this.push(e);
  }

  /** Items already serialised elsewhere, as encodeRecord text (any order; e.g. a worker's few findings). */
  addRecords(text: string): void {
    let at = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; at = nl + 1, nl = text.indexOf('\n', at)) this.push(decodeRecord<T>(text.slice(at, nl)));
  }

  /**
   * A run file of `count` items that someone else wrote in sorted order (encodeRecord, sorted by key then line)
   * inside tempDirFor(): merged with the rest as it is, and removed with the folder.
   */
  adoptRun(path: string, count: number): void {
    if (this.drained) throw new Error('SpillSorter: add after drain');
    this.runs.push(path);
    this.count += count;
  }

  /** The temp folder (made now if need be), where adoptRun's files are written. */
  tempDirFor(): string {
    return (this.dir ??= makeTempDir('exhunt-spill-', this.o.tmpParent));
  }

  private push(e: Entry<T>): void {
    if (this.drained) throw new Error('SpillSorter: add after drain');
    this.buffer.push(e);
    this.bufferChars += e.chars;
    this.count++;
    if (this.buffer.length >= this.o.runSize || this.bufferChars >= this.o.runBytes) this.spill();
  }

  private spill(): void {
    const dir = this.tempDirFor();
    this.buffer.sort(cmp);
    const path = join(dir, `run-${this.runs.length}.jsonl`);
    const text = Buffer.from(this.buffer.map((e) => encodeRecord(e.key, e.line, e.aux)).join(''));
    writeFileSync(path, text);
    if (this.o.measure) {
      const index = new RunIndex(this.o.measure);
      for (let at = 0, nl = text.indexOf(NL); nl !== -1; at = nl + 1, nl = text.indexOf(NL, at)) {
        const i = text.indexOf(TAB, at);
        index.add(text, at, i + 1, text.indexOf(TAB, i + 1), nl);
      }
      index.write(path);
    }
    this.runs.push(path);
    this.buffer = [];
    this.bufferChars = 0;
  }

  /** Every item in order, once; the temp folder is removed when the loop ends, normally or not. */
  *drain(): Generator<Sorted<T>> {
    if (this.drained) throw new Error('SpillSorter: drained twice');
    this.drained = true;
    try {
      if (this.runs.length === 0) {
        this.buffer.sort(cmp);
        const b = this.buffer;
        this.buffer = [];
        for (const e of b) yield new SortedEntry(e, this.o.parse);
        return;
      }
      // what is still in memory is merged from memory, as one more sorted source (not written out first)
      const held = this.buffer.sort(cmp);
      this.buffer = [];
      const sources = held.length > 0 ? 1 : 0;
      // passes until one merge can hold every run open at once
      while (this.runs.length + sources > this.o.fanIn) {
        const group = this.runs.splice(0, this.o.fanIn);
        const path = join(this.dir!, `merged-${this.drainPasses++}.jsonl`);
        mergeRunFiles(group, path);
        this.runs.push(path);
      }
      for (const e of mergeRuns<T>(this.runs, held)) yield new SortedEntry(e, this.o.parse);
    } finally {
      this.dispose();
    }
  }

  /**
   * Every item written to run files (what is still in memory as one more), for a merge by ranges (planRanges,
   * whatever the fan-in) in place of drain(); drain still works after it.
   */
  sealedRuns(): string[] {
    if (this.buffer.length > 0) this.spill();
    return [...this.runs];
  }

  /** Removes the temp folder (drain does it; call it when a run is abandoned before draining). */
  dispose(): void {
    this.buffer = [];
    if (this.dir) removeTempDir(this.dir);
  }
}

/** Sorted entries already in memory, read like a run file. */
class HeldReader<T> {
  private at = 0;
  constructor(private readonly entries: Entry<T>[]) {}
  next(): Entry<T> | null {
    return this.at < this.entries.length ? this.entries[this.at++]! : null;
  }
  close(): void {}
}

/** k-way merge of sorted run files (and sorted entries held in memory) with a binary heap of their current lines. */
function mergeRuns<T>(paths: readonly string[], held: Entry<T>[] = []): Generator<Entry<T>> {
  const readers: (RunReader<T> | HeldReader<T>)[] = paths.map((p) => new RunReader<T>(p));
  if (held.length > 0) readers.push(new HeldReader(held));
  return mergeReaders(readers);
}

function* mergeReaders<T>(readers: (RunReader<T> | HeldReader<T>)[]): Generator<Entry<T>> {
  try {
    const heap: { e: Entry<T>; r: number }[] = [];
    const push = (r: number): void => {
      const e = readers[r]!.next();
      if (e === null) return;
      heap.push({ e, r });
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (cmp(heap[i]!.e, heap[p]!.e) >= 0) break;
        [heap[i], heap[p]] = [heap[p]!, heap[i]!];
        i = p;
      }
    };
    for (let r = 0; r < readers.length; r++) push(r);
    while (heap.length > 0) {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const rr = l + 1;
          let m = i;
          if (l < heap.length && cmp(heap[l]!.e, heap[m]!.e) < 0) m = l;
          if (rr < heap.length && cmp(heap[rr]!.e, heap[m]!.e) < 0) m = rr;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m]!, heap[i]!];
          i = m;
        }
      }
      yield top.e;
      push(top.r);
    }
  } finally {
    for (const r of readers) r.close();
  }
}

/**
 * One merge pass: the sorted run files `paths` merged into one sorted run file at `out` (records are copied as the
 * bytes they were read as: a pass decodes nothing but keys). What drain() does before its last merge when there
 * are more runs than it holds open at once. The runs merged are removed once `out` is whole: the disk holds the
 * items about once, not twice.
 */
function mergeRunFiles(paths: readonly string[], out: string): void {
  copyMerged(mergeRuns<unknown>(paths), out, null);
  for (const p of paths) unlinkSync(p);
}

/** Writes the merged entries to `out` (as the bytes they were read as), showing each to `visit` on its way. */
function copyMerged<T>(entries: Iterable<Entry<T>>, out: string | null, visit: ((e: MergedRecord) => void) | null): number {
  let count = 0;
  const file = out === null ? null : new BufferedFile(out);
  try {
    for (const e of entries) {
      count++;
      if (visit) visit(e);
      file?.add(e.encoded());
    }
  } finally {
    file?.close();
  }
  return count;
}

/**
 * Text and bytes written to a new file in writes of 1 MB, synchronously (a merge thread has no stream to wait on):
 * each piece is copied into one buffer (text encoded straight into it), not made a buffer of its own and joined.
 * Given `at`, into an existing file from that byte on (a stretch of a file other threads write the rest of).
 */
export class BufferedFile {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(FILE_BUFFER);
  private size = 0;
  /** Bytes written to the file so far. */
  written = 0;
  constructor(path: string, private readonly at: number | null = null) {
    this.fd = openSync(path, at === null ? 'w' : 'r+');
  }
  add(x: Buffer | string): void {
    if (typeof x === 'string') {
      // UTF-8 takes at most 3 bytes per UTF-16 unit: where that fits, the text is encoded in place
      if (x.length * 3 > FILE_BUFFER - this.size) {
        this.flush();
        if (x.length * 3 > FILE_BUFFER) return this.write(Buffer.from(x));
      }
      this.size += this.buf.write(x, this.size);
      return;
    }
    if (x.length > FILE_BUFFER - this.size) {
      this.flush();
      if (x.length > FILE_BUFFER) return this.write(x);
    }
    this.size += x.copy(this.buf, this.size);
  }
  private write(b: Uint8Array): void {
    for (let done = 0; done < b.length; ) {
      const n = this.at === null ? writeSync(this.fd, b, done, b.length - done) : writeSync(this.fd, b, done, b.length - done, this.at + this.written);
      done += n;
      this.written += n;
    }
  }
  private flush(): void {
    if (this.size === 0) return;
    this.write(this.buf.subarray(0, this.size));
    this.size = 0;
  }
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}
const FILE_BUFFER = 1 << 20;

/**
 * The bytes one record puts in each of its caller's outputs (always as many numbers): its line is
 * block[lineAt, lineEnd), its aux block[lineEnd + 1, end), its newline at `end`.
 */
export type RecordMeasure = (block: Buffer, lineAt: number, lineEnd: number, end: number) => readonly number[];

/**
 * A run file's index, `<run>.index` beside it: for each record, where it starts in the run and what the records
 * before it put in each output (RecordMeasure), and a last row for the run's end. With it a merge by ranges knows
 * where in the outputs each range's stretch begins before any range is merged (rangeOutputBytes), so every range
 * writes its stretch in place, at once, and nothing is copied afterwards. Float64 values: the width, then the rows.
 */
export class RunIndex {
  private readonly rows: number[] = [];
  private sums: number[] | null = null;
  private at = 0;
  constructor(private readonly measure: RecordMeasure) {}
  /** The run's next record: block[start, end], its newline at `end` (the line and aux as RecordMeasure has them). */
  add(block: Buffer, start: number, lineAt: number, lineEnd: number, end: number): void {
    const m = this.measure(block, lineAt, lineEnd, end);
    const sums = (this.sums ??= m.map(() => 0));
    this.rows.push(this.at, ...sums);
    for (let k = 0; k < sums.length; k++) sums[k]! += m[k]!;
    this.at += end + 1 - start;
  }
  /** Writes the index of the run at `run` (call it once the run is written). */
  write(run: string): void {
    const sums = this.sums ?? [];
    const values = new Float64Array([sums.length + 1, ...this.rows, this.at, ...sums]);
    writeFileSync(runIndexPath(run), new Uint8Array(values.buffer));
  }
}
const runIndexPath = (run: string): string => `${run}.index`;

/** A run's index as rows of [start, sums...] (null where it has none, or one that does not fit its run). */
function readRunIndex(run: string, size: number): { width: number; rows: Float64Array } | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(runIndexPath(run));
  } catch {
    return null;
  }
  if (bytes.length % 8 !== 0 || bytes.length < 8) return null;
  const values = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const width = values[0]!;
  if (!Number.isInteger(width) || width < 1 || (values.length - 1) % width !== 0) return null;
  const rows = values.subarray(1);
  return rows[rows.length - width] === size ? { width, rows } : null;
}

/** What the records before `pos` put in each output (pos: a record's start, or the run's end); null where pos starts none. */
function sumsAt(index: { width: number; rows: Float64Array }, pos: number): number[] | null {
  const { width, rows } = index;
  let lo = 0;
  let hi = rows.length / width - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid * width]! < pos) lo = mid + 1;
    else hi = mid;
  }
  return rows[lo * width] === pos ? Array.from(rows.subarray(lo * width + 1, (lo + 1) * width)) : null;
}

/**
 * What each range of a merge by ranges puts in each output, from its runs' indexes (summed over its slices), so
 * that range q's stretch begins where ranges 0..q-1 end. Null where some run has no index (or a slice does not
 * begin and end at records): the ranges then cannot be placed and write files of their own.
 */
export function rangeOutputBytes(ranges: readonly (readonly RunSlice[])[]): number[][] | null {
  // run by run, one index in memory at a time (a 4x scan has about 900 runs of 5,000 records)
  const byRun = new Map<string, { range: number; slice: RunSlice }[]>();
  ranges.forEach((slices, range) => {
    for (const slice of slices) {
      let list = byRun.get(slice.path);
      if (!list) byRun.set(slice.path, (list = []));
      list.push({ range, slice });
    }
  });
  const out: number[][] = ranges.map(() => []);
  for (const [path, list] of byRun) {
    const index = readRunIndex(path, statSync(path).size);
    if (index === null) return null;
    for (const { range, slice } of list) {
      const [a, b] = [sumsAt(index, slice.start), sumsAt(index, slice.end)];
      if (a === null || b === null) return null;
      const total = out[range]!;
      for (let k = 0; k < a.length; k++) total[k] = (total[k] ?? 0) + b[k]! - a[k]!;
    }
  }
  return out;
}

/** A run file's byte range [start, end): whole records, in order. */
export interface RunSlice {
  path: string;
  start: number;
  end: number;
}

/**
 * The sorted run files cut into at most `n` consecutive ranges of the order, about equal in bytes: range i is one
 * slice of each run, every record of it ordering before every record of range i + 1 (a key is never split: its
 * records, ties included, are all in one range). Merging each range apart (mergeSlices) and putting the results
 * one after another gives what one merge of the whole runs gives. The cut keys come from keys sampled in every run,
 * each weighed by the run's bytes up to the next sample; each run is cut where its first record of that key or more
 * begins (a binary search).
 *
 * Where every run has its index (RunIndex), the samples are the records that begin at even byte offsets, each
 * weighed exactly (to the next sample), and the search runs over the records' starts. Without, they are the
 * records after even byte offsets, found by reading for a newline. Runs made alike (the same kind of logs, read
 * the same way) err alike, so the sampling errors add up rather than cancel: with 16 samples a run at even
 * offsets, two ranges of a 404 MB EVTX scan's runs took 46% and 54% of the bytes (0.79-1.24 of their share for 8),
 * and the range thread, the last to start, finished 1.5-2 s after the main thread's; 64 a run through the indexes:
 * within 1.5% (session 16).
 */
export function planRanges(paths: readonly string[], n: number): RunSlice[][] {
  const sizes = paths.map((path) => statSync(path).size);
  const whole = (): RunSlice[][] => [paths.map((path, i) => ({ path, start: 0, end: sizes[i]! })).filter((s) => s.end > s.start)];
  if (n <= 1) return whole();
  const runs = paths.map((path, i) => ({ path, size: sizes[i]! }));
  const planned = cutByIndex(runs, n) ?? cutByOffsets(runs, n);
  return planned.length > 0 ? planned : whole();
}

interface SizedRun {
  path: string;
  size: number;
}

/** Cut keys: the sampled keys where the weight before them first reaches each n-th of the total (a key once). */
function cutKeys(samples: { key: string; w: number }[], n: number): string[] {
  samples.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const total = samples.reduce((t, s) => t + s.w, 0);
  const cuts: string[] = [];
  let acc = 0;
  for (const s of samples) {
    if (cuts.length < n - 1 && acc >= (total * (cuts.length + 1)) / n && s.key !== cuts.at(-1)) cuts.push(s.key);
    acc += s.w;
  }
  return cuts;
}

/** The ranges given each run's cut offsets ([0, ...cuts, size] per run). */
function slicesAt(runs: readonly SizedRun[], at: number[][], ranges: number): RunSlice[][] {
  return Array.from({ length: ranges }, (_, q) => runs.map((r, i) => ({ path: r.path, start: at[i]![q]!, end: at[i]![q + 1]! })).filter((s) => s.end > s.start));
}

/** Samples a run through its index. */
const INDEX_SAMPLES = 64;

/** Ranges cut through the runs' indexes; null where some run has none (or one that does not fit it). */
function cutByIndex(runs: readonly SizedRun[], n: number): RunSlice[][] | null {
  const samples: { key: string; w: number }[] = [];
  // the index read once per pass and dropped (a 4x scan has about 900 runs of 5,000 records)
  for (const r of runs) {
    const starts = recordStarts(r);
    if (starts === null) return null;
    // the records that begin at or before even byte offsets (records grow and shrink with what the events hold)
    const picked: number[] = [];
    for (let j = 0; j < INDEX_SAMPLES; j++) {
      const rec = lastRecordAtOrBefore(starts, (r.size * j) / INDEX_SAMPLES);
      if (rec !== picked.at(-1) && rec < starts.length - 1) picked.push(rec);
    }
    withFile(r.path, (fd) => {
      picked.forEach((rec, j) => {
        const a = starts[rec]!;
        samples.push({ key: keyAt(fd, r.size, a), w: (j + 1 < picked.length ? starts[picked[j + 1]!]! : r.size) - a });
      });
    });
  }
  const cuts = cutKeys(samples, n);
  const at = runs.map((r) => {
    const starts = recordStarts(r)!;
    return withFile(r.path, (fd) => [0, ...cuts.map((k) => starts[firstRecordAtOrAfter(fd, r.size, starts, k)]!), r.size]);
  });
  return slicesAt(runs, at, cuts.length + 1);
}

/** The record starts of a run and its end, from its index (null: it has none that fits it). */
function recordStarts(r: SizedRun): Float64Array | null {
  const index = readRunIndex(r.path, r.size);
  if (index === null) return null;
  const rows = index.rows.length / index.width;
  const starts = new Float64Array(rows);
  for (let i = 0; i < rows; i++) starts[i] = index.rows[i * index.width]!;
  return starts;
}

/** The number of the last record that begins at or before byte `pos` (starts ascending, the first 0). */
function lastRecordAtOrBefore(starts: Float64Array, pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The number of the first record whose key is `key` or more (starts: every record's start, then the run's end). */
function firstRecordAtOrAfter(fd: number, size: number, starts: Float64Array, key: string): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keyAt(fd, size, starts[mid]!) >= key) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cutByOffsets(runs: readonly SizedRun[], n: number): RunSlice[][] {
  const PER_RUN = 16;
  const samples: { key: string; w: number }[] = [];
  for (const r of runs) {
    withFile(r.path, (fd) => {
      for (let j = 0; j < PER_RUN; j++) {
        const at = recordStart(fd, r.size, Math.floor((r.size * j) / PER_RUN));
        if (at < r.size) samples.push({ key: keyAt(fd, r.size, at), w: r.size / PER_RUN });
      }
    });
  }
  const cuts = cutKeys(samples, n);
  const at = runs.map((r) => withFile(r.path, (fd) => [0, ...cuts.map((k) => firstAtOrAfter(fd, r.size, k)), r.size]));
  return slicesAt(runs, at, cuts.length + 1);
}

/** One file open at a time (planning reads every run: a descriptor each at once could pass the limit). */
function withFile<R>(path: string, read: (fd: number) => R): R {
  const fd = openSync(path, 'r');
  try {
    return read(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The records of `slices` merged in order, each shown to `visit`, and copied to `out` where one is given; returns
 * how many. A range reads every run's slice at once, a block each (smaller blocks: it may hold hundreds); `hold`
 * keeps each file open, else a slice opens its file for each read (13 µs an open here: 20% of a range's time with
 * 16 KB blocks) — for when ranges × runs would pass the descriptors a process may hold (1,024 is common).
 */
export function mergeSlices(slices: readonly RunSlice[], out: string | null, visit: (e: MergedRecord) => void, hold = true): number {
  return copyMerged(mergeReaders(slices.map((s) => new RunReader<unknown>(s.path, s, hold ? SLICE_BLOCK : 2 * SLICE_BLOCK, hold))), out, visit);
}

/**
 * Open files all the ranges of a final merge may hold at once (planRanges × runs; past it, slices open per read):
 * half the process's limit on Linux (/proc/self/limits' soft "Max open files"), else 768 (1,024 is a common limit).
 */
export function heldFilesBudget(limits = '/proc/self/limits'): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(limits, 'utf8'));
    if (m) return m[1] === 'unlimited' ? 1 << 16 : Math.max(64, Math.floor(Number(m[1]) / 2));
  } catch {
    // not Linux
  }
  return 768;
}

/** A record as a merge by ranges shows it: its line and aux text, decoded when read. */
export interface MergedRecord {
  readonly line: string;
  readonly aux: string;
  /** The line undecoded (the run file's bytes, UTF-8), for a copy that need not read it. */
  lineBytes(): Buffer | string;
  /** The aux undecoded likewise (a reader that decodes only the parts it reads). */
  auxBytes(): Buffer | string;
}

/** The records of sorted run files one file after another (files that follow each other in the order: mergeSlices' outputs). */
export function* readRuns<T>(paths: readonly string[], parse: (line: string) => T): Generator<Sorted<T>> {
  for (const p of paths) for (const e of mergeRuns<T>([p])) yield new SortedEntry(e, parse);
}

/** Where the first record at or after byte `off` begins (the file's size if none does). */
function recordStart(fd: number, size: number, off: number): number {
  if (off <= 0) return 0;
  // records are a few KB: read a little first (planning reads thousands of places)
  let b = Buffer.allocUnsafe(4096);
  for (let pos = off - 1; pos < size; ) {
    const n = readSync(fd, b, 0, Math.min(b.length, size - pos), pos);
    if (n === 0) break;
    const nl = b.indexOf(NL);
    if (nl !== -1 && nl < n) return pos + nl + 1;
    pos += n;
    if (b.length < BLOCK) b = Buffer.allocUnsafe(b.length * 4);
  }
  return size;
}

/** The key of the record that begins at `at`. */
function keyAt(fd: number, size: number, at: number): string {
  let len = 512; // keys are a few hundred bytes at most: most reads need no second
  for (;;) {
    const b = Buffer.allocUnsafe(Math.min(len, size - at));
    const n = readSync(fd, b, 0, b.length, at);
    const tab = b.indexOf(TAB);
    if (tab !== -1 && tab < n) return JSON.parse(b.toString('utf8', 0, tab)) as string;
    if (at + n >= size) throw new Error('a run file record without a tab');
    len *= 4;
  }
}

/** Where the first record whose key is `key` or more begins (binary search over the offsets of a sorted run). */
function firstAtOrAfter(fd: number, size: number, key: string): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const p = recordStart(fd, size, mid);
    if (p >= size || keyAt(fd, size, p) >= key) hi = mid;
    else lo = p + 1;
  }
  return recordStart(fd, size, lo);
}
