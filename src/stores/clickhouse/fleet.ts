// writeFleet: `exhunt fleet`'s outputs from the store — hosts/<host>/ (each server's usual outputs rebuilt from its
// stored findings, no rescan), the fleet-wide timelines, fleet.html, fleet.json, attack-layer.json and stix.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Finding } from '../../finding.js';
import { attackCatalog } from '../../attack/index.js';
import {
  buildModel, fleetHtml, fleetJson, fleetLayer, fleetStix, FindingsLoader, hostDirs, OrderedOutputs, summaryFromFindings, writeModelReports, type FleetModel,
} from '../../reporters/index.js';
import type { StoreClient } from './client.js';
import type { TakenSummary } from '../../engines/activity/index.js';
import { findingsByHost, findingsByTime, scanRows, hostFindingRows, type FleetScope } from './fleet-queries.js';
import { buildFleetModel, parseSummary, type HostReportFacts } from './fleet-model.js';

export const FLEET_FILES = ['fleet.html', 'fleet.json', 'timeline.csv', 'timeline.jsonl', 'attack-layer.json', 'stix.json'] as const;

export interface FleetOptions {
  scope: FleetScope;
  /** Build hosts/<host>/ (default true); without them the page's episodes are unknown and its links dangle. */
  hostReports?: boolean;
  sink?: DiagnosticSink;
}

export interface FleetResult {
  model: FleetModel;
  files: string[];
  hostDirs: number;
}

/** hosts/<dir>/: findings.jsonl, the timelines, report.html, attack-layer.json and stix.json of each host in scope. */
async function writeHostReports(c: StoreClient, outDir: string, scope: FleetScope, sink?: DiagnosticSink): Promise<Map<string, HostReportFacts>> {
  const catalog = attackCatalog();
  const [scans, stats] = await Promise.all([scanRows(c, scope), hostFindingRows(c, scope)]);
  const names = [...new Set([...scans.map((r) => r.host), ...stats.map((r) => r.host)])].sort();
  const dirs = hostDirs(names);
  const newest = new Map<string, (typeof scans)[number]>();
  for (const r of scans) if (!newest.has(r.host) || newest.get(r.host)!.finished_at < r.finished_at) newest.set(r.host, r);
  const facts = new Map<string, HostReportFacts>();

  const finishHost = async (host: string, loader: FindingsLoader): Promise<void> => {
    const dir = join(outDir, 'hosts', dirs.get(host)!);
    const out = await OrderedOutputs.open(dir, catalog, true);
    try {
      const digest = await loader.finish((f, json) => out.write(f, json));
      await out.close();
      const row = newest.get(host);
      const summary = (row && parseSummary(row)) || summaryFromFindings(digest, host);
      const model = buildModel(digest, summary, row ? parseTaken(row.taken) : null);
      await writeModelReports(dir, model);
      facts.set(host, { episodes: model.episodes.length, verdict: model.verdict.kind });
    } catch (e) {
      out.destroy();
      throw e;
    }
  };

  let current: string | null = null;
  let loader: FindingsLoader | null = null;
  let line = 0;
  try {
    for await (const r of findingsByHost(c, scope)) {
      if (r.host !== current) {
        if (current !== null && loader) await finishHost(current, loader);
        loader?.dispose();
        current = r.host;
        loader = new FindingsLoader(sink);
        line = 0;
      }
      loader!.add(r.json, `store:findings/${r.host}`, ++line);
    }
    if (current !== null && loader) await finishHost(current, loader);
  } finally {
    loader?.dispose();
  }
  // hosts with a scan but no finding in scope still get their (clean) report
  for (const host of names) {
    if (facts.has(host)) continue;
    const empty = new FindingsLoader(sink);
    try {
      await finishHost(host, empty);
    } finally {
      empty.dispose();
    }
  }
  return facts;
}

/** timeline.csv / timeline.jsonl across the fleet, in time order, the store's host on every row. */
async function writeFleetTimelines(c: StoreClient, outDir: string, scope: FleetScope, sink?: DiagnosticSink): Promise<void> {
  const out = await OrderedOutputs.open(outDir, attackCatalog(), false);
  try {
    let n = 0;
    for await (const r of findingsByTime(c, scope)) {
      n++;
      let f: Finding;
      try {
        f = JSON.parse(r.json) as Finding;
      } catch (e) {
        sink?.({ code: 'REPORT_BAD_INPUT', severity: 'warning', message: `not JSON: ${(e as Error).message}`, location: { path: `store:findings/${r.host}`, line: n } });
        continue;
      }
      if (!f || typeof f !== 'object' || !f.rule || !f.evidence || !f.fields) continue; // reported once, by the host's report
      await out.write({ ...f, host: r.host, attack: Array.isArray(f.attack) ? f.attack : [], cves: Array.isArray(f.cves) ? f.cves : [] }, r.json);
    }
    await out.close();
  } catch (e) {
    out.destroy();
    throw e;
  }
}

export async function writeFleet(c: StoreClient, outDir: string, opts: FleetOptions): Promise<FleetResult> {
  await mkdir(outDir, { recursive: true });
  const catalog = attackCatalog();
  const reports = opts.hostReports === false ? null : await writeHostReports(c, outDir, opts.scope, opts.sink);
  await writeFleetTimelines(c, outDir, opts.scope, opts.sink);
  const model = await buildFleetModel(c, opts.scope, catalog, reports, opts.sink);
  await writeFile(join(outDir, 'fleet.html'), fleetHtml(model), 'utf8');
  await writeFile(join(outDir, 'fleet.json'), JSON.stringify(fleetJson(model), null, 2) + '\n', 'utf8');
  await writeFile(join(outDir, 'attack-layer.json'), JSON.stringify(fleetLayer(model, catalog), null, 2) + '\n', 'utf8');
  await writeFile(join(outDir, 'stix.json'), JSON.stringify(fleetStix(model), null, 2) + '\n', 'utf8');
  return { model, files: [...FLEET_FILES], hostDirs: reports?.size ?? 0 };
}

/** The stored "what was taken" of a host's newest scan, or null (none made, or not readable as one). */
function parseTaken(text: string): TakenSummary | null {
  if (!text) return null;
  try {
    const t = JSON.parse(text) as TakenSummary;
    return t && typeof t === 'object' && Array.isArray(t.mailboxes) ? t : null;
  } catch {
    return null;
  }
}
