// The Reader interface every evidence format implements: bytes in, HuntEvents out, streaming.
// Readers never throw for bad content: they report a Diagnostic and go on with the next record.

import type { DiagnosticSink } from '../diagnostics.js';
import type { Evidence, EvidenceKind } from '../evidence/evidence.js';
import type { HuntEvent } from '../event.js';

export interface ReadStats {
  records: number;
  skipped: number;
  firstTime: string | null;
  lastTime: string | null;
}

export interface Reader {
  readonly kind: EvidenceKind;
  /** Read one evidence file as events; diagnostics for damaged parts go to `sink`. */
  read(evidence: Evidence, sink: DiagnosticSink): AsyncIterable<HuntEvent>;
  /**
   * Optional fast path: the same events as `read`, in arrays (one per chunk read), so a pipeline
   * pays one await per batch instead of one per event. Text-log readers implement it.
   */
  readBatches?(evidence: Evidence, sink: DiagnosticSink): AsyncIterable<HuntEvent[]>;
}

async function* flatten<E extends HuntEvent>(batches: AsyncIterable<E[]>): AsyncGenerator<E> {
  for await (const b of batches) yield* b;
}

/** A Reader from a batch-yielding function: `read` flattens the batches that `readBatches` yields. */
export function batchReader(kind: EvidenceKind, readBatches: (evidence: Evidence, sink: DiagnosticSink) => AsyncIterable<HuntEvent[]>): Reader {
  return {
    kind,
    read: (evidence, sink) => flatten(readBatches(evidence, sink)),
    readBatches,
  };
}

/** A reader's events a batch at a time: its readBatches, or each event of read() as a batch of one. */
export async function* eventBatches(reader: Reader, evidence: Evidence, sink: DiagnosticSink): AsyncGenerator<readonly HuntEvent[]> {
  if (reader.readBatches) yield* reader.readBatches(evidence, sink);
  else for await (const e of reader.read(evidence, sink)) yield [e];
}
