// Sorting more items than memory should hold (external sort): items are kept as text records in sorted runs of
// at most `runSize` items (or `runBytes` of text) in a private temp folder, then merged k-way in one pass.
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

export interface SpillOptions<T> {
  /** The order: items compare by key, then by their serialised line (so the order is total). */
  key: (item: T) => string;
  /** One line of text (no '\n' or tab inside; JSON.stringify gives that). */
  serialize: (item: T) => string;
  parse: (line: string) => T;
  /** A second text carried with each item (same rules as a line; not part of the order): e.g. what a digest reads. */
  aux?: (item: T) => string;
  /** Items per sorted run (default 5,000). */
  runSize?: number;
  /** Text per sorted run (default 16 MB of UTF-16 code units). */
  runBytes?: number;
  /** Runs merged at once; more are merged in passes first (default 256 open files, a 64 KiB block each). */
  fanIn?: number;
  /** Where the temp folder is made (default os.tmpdir()). */
  tmpParent?: string;
}

export interface Sorted<T> {
  /** The item (parsed from its line when it was spilled: read it only where it is needed). */
  readonly item: T;
  /** The item serialised, exactly as it sorted. */
  readonly line: string;
  /** Its `aux` text ('' without one). */
  readonly aux: string;
}

interface Entry<T> {
  key: string;
  line: string;
  aux: string;
  item: T | undefined;
}

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
  return { key: JSON.parse(rec.slice(0, i)) as string, line: rec.slice(i + 1, j), aux: rec.slice(j + 1), item: undefined };
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

const cmp = (a: { key: string; line: string }, b: { key: string; line: string }): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.line < b.line ? -1 : a.line > b.line ? 1 : 0;

const BLOCK = 64 * 1024;

/** Reads a run file line by line in blocks (synchronously: one block per run is all the merge holds). */
class RunReader {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BLOCK);
  private readonly decoder = new StringDecoder('utf8');
  private text = '';
  private pos = 0;
  private done = false;
  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }
  next(): string | null {
    for (;;) {
      const nl = this.text.indexOf('\n', this.pos);
      if (nl >= 0) {
        const line = this.text.slice(this.pos, nl);
        this.pos = nl + 1;
        return line;
      }
      if (this.done) return null;
      const n = readSync(this.fd, this.buf, 0, BLOCK, null);
      this.text = this.text.slice(this.pos) + (n > 0 ? this.decoder.write(this.buf.subarray(0, n)) : this.decoder.end());
      this.pos = 0;
      if (n === 0) this.done = true;
    }
  }
  close(): void {
    closeSync(this.fd);
  }
}

export class SpillSorter<T> {
  private readonly o: Required<Omit<SpillOptions<T>, 'tmpParent' | 'aux'>> & { tmpParent: string | undefined; aux: ((item: T) => string) | undefined };
  private buffer: Entry<T>[] = [];
  private bufferChars = 0;
  private runs: string[] = [];
  private dir: string | null = null;
  private count = 0;
  private drained = false;

  constructor(opts: SpillOptions<T>) {
    this.o = { runSize: 5000, runBytes: 16 * 1024 * 1024, fanIn: 256, ...opts, tmpParent: opts.tmpParent, aux: opts.aux };
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
    this.push({ key: this.o.key(item), line, aux: this.o.aux?.(item) ?? '', item });
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
    this.bufferChars += e.line.length + e.aux.length;
    this.count++;
    if (this.buffer.length >= this.o.runSize || this.bufferChars >= this.o.runBytes) this.spill();
  }

  private spill(): void {
    const dir = this.tempDirFor();
    this.buffer.sort(cmp);
    const path = join(dir, `run-${this.runs.length}.jsonl`);
    writeFileSync(path, this.buffer.map((e) => encodeRecord(e.key, e.line, e.aux)).join(''));
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
      if (this.buffer.length > 0) this.spill();
      let merged = 0;
      // passes until one merge can hold every run open at once
      while (this.runs.length > this.o.fanIn) {
        const group = this.runs.splice(0, this.o.fanIn);
        const path = join(this.dir!, `merged-${merged++}.jsonl`);
        const lines: string[] = [];
        let fd = openSync(path, 'w');
        try {
          for (const e of this.merge(group)) {
            lines.push(encodeRecord(e.key, e.line, e.aux));
            if (lines.length >= 4096) {
              writeFileSync(fd, lines.join(''));
              lines.length = 0;
            }
          }
          if (lines.length) writeFileSync(fd, lines.join(''));
        } finally {
          closeSync(fd);
          fd = -1;
        }
        this.runs.push(path);
      }
      for (const e of this.merge(this.runs)) yield new SortedEntry(e, this.o.parse);
    } finally {
      this.dispose();
    }
  }

  /** Removes the temp folder (drain does it; call it when a run is abandoned before draining). */
  dispose(): void {
    this.buffer = [];
    if (this.dir) removeTempDir(this.dir);
  }

  /** k-way merge of sorted run files with a binary heap of their current lines. */
  private *merge(paths: string[]): Generator<Entry<T>> {
    const readers = paths.map((p) => new RunReader(p));
    try {
      const heap: (Entry<T> & { r: number })[] = [];
      const push = (r: number): void => {
        const rec = readers[r]!.next();
        if (rec === null || rec === '') return;
        heap.push({ ...decodeRecord<T>(rec), r });
        let i = heap.length - 1;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (cmp(heap[i]!, heap[p]!) >= 0) break;
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
            if (l < heap.length && cmp(heap[l]!, heap[m]!) < 0) m = l;
            if (rr < heap.length && cmp(heap[rr]!, heap[m]!) < 0) m = rr;
            if (m === i) break;
            [heap[i], heap[m]] = [heap[m]!, heap[i]!];
            i = m;
          }
        }
        yield top;
        push(top.r);
      }
    } finally {
      for (const r of readers) r.close();
    }
  }
}
