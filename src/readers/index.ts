// The readers family's door: readerFor(kind) picks the reader for an Evidence kind. EVTX is added
// by its owner (readers/evtx); text-log readers also offer readBatches, a faster path for pipelines.
import type { EvidenceKind } from '../evidence/evidence.js';
import { exchangeReader } from './exchange/index.js';
import { jsonReader } from './json/index.js';
import type { DiagnosticSink } from '../diagnostics.js';
import type { Evidence } from '../evidence/evidence.js';
import type { HuntEvent } from '../event.js';
import { readExchangeBatches } from './exchange/index.js';
import { readJsonBatches } from './json/index.js';
import type { Reader } from './reader.js';
import type { RangeRead } from './text/index.js';
import { readW3cBatches, w3cReader } from './w3c/index.js';

export type { Reader, ReadStats } from './reader.js';
export { eventBatches } from './reader.js';
export { w3cReader, readW3cBatches, normaliseW3cField, siteFromPath, detectProxies, type LineSelection } from './w3c/index.js';
export { LiteralLines, DiagnosticLimiter, planTextRanges, type TextRange, type HeaderLine, type RangeRead } from './text/index.js';
export { exchangeReader, logFromPath, logFromType, splitEventData, bareHeaderNames, namesExchangeColumns } from './exchange/index.js';
export { jsonReader, jsonLayout, toWinEvent } from './json/index.js';
export { toUtcIso } from './text/index.js';

/** The reader for an evidence kind, or null (kind 'file', or 'evtx' which has its own parallel path). */
export function readerFor(kind: EvidenceKind): Reader | null {
  switch (kind) {
    case 'iis-w3c':
      return w3cReader;
    case 'exchange-csv':
      return exchangeReader;
    case 'json':
      return jsonReader;
    case 'evtx':
    case 'file':
      return null;
  }
}

/** Text-log kinds whose files can be read in byte ranges (line-based, with header state planTextRanges carries). */
export function splittable(kind: EvidenceKind): boolean {
  return kind === 'iis-w3c' || kind === 'exchange-csv';
}

/**
 * One share of a text log as event batches: the whole file (`part` undefined: the reader's own limiter, flushed),
 * or one range of a splittable kind with the caller's limiter (see RangeRead). Null for kinds with no text reader.
 */
export function readTextShare(evidence: Evidence, sink: DiagnosticSink, part?: RangeRead): AsyncIterable<readonly HuntEvent[]> | null {
  switch (evidence.kind) {
    case 'iis-w3c':
      return readW3cBatches(evidence, sink, part ? { part } : {});
    case 'exchange-csv':
      return readExchangeBatches(evidence, sink, part ? { part } : {});
    case 'json':
      return part ? null : readJsonBatches(evidence, sink);
    case 'evtx':
    case 'file':
      return null;
  }
}
