// `exhunt ingest`: a collection's usual scan (findings and summary) and every event its readers yield, kept in the
// store. Idempotent per (host, evidence path, SHA-256); an attempt's events become visible only once its evidence
// row says complete, so a killed ingest leaves nothing half-visible and a re-run finishes the job.
import { createHash, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { DiagnosticSink } from '../diagnostics.js';
import { hunt, type HuntOptions, type HuntProgress } from '../hunt.js';
import type { Evidence } from '../evidence/evidence.js';
import { ArchiveSession, CollectionRecords, discover } from '../evidence/index.js';
import type { Finding } from '../finding.js';
import type { ScanSummary } from '../summary.js';
import { detectProxies } from '../readers/index.js';
import { ensureSchema, findingRow, timeParts, type StoreClient } from '../stores/index.js';
import { buildModel } from '../reporters/index.js';
import type { FileDone, FileTask } from './file-rows.js';
import { readFiles } from './pool.js';
import { EventWriter } from './writer.js';

export interface IngestCollection {
  /** The collection's name as the scan names it (archive or folder name). */
  name: string;
  inputs: string[];
}

export interface IngestOptions {
  store: StoreClient;
  collection: IngestCollection;
  /** --host; else the host the collection names (client_info.json, KAPE's folder, EVTX Computer, log fields). */
  host?: string;
  /** Options of the scan run on the collection (rules, workers, passwords...). */
  scan?: Omit<HuntOptions, 'inputs' | 'onFinding' | 'onProgress' | 'onDiagnostic'>;
  onProgress?: (p: HuntProgress) => void;
  onDiagnostic?: DiagnosticSink;
}

export interface IngestResult {
  host: string;
  collection: string;
  scanId: string;
  /** False when this scan (same host, files, rules) was already stored. */
  scanStored: boolean;
  findings: number;
  files: { total: number; written: number; skipped: number };
  events: number;
  /** What the collection's scan concluded, for the terminal. */
  verdictFindings: number;
}

/**
 * The host of a collection: --host; else the host its scan found (summary.hosts: Velociraptor's client_info.json,
 * KAPE's machine folder, EVTX Computer, Exchange and IIS fields naming the server — the collection with the most
 * files where one input holds several); else the collection's name, the only name left.
 */
export function collectionHost(c: IngestCollection, given?: string, summary?: Pick<ScanSummary, 'hosts'>): string {
  if (given && given.trim() !== '') return given.trim();
  const found = (summary?.hosts ?? []).filter((h) => h.host !== null).sort((a, b) => b.files - a.files)[0]?.host?.name;
  return found && found.trim() !== '' ? found.trim() : c.name;
}

const SECS = (iso: string | null | undefined): number => timeParts(iso).t;

/** Ingests one collection; see the head of this file for the guarantees. */
export async function ingest(opts: IngestOptions): Promise<IngestResult> {
  const { store, collection } = opts;
  await ensureSchema(store);

  // 1. The usual scan. Its findings are kept for one insert (a scan's findings are few next to its events).
  const findings: object[] = [];
  const pending: { f: Finding; json: string }[] = [];
  const result = await hunt({
    ...opts.scan,
    inputs: collection.inputs,
    onFinding: (f, json) => void pending.push({ f, json }),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.onDiagnostic ? { onDiagnostic: opts.onDiagnostic } : {}),
  });
  const summary = result.summary;
  const host = collectionHost(collection, opts.host, summary);
  const hashes = new Map((summary.custody?.evidence ?? []).map((e) => [e.path, e.sha256 ?? '']));
  // The scan's identity: the same host, files (by hash), exhunt and rules give the same scan, stored once.
  const key = createHash('sha256');
  for (const part of [host, collection.name, summary.tool.version, summary.custody?.sigmaRulesSha256 ?? '']) key.update(part + '\0');
  for (const [p, h] of [...hashes].sort((a, b) => (a[0] < b[0] ? -1 : 1))) key.update(`${p}\0${h}\0`);
  const scanId = key.digest('hex').slice(0, 32);
  for (const { f, json } of pending) findings.push(findingRow(f, json, { scanId, host, collection: collection.name }));

  const seen = await store.rows<{ n: number }>('SELECT count() AS n FROM scans WHERE scan_id = {s:String}', { s: scanId });
  const scanStored = Number(seen[0]?.n ?? 0) === 0;
  if (scanStored) {
    // Findings in one insert, then the scans row that marks them stored: a crash between leaves findings a re-run
    // finds (by scan_id) and does not write again.
    const had = await store.rows<{ n: number }>('SELECT count() AS n FROM findings WHERE scan_id = {s:String}', { s: scanId });
    if (Number(had[0]?.n ?? 0) === 0) await store.insert('findings', findings);
    // the report's verdict (compromised / exploitation-attempted / exposed / no-evidence), which the fleet view reads
    const verdict = buildModel(result.digest, summary, result.taken).verdict.kind;
    await store.insert('scans', [{
      scan_id: scanId,
      host,
      collection: collection.name,
      build: summary.exposure?.builds?.[0]?.build ?? '',
      verdict,
      exhunt_version: summary.tool.version,
      ruleset_hash: summary.custody?.sigmaRulesSha256 ?? '',
      started: SECS(summary.startedAt),
      finished: SECS(summary.finishedAt),
      summary: JSON.stringify(summary),
      taken: result.taken ? JSON.stringify(result.taken) : '',
    }]);
  }

  // 2. The events, file by file: a file whose (host, path, SHA-256) is complete is skipped.
  const done = new Set(
    (await store.rows<{ path: string; sha256: string }>('SELECT path, sha256 FROM evidence WHERE host = {h:String} AND complete = 1', { h: host }))
      .map((r) => `${r.path}\0${r.sha256}`),
  );
  const archives = new ArchiveSession({ password: opts.scan?.archivePassword ?? null, ...(opts.scan?.archiveLimits ? { limits: opts.scan.archiveLimits } : {}) });
  const files = { total: 0, written: 0, skipped: 0 };
  let events = 0;
  const writer = new EventWriter(store);
  try {
    const evidence: Evidence[] = [];
    const records = new CollectionRecords();
    for await (const ev of discover(collection.inputs, () => {}, { archives, records })) evidence.push(ev);
    records.apply(evidence);
    const proxies = { given: opts.scan?.trustedProxies ?? [], detected: await detectProxies(evidence) };
    const progress: HuntProgress = { phase: 'store', filesDone: 0, filesTotal: evidence.length, bytesDone: 0, bytesTotal: evidence.reduce((n, e) => n + e.size, 0) };
    files.total = evidence.length;
    const tasks: FileTask[] = [];
    const sizes: number[] = [];
    for (const ev of evidence) {
      const sha256 = hashes.get(ev.path) ?? ev.sha256 ?? '';
      if (done.has(`${ev.path}\0${sha256}`)) {
        files.skipped++;
        progress.filesDone++;
        progress.bytesDone += ev.size;
        continue;
      }
      tasks.push({ evidence: ev, row: { host, collection: collection.name, sha256, ingestId: randomUUID() }, proxies });
      sizes.push(ev.size);
    }
    opts.onProgress?.(progress);
    // Files are read on worker threads (as the scan reads them); this thread writes what they give.
    for await (const m of readFiles(tasks, opts.scan?.workers ?? availableParallelism())) {
      if ('chunk' in m) {
        await writer.add(m.chunk.lines, m.chunk.count);
        continue;
      }
      events += m.done.events;
      files.written++;
      await writer.fileDone(evidenceRow(tasks[m.file]!, m.done, scanId));
      progress.filesDone++;
      progress.bytesDone += sizes[m.file]!;
      opts.onProgress?.(progress);
    }
    await writer.flush();
  } finally {
    archives.dispose();
  }
  return { host, collection: collection.name, scanId, scanStored, findings: findings.length, files, events, verdictFindings: summary.counts.findings };
}

/** A file's evidence row: written once its events are (EventWriter), it makes them visible. */
function evidenceRow(task: FileTask, t: FileDone, scanId: string): object {
  const ev = task.evidence;
  return {
    host: task.row.host,
    collection: task.row.collection,
    path: ev.path,
    kind: ev.kind,
    size: ev.size,
    sha256: task.row.sha256,
    ingest_id: task.row.ingestId,
    complete: 1,
    events: t.events,
    first_t: t.firstT,
    last_t: t.lastT,
    coverage: JSON.stringify(t.coverage),
    scan_id: scanId,
    ingested_at: Math.floor(Date.now() / 1000),
  };
}
