// Sorting more items than memory should hold (external sort): items are kept as text lines in sorted runs of
// at most `runSize` items (or `runBytes` of text) in a private temp folder, then merged k-way in one pass.
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

export interface SpillOptions<T> {
  /** The order: items compare by key, then by their serialised line (so the order is total). */
  key: (item: T) => string;
  /** One line of text (no '\n' inside; JSON.stringify gives that). */
  serialize: (item: T) => string;
  parse: (line: string) => T;
  /** Items per sorted run (default 5,000). */
  runSize?: number;
  /** Text per sorted run (default 16 MB of UTF-16 code units). */
  runBytes?: number;
  /** Runs merged at once; more are merged in passes first (default 64 open files). */
  fanIn?: number;
  /** Where the temp folder is made (default os.tmpdir()). */
  tmpParent?: string;
}

export interface Sorted<T> {
  item: T;
  /** The item serialised, exactly as it sorted. */
  line: string;
}

interface Entry<T> {
  key: string;
  line: string;
  item: T | undefined;
}

const cmp = (a: { key: string; line: string }, b: { key: string; line: string }): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.line < b.line ? -1 : a.line > b.line ? 1 : 0;

const BLOCK = 256 * 1024;

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
  private readonly o: Required<Omit<SpillOptions<T>, 'tmpParent'>> & { tmpParent: string | undefined };
  private buffer: Entry<T>[] = [];
  private bufferChars = 0;
  private runs: string[] = [];
  private dir: string | null = null;
  private count = 0;
  private drained = false;

  constructor(opts: SpillOptions<T>) {
    this.o = { runSize: 5000, runBytes: 16 * 1024 * 1024, fanIn: 64, ...opts, tmpParent: opts.tmpParent };
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
    if (this.drained) throw new Error('SpillSorter: add after drain');
    const line = this.o.serialize(item);
    this.buffer.push({ key: this.o.key(item), line, item });
    this.bufferChars += line.length;
    this.count++;
    if (this.buffer.length >= this.o.runSize || this.bufferChars >= this.o.runBytes) this.spill();
  }

  private spill(): void {
    this.dir ??= makeTempDir('exhunt-spill-', this.o.tmpParent);
    this.buffer.sort(cmp);
    const path = join(this.dir, `run-${this.runs.length}.jsonl`);
    writeFileSync(path, this.buffer.map((e) => e.line + '\n').join(''));
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
        for (const e of b) yield { item: e.item ?? this.o.parse(e.line), line: e.line };
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
            lines.push(e.line);
            if (lines.length >= 4096) {
              writeFileSync(fd, lines.join('\n') + '\n');
              lines.length = 0;
            }
          }
          if (lines.length) writeFileSync(fd, lines.join('\n') + '\n');
        } finally {
          closeSync(fd);
          fd = -1;
        }
        this.runs.push(path);
      }
      for (const e of this.merge(this.runs)) yield { item: e.item ?? this.o.parse(e.line), line: e.line };
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
        const line = readers[r]!.next();
        if (line === null || line === '') return;
        const item = this.o.parse(line);
        heap.push({ key: this.o.key(item), line, item, r });
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
