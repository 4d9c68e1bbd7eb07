// writeReports: every export of a scan into an output folder (report.html, timeline.csv, timeline.jsonl,
// attack-layer.json, stix.json) from the findings' digest; the timelines stream past in OrderedOutputs.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Finding } from '../finding.js';
import type { ScanSummary } from '../summary.js';
import type { TakenSummary } from '../engines/activity/index.js';
import { buildModel, type ReportModel } from './model.js';
import { FindingsDigest } from './digest.js';
import { reportHtml } from './html/index.js';
import { timelineCsvChunks } from './csv-timeline.js';
import { timesketchChunks } from './timesketch.js';
import { navigatorLayer } from './navigator.js';
import { stixBundle } from './stix.js';

export const REPORT_FILES = ['report.html', 'timeline.csv', 'timeline.jsonl', 'attack-layer.json', 'stix.json'] as const;
/** The files made from the digest alone (the timelines are written as the findings stream past: OrderedOutputs). */
export const DIGEST_FILES = ['report.html', 'attack-layer.json', 'stix.json'] as const;

/**
 * Writes report.html, attack-layer.json and stix.json into outDir (created if needed); returns their names.
 * Given findings rather than a digest (tests, small callers), it writes their timelines too.
 */
export async function writeReports(outDir: string, input: FindingsDigest | Finding[], summary: ScanSummary, taken: TakenSummary | null): Promise<string[]> {
  const model = buildModel(input, summary, taken);
  await writeModelReports(outDir, model);
  if (input instanceof FindingsDigest) return [...DIGEST_FILES];
  await writeChunks(join(outDir, 'timeline.csv'), timelineCsvChunks(input, model.catalog));
  await writeChunks(join(outDir, 'timeline.jsonl'), timesketchChunks(input, model.catalog));
  return [...REPORT_FILES];
}

/** Writes report.html, attack-layer.json and stix.json of a model built already (the fleet reads its verdict and episodes). */
export async function writeModelReports(outDir: string, model: ReportModel): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'report.html'), reportHtml(model), 'utf8');
  await writeFile(join(outDir, 'attack-layer.json'), JSON.stringify(navigatorLayer(model), null, 2) + '\n', 'utf8');
  await writeFile(join(outDir, 'stix.json'), JSON.stringify(stixBundle(model), null, 2) + '\n', 'utf8');
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
