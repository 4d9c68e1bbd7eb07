// The store's test and benchmark support (left out of the package): a scan's findings, summary and evidence written
// by direct inserts (the rows `exhunt ingest` writes), so fleets of any size can be made without reading evidence.
import { createHash } from 'node:crypto';
import type { Finding } from '../../finding.js';
import type { ScanSummary } from '../../summary.js';
import type { StoreClient } from './client.js';
import { findingRow as storedFindingRow } from './finding-row.js';
import { timeParts } from './event-row.js';

/** The `findings` row of one finding (its findings.jsonl line in `json`). */
export function findingRow(f: Finding, scanId: string, host: string, collection: string, origin = 'scan'): Record<string, unknown> {
  return storedFindingRow(f, JSON.stringify(f), { scanId, host, collection, origin });
}

export interface StoredCollection {
  host: string;
  collection: string;
  findings: readonly Finding[];
  summary: ScanSummary;
  /** The scan's verdict kind ('compromised', ...). */
  verdict: string;
  build?: string;
}

/** A collection as ingest would leave it: one `scans` row, its findings, one complete `evidence` row per coverage kind. */
export async function insertCollections(c: StoreClient, cols: readonly StoredCollection[]): Promise<void> {
  const scans: object[] = [];
  const findings: object[] = [];
  const evidence: object[] = [];
  for (const col of cols) {
    const scanId = createHash('sha256').update(`${col.host}|${col.collection}|${col.summary.startedAt}`).digest('hex').slice(0, 32);
    const started = timeParts(col.summary.startedAt).t;
    const finished = timeParts(col.summary.finishedAt).t;
    scans.push({ scan_id: scanId, host: col.host, collection: col.collection, build: col.build ?? col.summary.exposure?.builds.at(-1)?.build ?? '', verdict: col.verdict, exhunt_version: col.summary.tool.version, ruleset_hash: '', started, finished, summary: JSON.stringify(col.summary) });
    for (const f of col.findings) findings.push(findingRow(f, scanId, col.host, col.collection));
    for (const k of col.summary.coverage) {
      evidence.push({
        host: col.host, collection: col.collection, path: `${k.kind}/log`, kind: k.kind.split(':')[0], size: k.bytes, sha256: '', ingest_id: scanId, complete: 1,
        events: k.lines, first_t: timeParts(k.first).t, last_t: timeParts(k.last).t, coverage: JSON.stringify(k), scan_id: scanId, ingested_at: finished,
      });
    }
  }
  await c.insert('scans', scans);
  for (let i = 0; i < findings.length; i += 20_000) await c.insert('findings', findings.slice(i, i + 20_000));
  await c.insert('evidence', evidence);
}
