// One evidence file's events as store rows, in JSONEachRow chunks: read with the scan's readers, each event's
// client marked as the scan marks it (so the stored event is the one the rules matched), then eventToRow.
import type { HuntEvent } from '../event.js';
import type { Evidence } from '../evidence/evidence.js';
import { CoverageTracker } from '../evidence/index.js';
import type { CoverageEntry } from '../summary.js';
import { evtxJobEvents, evtxJobsOf } from '../readers/evtx/index.js';
import { readTextShare } from '../readers/index.js';
import { ClientLedger, type DetectedProxy } from '../normalize/index.js';
import { eventToRow, type RowContext } from '../stores/index.js';

export interface FileTask {
  evidence: Evidence;
  row: RowContext;
  proxies: { given: string[]; detected: DetectedProxy[] };
}

/** A chunk of a file's rows: JSON lines joined by '\n'. */
export interface RowChunk {
  lines: string;
  count: number;
}

export interface FileDone {
  events: number;
  /** Seconds since the epoch of the first and last event time (0 when none). */
  firstT: number;
  lastT: number;
  coverage: CoverageEntry[];
}

/** Rows per chunk: big enough for ClickHouse to write few parts, small enough to keep memory flat. */
export const CHUNK_ROWS = 20_000;

async function* events(ev: Evidence): AsyncGenerator<HuntEvent> {
  // Diagnostics were given by the scan that read the same bytes a moment ago; this read is quiet.
  const quiet = (): void => {};
  if (ev.kind === 'evtx') {
    for (const job of evtxJobsOf([ev], 32)) for (const e of evtxJobEvents(job, quiet)) yield e;
    return;
  }
  const batches = readTextShare(ev, quiet);
  if (batches) for await (const batch of batches) yield* batch;
}

/** The file's rows in chunks; `done` is told the totals once the file is read. */
export async function* fileRows(task: FileTask, done: (d: FileDone) => void): AsyncGenerator<RowChunk> {
  const clients = new ClientLedger(task.proxies.given, task.proxies.detected);
  const coverage = new CoverageTracker();
  coverage.file(task.evidence);
  let lines: string[] = [];
  let n = 0;
  let firstT = 0;
  let lastT = 0;
  for await (const e of events(task.evidence)) {
    clients.mark(e);
    coverage.observe(e);
    const row = eventToRow(e, task.row);
    if (row.has_time) {
      if (firstT === 0 || row.t < firstT) firstT = row.t;
      if (row.t > lastT) lastT = row.t;
    }
    lines.push(JSON.stringify(row));
    n++;
    if (lines.length >= CHUNK_ROWS) {
      yield { lines: lines.join('\n'), count: lines.length };
      lines = [];
    }
  }
  if (lines.length) yield { lines: lines.join('\n'), count: lines.length };
  done({ events: n, firstT, lastT, coverage: coverage.entries() });
}
