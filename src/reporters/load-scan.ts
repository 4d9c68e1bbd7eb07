// loadScan: reads an earlier scan back (findings.jsonl + summary.json + optional taken.json, from a folder or
// beside a findings file) so `exhunt report` can rebuild the report without rescanning. Bad lines → diagnostics.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DiagnosticSink } from '../diagnostics.js';
import { HuntError } from '../diagnostics.js';
import type { Finding, Level } from '../finding.js';
import { isLevel, LEVELS } from '../finding.js';
import type { ScanSummary } from '../summary.js';
import type { TakenSummary } from '../engines/activity/index.js';

export interface LoadedScan {
  findings: Finding[];
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
export function summaryFromFindings(findings: Finding[], input: string): ScanSummary {
  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  for (const f of findings) byLevel[f.level]++;
  const times = findings.map((f) => f.time).filter((t): t is string => t !== null).sort();
  const now = new Date().toISOString();
  return {
    tool: { name: 'exhunt', version: 'unknown' },
    startedAt: times[0] ?? now,
    finishedAt: times.at(-1) ?? now,
    inputs: [input],
    options: { minLevel: 'informational', since: null, until: null },
    files: { total: 0, bytes: 0, byKind: {}, skipped: [] },
    events: { total: 0, skipped: 0 },
    coverage: [],
    coverageWarnings: ['summary.json was missing: coverage, exposure and rule statistics are unknown for this report.'],
    rules: { sigma: { loaded: 0, failed: 0, inactive: 0 }, yara: null, iocs: null },
    counts: { findings: findings.length, byLevel, byRule: [] },
    exposure: null,
    diagnostics: { total: 0, byCode: {}, items: [] },
  };
}

export async function loadScan(dirOrFindingsFile: string, sink?: DiagnosticSink): Promise<LoadedScan> {
  let st;
  try {
    st = await stat(dirOrFindingsFile);
  } catch (e) {
    throw new HuntError('NOT_READABLE', `cannot read ${dirOrFindingsFile}`, { path: dirOrFindingsFile }, { cause: e });
  }
  const dir = st.isDirectory() ? dirOrFindingsFile : dirname(dirOrFindingsFile);
  const findingsPath = st.isDirectory() ? join(dir, 'findings.jsonl') : dirOrFindingsFile;
  const findings: Finding[] = [];
  let lineNo = 0;
  try {
    const rl = createInterface({ input: createReadStream(findingsPath, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of rl) {
      lineNo++;
      if (line.trim() === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        sink?.({ code: 'REPORT_BAD_INPUT', severity: 'warning', message: `not JSON: ${(e as Error).message}`, location: { path: findingsPath, line: lineNo } });
        continue;
      }
      if (isFinding(v)) findings.push(v);
      else sink?.({ code: 'REPORT_BAD_INPUT', severity: 'warning', message: 'not a finding (missing engine, level, rule, evidence, attack, cves, time or fields)', location: { path: findingsPath, line: lineNo } });
    }
  } catch (e) {
    throw new HuntError('NOT_READABLE', `cannot read ${findingsPath}: ${(e as Error).message}`, { path: findingsPath }, { cause: e });
  }
  let summary = await readJson<ScanSummary>(join(dir, 'summary.json'));
  if (!summary || typeof summary !== 'object' || !summary.counts || !summary.tool) {
    sink?.({ code: 'REPORT_BAD_INPUT', severity: 'warning', message: 'summary.json missing or not a scan summary; the report lacks coverage and exposure', location: { path: join(dir, 'summary.json') } });
    summary = summaryFromFindings(findings, basename(dir) === '' ? dir : dir);
  }
  const taken = await readJson<TakenSummary>(join(dir, 'taken.json'));
  return { findings, summary, taken: taken && Array.isArray(taken.mailboxes) ? taken : null };
}
