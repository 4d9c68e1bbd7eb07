// The readers family's door: readerFor(kind) picks the reader for an Evidence kind. EVTX is added
// by its owner (readers/evtx); text-log readers also offer readBatches, a faster path for pipelines.
import type { EvidenceKind } from '../evidence/evidence.js';
import { exchangeReader } from './exchange/index.js';
import { jsonReader } from './json/index.js';
import type { Reader } from './reader.js';
import { w3cReader } from './w3c/index.js';

export type { Reader, ReadStats } from './reader.js';
export { eventBatches } from './reader.js';
export { w3cReader, readW3cBatches, normaliseW3cField, siteFromPath, detectProxies, type LineSelection } from './w3c/index.js';
export { LiteralLines } from './text/index.js';
export { exchangeReader, logFromPath, logFromType, splitEventData } from './exchange/index.js';
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
