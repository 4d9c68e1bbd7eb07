// writeReports: every export of a scan into an output folder (report.html, timeline.csv, timeline.jsonl,
// attack-layer.json, stix.json). findings.jsonl, summary.json and taken.json are the lead's (hunt) to write.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Finding } from '../finding.js';
import type { ScanSummary } from '../summary.js';
import type { TakenSummary } from '../engines/activity/index.js';
import { buildModel } from './model.js';
import { reportHtml } from './html/index.js';
import { timelineCsvChunks } from './csv-timeline.js';
import { timesketchChunks } from './timesketch.js';
import { navigatorLayer } from './navigator.js';
import { stixBundle } from './stix.js';

export const REPORT_FILES = ['report.html', 'timeline.csv', 'timeline.jsonl', 'attack-layer.json', 'stix.json'] as const;

/** Writes the report files into outDir (created if needed); returns the file names written. */
export async function writeReports(outDir: string, findings: Finding[], summary: ScanSummary, taken: TakenSummary | null): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const model = buildModel(findings, summary, taken);
  // One file at a time; the timelines (a row per finding) go out in chunks, never as one whole string.
  await writeFile(join(outDir, 'report.html'), reportHtml(model), 'utf8');
  await writeChunks(join(outDir, 'timeline.csv'), timelineCsvChunks(findings, model.catalog));
  await writeChunks(join(outDir, 'timeline.jsonl'), timesketchChunks(findings, model.catalog));
  await writeFile(join(outDir, 'attack-layer.json'), JSON.stringify(navigatorLayer(model), null, 2) + '\n', 'utf8');
  await writeFile(join(outDir, 'stix.json'), JSON.stringify(stixBundle(model), null, 2) + '\n', 'utf8');
  return [...REPORT_FILES];
}

/** Writes text chunks to a file, waiting for the stream to drain when it asks to. */
async function writeChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = once(out, 'error').then(([err]) => {
    throw err as Error;
  });
  failed.catch(() => {}); // seen by the races below; never an unhandled rejection in between
  try {
    for (const chunk of chunks) if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  } finally {
    out.destroy();
  }
}
