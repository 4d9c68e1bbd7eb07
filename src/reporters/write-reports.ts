// writeReports: every export of a scan into an output folder (report.html, timeline.csv, timeline.jsonl,
// attack-layer.json, stix.json). findings.jsonl, summary.json and taken.json are the lead's (hunt) to write.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding } from '../finding.js';
import type { ScanSummary } from '../summary.js';
import type { TakenSummary } from '../engines/activity/index.js';
import { buildModel } from './model.js';
import { reportHtml } from './html/index.js';
import { timelineCsv } from './csv-timeline.js';
import { timesketchJsonl } from './timesketch.js';
import { navigatorLayer } from './navigator.js';
import { stixBundle } from './stix.js';

export const REPORT_FILES = ['report.html', 'timeline.csv', 'timeline.jsonl', 'attack-layer.json', 'stix.json'] as const;

/** Writes the report files into outDir (created if needed); returns the file names written. */
export async function writeReports(outDir: string, findings: Finding[], summary: ScanSummary, taken: TakenSummary | null): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const model = buildModel(findings, summary, taken);
  const files: [string, string][] = [
    ['report.html', reportHtml(model)],
    ['timeline.csv', timelineCsv(findings, model.catalog)],
    ['timeline.jsonl', timesketchJsonl(findings, model.catalog).text],
    ['attack-layer.json', JSON.stringify(navigatorLayer(model), null, 2) + '\n'],
    ['stix.json', JSON.stringify(stixBundle(model), null, 2) + '\n'],
  ];
  for (const [name, text] of files) await writeFile(join(outDir, name), text, 'utf8');
  return files.map(([name]) => name);
}
