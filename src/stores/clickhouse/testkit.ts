// The store's test and benchmark support (left out of the package): a scan's findings, summary and evidence written
// by direct inserts (the rows `exhunt ingest` writes), so fleets of any size can be made without reading evidence.
import { createHash } from 'node:crypto';
import type { Finding } from '../../finding.js';
import type { ScanSummary } from '../../summary.js';
import type { StoreClient } from './client.js';
import { findingIndicators } from './indicators.js';

const sec = (iso: string | null): { t: number; us: number; has: number } => {
  const ms = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(ms) || ms < 0) return { t: 0, us: 0, has: 0 };
  return { t: Math.floor(ms / 1000), us: (ms % 1000) * 1000, has: 1 };
};

/** The `findings` row of one finding (its findings.jsonl line in `json`). */
export function findingRow(f: Finding, scanId: string, host: string, collection: string, origin = 'scan'): Record<string, unknown> {
  const { t, us, has } = sec(f.time);
  const ind = findingIndicators(f);
  return {
    scan_id: scanId, host, collection, origin, engine: f.engine, level: f.level, rule_id: f.rule.id, rule_title: f.rule.title,
    t, us, has_time: has, path: f.evidence.path, line: f.evidence.line ?? 0, record: f.evidence.record ?? 0, kind: f.evidence.kind,
    cves: f.cves, attack: f.attack, ind_types: ind.types, ind_values: ind.values, message: f.message ?? '', json: JSON.stringify(f),
  };
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
    const started = sec(col.summary.startedAt).t;
    const finished = sec(col.summary.finishedAt).t;
    scans.push({ scan_id: scanId, host: col.host, collection: col.collection, build: col.build ?? col.summary.exposure?.builds.at(-1)?.build ?? '', verdict: col.verdict, exhunt_version: col.summary.tool.version, ruleset_hash: '', started, finished, summary: JSON.stringify(col.summary) });
    for (const f of col.findings) findings.push(findingRow(f, scanId, col.host, col.collection));
    for (const k of col.summary.coverage) {
      evidence.push({
        host: col.host, collection: col.collection, path: `${k.kind}/log`, kind: k.kind.split(':')[0], size: k.bytes, sha256: '', ingest_id: scanId, complete: 1,
        events: k.lines, first_t: sec(k.first).t, last_t: sec(k.last).t, coverage: JSON.stringify(k), scan_id: scanId, ingested_at: finished,
      });
    }
  }
  await c.insert('scans', scans);
  for (let i = 0; i < findings.length; i += 20_000) await c.insert('findings', findings.slice(i, i + 20_000));
  await c.insert('evidence', evidence);
}
