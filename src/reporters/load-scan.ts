// loadScan: reads an earlier scan back (findings.jsonl of any size, streamed; summary.json; taken.json) from a
// folder or beside a findings file, so `exhunt report` rebuilds the report without rescanning. Bad lines → diagnostics.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DiagnosticSink } from '../diagnostics.js';
import { HuntError } from '../diagnostics.js';
import type { Finding } from '../finding.js';
import { findingOrderKey, isLevel } from '../finding.js';
import { SpillSorter } from '../spill/index.js';
import { FindingsDigest } from './digest.js';
import type { ScanSummary } from '../summary.js';
import type { TakenSummary } from '../engines/activity/index.js';

export interface LoadedScan {
  /** The findings read, as the report's bounded aggregates. */
  digest: FindingsDigest;
  summary: ScanSummary;
  taken: TakenSummary | null;
}

function isFinding(v: unknown): v is Finding {
  if (!v || typeof v !== 'object') return false;
  const f = v as Partial<Finding>;
  return (
    typeof f.engine === 'string' &&
    typeof f.level === 'string' && isLevel(f.level) &&
    !!f.rule && typeof f.rule.id === 'string' && typeof f.rule.title === 'string' &&
    !!f.evidence && typeof f.evidence.path === 'string' &&
    Array.isArray(f.attack) && Array.isArray(f.cves) &&
    (f.time === null || typeof f.time === 'string') &&
    !!f.fields && typeof f.fields === 'object'
  );
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new HuntError('REPORT_BAD_INPUT', `cannot read ${path}: ${(e as Error).message}`, { path }, { cause: e });
  }
}

/** A summary made from the findings alone, when summary.json is missing. */
export function summaryFromFindings(input: FindingsDigest | readonly Finding[], source: string): ScanSummary {
  const d = input instanceof FindingsDigest ? input : FindingsDigest.of(input);
  const now = new Date().toISOString();
  return {
    tool: { name: 'exhunt', version: 'unknown' },
    startedAt: d.first ?? now,
    finishedAt: d.last ?? now,
    inputs: [source],
    options: { minLevel: 'informational', since: null, until: null },
    files: { total: 0, bytes: 0, byKind: {}, skipped: [] },
    events: { total: 0, skipped: 0 },
    coverage: [],
    coverageWarnings: ['summary.json was missing: coverage, exposure and rule statistics are unknown for this report.'],
    rules: { sigma: { loaded: 0, failed: 0, inactive: 0 }, yara: null, iocs: null },
    counts: { findings: d.count, byLevel: { ...d.byLevel }, byRule: [] },
    exposure: null,
    diagnostics: { total: 0, byCode: {}, items: [] },
  };
}

/**
 * Reads a scan back. findings.jsonl is streamed line by line (any size) through the same spill-and-merge as a
 * scan, so `onFinding` sees the findings in output order and the digest is the one the scan would have made.
 */
export async function loadScan(dirOrFindingsFile: string, sink?: DiagnosticSink, onFinding?: (f: Finding, json: string) => void | Promise<void>): Promise<LoadedScan> {
  let st;
  try {
    st = await stat(dirOrFindingsFile);
  } catch (e) {
    throw new HuntError('NOT_READABLE', `cannot read ${dirOrFindingsFile}`, { path: dirOrFindingsFile }, { cause: e });
  }
  const dir = st.isDirectory() ? dirOrFindingsFile : dirname(dirOrFindingsFile);
  const findingsPath = st.isDirectory() ? join(dir, 'findings.jsonl') : dirOrFindingsFile;
  const loader = new FindingsLoader(sink);
  try {
    return await loadSorted(dir, findingsPath, loader, sink, onFinding);
  } finally {
    loader.dispose();
  }
}

/**
 * Findings given as findings.jsonl lines (from a file or a store), sorted into output order through the same
 * spill-and-merge as a scan; `finish` makes the digest the scan would have made. Bad lines → diagnostics.
 */
export class FindingsLoader {
  private readonly sorter = new SpillSorter<Finding>({ key: findingOrderKey, serialize: JSON.stringify, parse: JSON.parse });
  constructor(private readonly sink?: DiagnosticSink) {}

  /** One line; `path` and `line` say where it came from, for diagnostics. */
  add(text: string, path: string, line: number): void {
    if (text.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      this.sink?.({ code: 'REPORT_BAD_INPUT', severity: 'warning', message: `not JSON: ${(e as Error).message}`, location: { path, line } });
      return;
    }
    if (isFinding(v)) this.sorter.add(v);
    else this.sink?.({ code: 'REPORT_BAD_INPUT', severity: 'warning', message: 'not a finding (missing engine, level, rule, evidence, attack, cves, time or fields)', location: { path, line } });
  }

  /** The findings in output order through `onFinding`, and their digest. */
  async finish(onFinding?: (f: Finding, json: string) => void | Promise<void>): Promise<FindingsDigest> {
    const digest = new FindingsDigest();
    for (const { item, line } of this.sorter.drain()) {
      digest.add(item);
      await onFinding?.(item, line);
    }
    return digest;
  }

  dispose(): void {
    this.sorter.dispose();
  }
}

async function loadSorted(dir: string, findingsPath: string, loader: FindingsLoader, sink?: DiagnosticSink, onFinding?: (f: Finding, json: string) => void | Promise<void>): Promise<LoadedScan> {
  let lineNo = 0;
  try {
    const rl = createInterface({ input: createReadStream(findingsPath, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of rl) loader.add(line, findingsPath, ++lineNo);
  } catch (e) {
    throw new HuntError('NOT_READABLE', `cannot read ${findingsPath}: ${(e as Error).message}`, { path: findingsPath }, { cause: e });
  }
  const digest = await loader.finish(onFinding);
  let summary = await readJson<ScanSummary>(join(dir, 'summary.json'));
  if (!summary || typeof summary !== 'object' || !summary.counts || !summary.tool) {
    sink?.({ code: 'REPORT_BAD_INPUT', severity: 'warning', message: 'summary.json missing or not a scan summary; the report lacks coverage and exposure', location: { path: join(dir, 'summary.json') } });
    summary = summaryFromFindings(digest, basename(dir) === '' ? dir : dir);
  }
  const taken = await readJson<TakenSummary>(join(dir, 'taken.json'));
  return { digest, summary, taken: taken && Array.isArray(taken.mailboxes) ? taken : null };
}
