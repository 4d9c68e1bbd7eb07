// The units of work of a scan: a text log (or a byte range of a big one) or a window of an EVTX file. The plan
// depends only on the evidence, never on the thread count, so every --workers value merges the same results.
import type { Evidence } from '../evidence/evidence.js';
import { evtxJobsOf, type EvtxJob } from '../readers/evtx/index.js';
import { planTextRanges, readerFor, splittable, type TextRange } from '../readers/index.js';

export type ShareJob =
  | { kind: 'text'; evidence: Evidence; range: TextRange | null; lastOfFile: boolean; bytes: number }
  | { kind: 'evtx'; evidence: Evidence; job: EvtxJob; lastOfFile: boolean; bytes: number };

export interface PlanOptions {
  /** Text logs bigger than this are read in ranges of about this size (default 32 MiB). */
  rangeBytes?: number;
  /** EVTX chunk slots per job (default 32 = 2 MiB). */
  evtxSlots?: number;
}

export const DEFAULT_RANGE_BYTES = 32 << 20;

/** `size` spread over `n` parts (for progress): part i's share. */
function shareOf(size: number, i: number, n: number): number {
  return Math.floor((size * (i + 1)) / n) - Math.floor((size * i) / n);
}

/**
 * The jobs for the log files of `evidence`: text logs first (evidence order, then range order), then EVTX (file
 * order, then window order) — the order the results are merged in. Big splittable logs are pre-scanned here
 * (planTextRanges reads them once, counting lines).
 */
export function planShares(evidence: readonly Evidence[], opts: PlanOptions = {}): ShareJob[] {
  const rangeBytes = opts.rangeBytes ?? DEFAULT_RANGE_BYTES;
  const jobs: ShareJob[] = [];
  for (const ev of evidence) {
    if (ev.kind === 'evtx' || ev.kind === 'file' || !readerFor(ev.kind)) continue;
    let ranges: (TextRange | null)[] = [null];
    if (splittable(ev.kind) && ev.size > rangeBytes) {
      try {
        ranges = planTextRanges(ev.absPath, ev.size, rangeBytes);
      } catch {
        ranges = [null]; // unreadable: the whole-file read reports it
      }
    }
    ranges.forEach((range, i) =>
      jobs.push({ kind: 'text', evidence: ev, range, lastOfFile: i === ranges.length - 1, bytes: range ? range.end - range.start : ev.size }),
    );
  }
  const evtx = evidence.filter((e) => e.kind === 'evtx');
  for (const ev of evtx) {
    const mine = evtxJobsOf([ev], opts.evtxSlots ?? 32);
    mine.forEach((job, i) => jobs.push({ kind: 'evtx', evidence: ev, job, lastOfFile: i === mine.length - 1, bytes: shareOf(ev.size, i, mine.length) }));
  }
  return jobs;
}
