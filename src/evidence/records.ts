// The collection's own records of the files it copied (research/formats.md §6): KAPE's *_copylog.csv and
// Velociraptor's upload rows (results/…%2FUploads.json), giving each file its true times and the collector's hash.
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import type { DiagnosticSink } from '../diagnostics.js';
import type { Evidence, RecordedFile, RecordSource } from './evidence.js';
import { windowsPath } from './layout.js';
import { clientInfoHost } from './host.js';

/** A Windows path as a key: device prefixes dropped ('\\.\C:' → 'C:'), '\' separators, lower case. */
export function pathKey(p: string): string {
  return p.replace(/\//g, '\\').replace(/^\\\\[.?]\\/, '').toLowerCase();
}

/** A collector's time ('2021-03-03 06:15:01.1234567', RFC 3339 with 7 digits) as UTC ISO 8601, or null. */
export function recordedTime(s: unknown): string | null {
  if (typeof s !== 'string' || s.trim() === '') return null;
  let t = s.trim().replace(' ', 'T');
  t = t.replace(/(\.\d{3})\d+/, '$1');
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(t)) t += 'Z';
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const hex = (s: unknown): string | null => (typeof s === 'string' && /^[0-9a-f]{40,64}$/i.test(s.trim()) ? s.trim().toLowerCase() : null);

export function parseKapeCopyLog(text: string): Map<string, RecordedFile> {
  const out = new Map<string, RecordedFile>();
  const rows = parseCsv(text.replace(/^\uFEFF/, ''), { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), relax_column_count: true, skip_empty_lines: true }) as Record<string, string>[];
  for (const r of rows) {
    if (!r['sourcefile']) continue;
    out.set(pathKey(r['sourcefile']), {
      source: 'kape-copylog',
      created: recordedTime(r['createdonutc']),
      modified: recordedTime(r['modifiedonutc']),
      accessed: recordedTime(r['lastaccessedonutc']),
      sha1: hex(r['sourcefilesha1']),
      sha256: null,
    });
  }
  return out;
}

export function parseVelociraptorUploads(text: string, sink: DiagnosticSink, where: string): Map<string, RecordedFile> {
  const out = new Map<string, RecordedFile>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      sink({ code: 'JSON_BAD_RECORD', severity: 'warning', message: 'upload metadata row is not JSON', location: { path: where, line: i + 1 } });
      return;
    }
    if (typeof r['SourceFile'] !== 'string') return;
    out.set(pathKey(r['SourceFile']), {
      source: 'velociraptor-uploads',
      created: recordedTime(r['Created']),
      modified: recordedTime(r['Modified']),
      accessed: recordedTime(r['LastAccessed']),
      sha1: null,
      sha256: hex(r['SourceFileSha256']),
    });
  });
  return out;
}

/** A Velociraptor results file holding upload rows (Windows.KapeFiles.Targets/Uploads, Windows.Triage.Targets/…). */
export function isUploadResults(name: string): boolean {
  return /(%2F|\/)Uploads\.json$/i.test(name);
}

/** The records of every collection in a scan, each applying to the evidence under its folder (prefix). */
export class CollectionRecords {
  private readonly sets: { prefix: string; files: Map<string, RecordedFile> }[] = [];
  /** Velociraptor's client_info.json of each collection: the host it was taken from (host.ts). */
  readonly clientInfos: { prefix: string; host: string; citedAs: string }[] = [];
  /** The folders holding a KAPE copy log: KAPE collection roots even where their drive folder looks unusual. */
  readonly copyLogPrefixes = new Set<string>();

  /** Reads a Velociraptor client_info.json (a small JSON object); an unreadable one is a warning. */
  addClientInfo(absPath: string, prefix: string, citedAs: string, sink: DiagnosticSink): void {
    let host: string | null = null;
    try {
      host = clientInfoHost(readFileSync(absPath, 'utf8'));
    } catch (err) {
      sink({ code: 'NOT_READABLE', severity: 'warning', message: `cannot read the collection's client_info.json: ${(err as Error).message}`, location: { path: citedAs } });
      return;
    }
    if (host === null) sink({ code: 'JSON_BAD_RECORD', severity: 'warning', message: 'client_info.json names no host (Hostname/Fqdn)', location: { path: citedAs } });
    else this.clientInfos.push({ prefix, host, citedAs });
  }

  /** Reads one record file; `prefix` is the cited path of the collection's folder ('' or ending in '/'). */
  addFile(kind: RecordSource, absPath: string, prefix: string, citedAs: string, sink: DiagnosticSink): void {
    let text: string;
    try {
      text = readFileSync(absPath, 'utf8');
    } catch (err) {
      sink({ code: 'NOT_READABLE', severity: 'warning', message: `cannot read the collection's records: ${(err as Error).message}`, location: { path: citedAs } });
      return;
    }
    try {
      const files = kind === 'kape-copylog' ? parseKapeCopyLog(text) : parseVelociraptorUploads(text, sink, citedAs);
      if (kind === 'kape-copylog') this.copyLogPrefixes.add(prefix);
      if (files.size > 0) this.sets.push({ prefix, files });
    } catch (err) {
      sink({ code: 'LOG_BAD_LINE', severity: 'warning', message: `copy log not readable as CSV: ${(err as Error).message}`, location: { path: citedAs } });
    }
  }

  get size(): number {
    return this.sets.length;
  }

  /**
   * Gives each evidence file under a collection with records its record, or null when the collection keeps
   * records but not of this file (its times are then the copy's, and findings say so).
   */
  apply(evidence: Evidence[]): void {
    if (this.sets.length === 0) return;
    const sets = [...this.sets].sort((a, b) => b.prefix.length - a.prefix.length);
    for (const ev of evidence) {
      const mine = sets.filter((s) => ev.path.startsWith(s.prefix));
      if (mine.length === 0) continue;
      const win = windowsPath(ev.path.slice(mine[0]!.prefix.length));
      let found: RecordedFile | null = null;
      if (win !== null) for (const s of mine) if ((found = s.files.get(pathKey(win)) ?? null)) break;
      ev.recorded = found;
    }
  }
}
