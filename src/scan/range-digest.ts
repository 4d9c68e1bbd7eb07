// The findings' final merge, by ranges of their order: each range's slices of the sorted runs merged apart (all
// ranges at once, the first in the main thread, the others on threads), read through the digest, and written out
// in order — as the ordered outputs themselves (each range's stretch of findings.jsonl, timeline.csv and
// timeline.jsonl, written into those files in place, or as parts the caller appends one after another), or for a
// caller that wants every finding as records to read back; the main thread joins the ranges' digests (FindingsDigest.join).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Finding } from '../finding.js';
import { attackCatalog } from '../attack/index.js';
import { FindingsDigest, RULE_ROWS, ShapeBook, timelineCsvHeader, type DigestPart, type ShapeDelta } from '../reporters/index.js';
import { BufferedFile, mergeSlices, type RunSlice } from '../spill/index.js';

/** A range's stretch of the ordered outputs, one file each (csv and sketch null: no timelines wanted). */
export interface OrderedParts {
  findings: string;
  csv: string | null;
  sketch: string | null;
  /** The csv part begins with timeline.csv's header row (the first range's does). */
  csvHeader: boolean;
}

/** The ordered outputs' own files (null: not written), for ranges that write their stretches in place. */
export interface OrderedFiles {
  findings: string | null;
  csv: string | null;
  sketch: string | null;
}

/** A range's stretch of one of the ordered outputs' files: from byte `at`, `bytes` long. */
export interface Stretch {
  path: string;
  at: number;
  bytes: number;
}

/** A range's stretches of the ordered outputs' files, written in place (null: that output not written). */
export interface PlacedParts {
  placed: true;
  findings: Stretch | null;
  csv: Stretch | null;
  sketch: Stretch | null;
  /** The csv stretch begins with timeline.csv's header row (the first range's does). */
  csvHeader: boolean;
}

/** One range's job: its slices of the runs, where its records or its ordered outputs go (null: nowhere), and every thread's shapes. */
export interface RangeJob {
  slices: RunSlice[];
  /** Its records copied out in order (encodeRecord), to be read back one by one. */
  out: string | null;
  /** Its ordered outputs, written as the files' own lines. */
  parts: OrderedParts | null;
  /** Or its stretches of the ordered outputs' own files, written in place. */
  place: PlacedParts | null;
  shapes: ShapeDelta[];
  /** Keep the runs open while merging (mergeSlices' hold). */
  hold: boolean;
}

/** The range's digest, as data (what crosses back to the main thread). */
export function digestRange(job: RangeJob): DigestPart {
  const book = new ShapeBook();
  for (const d of job.shapes) book.learn(d);
  const digest = new FindingsDigest(attackCatalog());
  const p = job.parts;
  const q = job.place;
  const open = (x: Stretch | null): BufferedFile | null => (x ? new BufferedFile(x.path, x.at) : null);
  const files = q
    ? { findings: open(q.findings), csv: open(q.csv), sketch: open(q.sketch) }
    : p
      ? { findings: new BufferedFile(p.findings), csv: p.csv ? new BufferedFile(p.csv) : null, sketch: p.sketch ? new BufferedFile(p.sketch) : null }
      : null;
  if (files?.csv && (q ?? p)!.csvHeader) files.csv.add(timelineCsvHeader());
  try {
    mergeSlices(
      job.slices,
      job.out,
      (e) => {
        // the record's aux as the run file's bytes: the digest decodes its head, the timelines copy their lines' bytes
        const aux = e.auxBytes();
        const whole = (): Finding => JSON.parse(e.line) as Finding;
        digest.addView(typeof aux === 'string' ? book.read(aux, whole) : book.readBytes(aux, whole));
        if (!files) return;
        // the same bytes OrderedOutputs.writeLines gives, line by line
        files.findings?.add(e.lineBytes());
        files.findings?.add(NL);
        if (!files.csv && !files.sketch) return;
        if (!book.copyLines(aux, files.csv, files.sketch)) throw new Error('a digest record without its timeline lines (the scan was not asked for them)');
      },
      job.hold,
    );
  } finally {
    if (files) for (const f of [files.findings, files.csv, files.sketch]) f?.close();
  }
  // A stretch written in place must be exactly what the runs' indexes said: else it overlaps the next range's.
  if (q && files) {
    for (const [name, x, f] of [['findings.jsonl', q.findings, files.findings], ['timeline.csv', q.csv, files.csv], ['timeline.jsonl', q.sketch, files.sketch]] as const) {
      if (x && f && f.written !== x.bytes) throw new Error(`a range wrote ${f.written} bytes of ${name} where its runs' indexes said ${x.bytes}`);
    }
  }
  return digest.part();
}

const NL = Buffer.from('\n');

/**
 * A range thread's heap, bounded. What it keeps is the digest's (RULE_ROWS whole findings per rule that fired, the
 * story's samples): 31 MB for half of 453,760 findings of 221 rules. Unbounded, V8 let the old generation grow to
 * several times that between collections (its growth factor rises with the bound, about 4 by default), and the
 * range thread made the scan's peak RSS: exhunt scan --out --workers 2 on 404 MB of EVTX peaked at 493–511 MB at
 * the end, 463 / 463 MB with a 256 MB bound (then the peak is the scan's). A range past its bound fails and is
 * merged here instead: slower, never lost; so the bound grows with the rules that fired (4 KB a row, generous).
 */
export function rangeHeapLimits(shapes: readonly ShapeDelta[]): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  const rules = new Set<string>();
  for (const d of shapes) for (const s of d.shapes) rules.add(`${s.engine}:${s.rule.id}`);
  return { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: Math.max(256, Math.ceil(64 + (rules.size * RULE_ROWS * 4) / 1024)) };
}

/**
 * The ranges all at once: the first in this thread, each other on a thread of its own (a fresh worker: small heap,
 * started in ~0.1 s; this thread doing one saves a thread's memory, 100-150 MB at 1.6 GB of EVTX, and its start);
 * their digests in range order as each is ready. A range whose thread fails is merged here instead: slower, never lost.
 */
export async function* digestRangesApart(jobs: readonly RangeJob[]): AsyncGenerator<DigestPart> {
  const url = new URL('./range-worker.js', import.meta.url);
  const threads = existsSync(fileURLToPath(url));
  const parts = jobs.map((job, i) =>
    threads && i > 0
      ? new Promise<DigestPart | null>((resolve) => {
          const w = new Worker(url, { workerData: job, resourceLimits: rangeHeapLimits(job.shapes) });
          w.once('message', (m: { part: DigestPart } | { error: string }) => resolve('part' in m ? m.part : null));
          w.once('error', () => resolve(null));
          w.once('exit', () => resolve(null));
        })
      : Promise.resolve(null),
  );
  for (const [i, part] of parts.entries()) yield (await part) ?? digestRange(jobs[i]!);
}
