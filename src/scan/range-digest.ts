// The findings' final merge, by ranges of their order: each range's slices of the sorted runs merged apart (on a
// worker, all ranges at once), read through the digest, and (for a caller that wants every finding) copied out in
// order; the main thread joins the ranges' digests (FindingsDigest.merge) and reads the copies one after another.
import type { Finding } from '../finding.js';
import { attackCatalog } from '../attack/index.js';
import { FindingsDigest, ShapeBook, type DigestPart, type ShapeDelta } from '../reporters/index.js';
import { mergeSlices, type RunSlice } from '../spill/index.js';

/** One range's job: its slices of the runs, where to copy its records (null: nowhere), and every thread's shapes. */
export interface RangeJob {
  slices: RunSlice[];
  out: string | null;
  shapes: ShapeDelta[];
}

/** The range's digest, as data (what crosses back to the main thread). */
export function digestRange(job: RangeJob): DigestPart {
  const book = new ShapeBook();
  for (const d of job.shapes) book.learn(d);
  const digest = new FindingsDigest(attackCatalog());
  mergeSlices(job.slices, job.out, (e) => digest.addView(book.read(e.aux, () => JSON.parse(e.line) as Finding).view));
  return digest.part();
}
