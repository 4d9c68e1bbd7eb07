// The findings' final merge, by ranges of their order: each range's slices of the sorted runs merged apart (all
// ranges at once, the first in the main thread, the others on threads), read through the digest, and (for a caller
// that wants every finding) copied out in order; the main thread joins the ranges' digests (FindingsDigest.join)
// and reads the copies one after another.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Finding } from '../finding.js';
import { attackCatalog } from '../attack/index.js';
import { FindingsDigest, ShapeBook, type DigestPart, type ShapeDelta } from '../reporters/index.js';
import { mergeSlices, type RunSlice } from '../spill/index.js';

/** One range's job: its slices of the runs, where to copy its records (null: nowhere), and every thread's shapes. */
export interface RangeJob {
  slices: RunSlice[];
  out: string | null;
  shapes: ShapeDelta[];
  /** Keep the runs open while merging (mergeSlices' hold). */
  hold: boolean;
}

/** The range's digest, as data (what crosses back to the main thread). */
export function digestRange(job: RangeJob): DigestPart {
  const book = new ShapeBook();
  for (const d of job.shapes) book.learn(d);
  const digest = new FindingsDigest(attackCatalog());
  mergeSlices(job.slices, job.out, (e) => digest.addView(book.read(e.aux, () => JSON.parse(e.line) as Finding).view), job.hold);
  return digest.part();
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
          const w = new Worker(url, { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
          w.once('message', (m: { part: DigestPart } | { error: string }) => resolve('part' in m ? m.part : null));
          w.once('error', () => resolve(null));
          w.once('exit', () => resolve(null));
        })
      : Promise.resolve(null),
  );
  for (const [i, part] of parts.entries()) yield (await part) ?? digestRange(jobs[i]!);
}
