// The pipeline in one screen: discover → read → normalise → detect → map ATT&CK → summarise.
// Only this file (and cli/) sees every family; each arrow is an AsyncIterable so memory stays flat.
import { rmSync, statSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic, DiagnosticSink } from './diagnostics.js';
import { DiagnosticCollector, HuntError } from './diagnostics.js';
import type { Evidence } from './evidence/evidence.js';
import { discover, CoverageTracker, coverageWarnings, ArchiveSession, CollectionRecords, hashEvidence, integrityFindings, collectionHosts, type ArchiveLimits } from './evidence/index.js';
import type { Finding, Level } from './finding.js';
import { findingOrderKey, levelRank } from './finding.js';
import { detectProxies } from './readers/index.js';
import { digestRangesApart, findingAux, planShares, revisitInThread, scanInThread, ShareMerger, SharePool, type FoundPart, type OrderedFiles, type OrderedParts, type PlacedParts, type RangeJob, type ShareContext, type WorkerStartup } from './scan/index.js';
import { ClientLedger, parseTrustedProxy } from './normalize/index.js';
import { loadSigmaCached, ruleSetToData } from './engines/sigma/index.js';
import { createExposureCollector } from './engines/exposure/index.js';
import { createFileScanner } from './engines/files/index.js';
import { createActivityCollector, type TakenSummary } from './engines/activity/index.js';
import { addAttackerIndicators, type AttackerIndicators } from './engines/activity/index.js';
import { FindingsDigest, orderedBytes, ShapeBook, timelineCsvHeader, type TimelineLines } from './reporters/index.js';
import { type RunSlice, heldFilesBudget, planRanges, rangeOutputBytes, readRuns, SpillSorter } from './spill/index.js';
import { rulesDir } from './paths.js';
import { attackCatalog, mapAttackTags } from './attack/index.js';
import type { ScanSummary } from './summary.js';
import { version } from './cli/version.js';

export type { OrderedFiles, OrderedParts, PlacedParts, Stretch } from './scan/index.js';

export interface HuntOptions {
  inputs: string[];
  /** Extra Sigma rule files or folders (--sigma). */
  sigma?: string[];
  /** Load exhunt's own rule packs (default true). */
  builtinRules?: boolean;
  placeholdersFile?: string;
  /** The compiled rule cache: true (default) in the user's cache directory, a directory, or false for none. */
  ruleCache?: boolean | string;
  yara?: string[];
  iocs?: string[];
  /** Per-file size limit for content scanning (bytes). */
  maxFileSize?: number;
  minLevel?: Level;
  since?: string | null;
  until?: string | null;
  /** The password of encrypted ZIP collections (AES-256 or ZipCrypto); never written to any output. */
  archivePassword?: string | null;
  /** Limits on what archives may inflate to (bombs); defaults in DEFAULT_LIMITS. */
  archiveLimits?: Partial<ArchiveLimits>;
  /** Proxies in front of the server (--trusted-proxy): CIDRs or addresses whose forwarded headers name the client. */
  trustedProxies?: string[];
  /**
   * Worker threads that read and match the logs (default: the number of cores). 1 is one worker: the matching's
   * heap stays bounded and this thread only merges; 0 reads and matches in this thread (no worker at all).
   * The findings are the same, in the same order, for every value.
   */
  workers?: number;
  /** Text logs bigger than this are read in byte ranges of about this size, one job each (default 32 MiB). */
  rangeBytes?: number;
  /** Run files the final merge of the findings holds open at once (default 256; tests make it small to force merge passes). */
  mergeFanIn?: number;
  /** Run bytes from which the final merge runs by ranges on threads (default 16 MiB; tests make it 0). */
  rangesFrom?: number;
  /** Told, once the logs are read, how long each worker took to load its rules (empty with one thread). */
  onWorkers?: (startup: WorkerStartup[]) => void;
  /**
   * Every finding at or above minLevel, once the scan is done, in output order (findingOrderKey) whatever
   * order they were produced in; `json` is the finding serialised (its findings.jsonl line). Awaited, so a
   * slow writer holds the stream back; the findings come from a bounded spill-and-merge, never an array.
   */
  onFinding?: (f: Finding, json: string) => void | Promise<void>;
  /**
   * The same stream without the Finding objects: each finding's findings.jsonl line and, with `timelines`, its
   * timeline.csv and timeline.jsonl lines — rendered where the finding was made (a worker), so the main thread
   * parses none of them. What `exhunt scan` writes its ordered outputs from.
   */
  onFindingLines?: (json: string, timelines: TimelineLines | null) => void | Promise<void>;
  /**
   * The same lines as files, where the final merge runs by ranges on threads: each range writes its stretch of
   * findings.jsonl (and, with `timelines`, of timeline.csv and timeline.jsonl) as the files' own bytes, and this
   * is given them one range after another, in order, to append (they are removed once it returns), each as soon
   * as it is done. What it is given, onFindingLines is not; a scan merged here at once still goes through onFindingLines.
   */
  onOrderedParts?: (parts: OrderedParts | PlacedParts) => void | Promise<void>;
  /**
   * The ordered outputs' own files (made and empty when the final merge begins; null: that output is not
   * written): where the runs are indexed (every run is, today), each range writes its stretch into them in place,
   * at the byte the ranges before it end, all at once, and onOrderedParts is told each range's stretch (PlacedParts)
   * in order, as each is done: nothing is copied. Without it (or without indexes) ranges write files of their own.
   */
  orderedFiles?: () => Promise<OrderedFiles>;
  /** Render the timeline lines for onFindingLines and onOrderedParts (default false). */
  timelines?: boolean;
  onProgress?: (p: HuntProgress) => void;
  onDiagnostic?: DiagnosticSink;
}

export interface HuntProgress {
  phase: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface HuntResult {
  summary: ScanSummary;
  taken: TakenSummary | null;
  /** The findings at or above minLevel as bounded aggregates: what report.html, the layer and STIX are made of. */
  digest: FindingsDigest;
}

const LOG_KINDS = new Set(['iis-w3c', 'exchange-csv', 'json', 'evtx']);
/** Run bytes from which the final merge runs by ranges on threads (below, one merge here is quicker than starting them). */
const RANGES_FROM = 16 << 20;

export async function hunt(opts: HuntOptions): Promise<HuntResult> {
  // Findings are not kept: the ordered outputs get them from a spill-and-merge at the end, and what needs
  // them all keeps bounded aggregates (the attackers' IPs and agents, exposure traces, the report's digest).
  // The log jobs' findings arrive already serialised and sorted (run files written by the workers); each
  // carries the digest's slice of it (aux), so the merge parses a finding only for a caller that wants it.
  const timelines = rendersTimelines(opts) ? attackCatalog() : null;
  const shown = new SpillSorter<Finding>({
    key: findingOrderKey,
    serialize: JSON.stringify,
    parse: JSON.parse,
    aux: (f) => findingAux(f, timelines),
    measure: orderedBytes,
    ...(opts.mergeFanIn !== undefined ? { fanIn: opts.mergeFanIn } : {}),
  });
  // Archive members are inflated into a private temp folder that lives until every read (the second pass too) is done.
  const archives = new ArchiveSession({ password: opts.archivePassword ?? null, ...(opts.archiveLimits ? { limits: opts.archiveLimits } : {}) });
  try {
    return await huntInto(opts, shown, archives);
  } finally {
    shown.dispose(); // the spill folder goes on errors too
    archives.dispose();
  }
}

async function huntInto(opts: HuntOptions, shown: SpillSorter<Finding>, archives: ArchiveSession): Promise<HuntResult> {
  /** The rule shapes the log jobs' digest records name, as each job's thread sent them. */
  const shapes = new ShapeBook();
  const startedAt = new Date().toISOString();
  const diags = new DiagnosticCollector();
  const sink: DiagnosticSink = (d: Diagnostic) => {
    diags.sink(d);
    opts.onDiagnostic?.(d);
  };
  const minLevel = opts.minLevel ?? 'medium';
  const since = opts.since ?? null;
  const until = opts.until ?? null;

  // 1. Rules: compiled once, before any evidence is read.
  const sigmaPaths = [...(opts.builtinRules !== false ? [join(rulesDir, 'sigma')] : []), ...(opts.sigma ?? [])];
  const sigma = await loadSigmaCached(sigmaPaths, { builtinRoot: rulesDir, cache: opts.ruleCache ?? true, ...(opts.placeholdersFile ? { placeholdersFile: opts.placeholdersFile } : {}) });
  // Workers get the compiled set as data (a structured clone, about 50 ms here, against 1.7 s to compile it again),
  // so every thread matches with the same set and no worker compiles a rule (bench:rules).
  const workers = opts.workers ?? availableParallelism();
  const pool = SharePool.start(workers, workers > 0 ? ruleSetToData(sigma.ruleSet) : null);
  for (const p of sigma.problems) sink(p);
  const run = sigma.ruleSet.createRun();
  const files = await createFileScanner(
    { yara: opts.yara ?? [], iocs: opts.iocs ?? [], builtin: opts.builtinRules !== false, maxFileSize: opts.maxFileSize ?? 64 * 1024 * 1024 },
    sink,
  );

  // 2. Discover: the evidence list is metadata only, so totals (and ETA) are known up front.
  const evidence: Evidence[] = [];
  const records = new CollectionRecords();
  const discovery = discover(opts.inputs, sink, { archives, records });
  for await (const ev of discovery) evidence.push(ev);
  records.apply(evidence); // true file times and the collector's hashes (KAPE copy log, Velociraptor uploads)
  const skipped = discovery.skipped();
  if (evidence.length === 0) {
    await pool?.close();
    throw new HuntError('NOT_READABLE', `nothing readable in ${opts.inputs.join(', ')}` + (skipped.length ? ` (${skipped.length} skipped)` : ''));
  }
  // Each collection's host (client_info.json, KAPE %m folder, the logs' Computer): findings whose event names none get it.
  const hosts = await collectionHosts(evidence, records);

  // Proxies (given, or detected from the first requests of the IIS logs): every event is then marked with
  // its real client, so findings, attackers, the story and the exports never name the balancer.
  const givenProxies = (opts.trustedProxies ?? []).map(parseTrustedProxy);
  const detectedProxies = await detectProxies(evidence);
  const clients = new ClientLedger(givenProxies, detectedProxies);

  const ind: AttackerIndicators = { ips: new Set(), agents: new Set() };
  /** Findings of the file scan (bounded by the files), for web-shell use in the logs. */
  const fileFindings: Finding[] = [];
  let fileScan = true;
  // ATT&CK tags are checked once per rule that fires: a tag that resolves to nothing is reported, not dropped.
  const catalog = attackCatalog();
  const tagsChecked = new Set<string>();
  const checkTags = (key: string, tags: () => string[], source: string): void => {
    if (tagsChecked.has(key)) return;
    tagsChecked.add(key);
    mapAttackTags(tags(), catalog, sink, { path: source });
  };
  const emit = (f: Finding): void => {
    f.host = hosts.hostFor(f.evidence.path, f.host);
    checkTags(`${f.engine}:${f.rule.id}`, () => f.rule.tags ?? f.attack.map((t) => `attack.${t.toLowerCase()}`), f.rule.source);
    if (fileScan) fileFindings.push(f);
    if (f.engine !== 'exposure') exposure.observeFinding(f);
    addAttackerIndicators(ind, f);
    if (levelRank(f.level) >= levelRank(minLevel)) shown.add(f);
  };
  /** A log job's findings: what emit does, from the facts its worker gathered (JobFindings). */
  const adopt = (p: FoundPart): void => {
    for (const r of p.rules) checkTags(r.key, () => r.tags, r.source);
    exposure.mergeTraces(p.traces);
    for (const ip of p.ips) ind.ips.add(ip);
    for (const a of p.agents) ind.agents.add(a);
    shapes.learn(p.shapes);
    for (const run of p.runs) shown.adoptRun(run.path, run.count);
    if (p.inline !== '') shown.addRecords(p.inline);
  };
  const progress: HuntProgress = {
    phase: 'files',
    filesDone: 0,
    filesTotal: evidence.length,
    bytesDone: 0,
    bytesTotal: evidence.reduce((n, e) => n + e.size, 0),
  };
  const exposure = createExposureCollector();
  // Requests are tied to the attackers in a second read of the web logs, once the attackers are known.
  const activity = createActivityCollector({}, { mode: 'second-pass' });
  const coverage = new CoverageTracker();

  // 3. Files on disk first, so web shells found there are known while the web logs are read.
  for (const ev of evidence) {
    for (const f of await files.scan(ev)) emit(f);
    await exposure.observeFile(ev, sink);
  }
  fileScan = false;

  // 4. Logs: read as events, matched by every engine that reads events, where they are read: each job (a text
  // log, a byte range of a big one, an EVTX window) on a worker thread, its results merged here in job order.
  progress.phase = 'logs';
  const jobs = planShares(evidence, opts.rangeBytes !== undefined ? { rangeBytes: opts.rangeBytes } : {});
  for (const ev of evidence) if (LOG_KINDS.has(ev.kind)) coverage.file(ev);
  // The chain of custody's hashes of plain files are read while the workers read the logs.
  const hashes = hashEvidence(evidence, sink);
  const merger = new ShareMerger({ coverage, exposure, activity, run, found: adopt, sink, clients });
  const ctx: ShareContext = {
    shells: shellFindings(fileFindings),
    since,
    until,
    proxies: { given: givenProxies, detected: detectedProxies },
    found: { minLevel, spillDir: shown.tempDirFor(), timelines: rendersTimelines(opts), hosts: hosts.pathHosts() },
  };
  let exp: ReturnType<typeof exposure.finish>;
  let hashed: Awaited<typeof hashes>;
  try {
    for await (const r of pool ? pool.scan(jobs, ctx, sigma.ruleSet) : scanInThread(jobs, ctx, sigma.ruleSet)) {
      const job = jobs[merger.merged]!;
      merger.add(job, r);
      progress.bytesDone += job.bytes;
      if (job.lastOfFile) progress.filesDone++;
      if (job.kind === 'evtx') progress.phase = 'event logs';
      opts.onProgress?.(progress);
    }
    hashed = await hashes;
    for (const f of integrityFindings(evidence, hashed)) emit(f);
    for (const f of run.finish()) emit(f);

    // 5. Exposure: the builds seen, the windows they left open, and the traces found inside them.
    exp = exposure.finish();
    for (const f of exp.findings) emit(f);

    // 6. What the attacker's addresses touched: their requests, read again from the web, HttpProxy, EWS and
    // MapiHttp logs — the same jobs, on the workers — and replayed here in job order (diagnostics were given
    // by the first read).
    if (ind.ips.size + ind.agents.size > 0) {
      progress.phase = 'attacker requests';
      const who = { ips: [...ind.ips], agents: [...ind.agents] };
      const again = jobs.filter((j) => j.kind === 'text' && merger.requestFiles.has(j.evidence.path));
      for await (const hits of pool ? pool.revisit(again, ctx, who) : revisitInThread(again, ctx, who)) for (const h of hits) activity.replay(h);
    }
  } finally {
    await pool?.close();
  }
  opts.onWorkers?.(pool?.startup ?? []);
  const { events, outside } = merger;
  const taken = activity.finish(ind.ips, ind.agents);


  // 7. The findings in output order, through the digest to the caller's writers. With workers, the final merge
  // runs by ranges of the order, one thread each, all at once (fresh threads: the scan's workers and their heaps are
  // gone): each range merges its slice of every run (no fan-in: a slice opens its file for each read, so there
  // are no merge passes), is digested where it is merged, and writes its stretch of the ordered outputs as files
  // (onOrderedParts: this thread hands them on as each range is done) or, for a caller that wants every finding,
  // copies its records out, which this thread reads back one after another. This thread joins the digests. Without
  // workers (or where the ranges' digests cannot be joined exactly), one merge here, in passes past the fan-in.
  const { onFinding, onFindingLines, onOrderedParts } = opts;
  let digest: FindingsDigest | null = null;
  /** The ordered lines went out as the ranges' files (onOrderedParts). */
  let linesGiven = false;
  let runsGone: Promise<unknown> = Promise.resolve();
  // (Few findings, under RANGES_FROM bytes of runs, are merged here at once: starting threads would cost more.)
  const runs = pool ? shown.sealedRuns() : [];
  if (pool && runs.reduce((n, r) => n + statSync(r).size, 0) >= (opts.rangesFrom ?? RANGES_FROM)) {
    progress.phase = 'ordering findings';
    opts.onProgress?.(progress);
    const dir = shown.tempDirFor();
    const shapeTable = shapes.export();
    // Records are copied out only for a caller that reads them one by one; the ordered outputs are written as files.
    const lines = onFindingLines !== undefined && onOrderedParts === undefined;
    const copies = onFinding !== undefined || lines;
    const ranges = planRanges(runs, workers);
    const hold = ranges.reduce((n, r) => n + r.length, 0) <= heldFilesBudget();
    // Where the outputs' files are given and every run is indexed, each range writes its stretch into them in place.
    const place = onOrderedParts && opts.orderedFiles ? placeRanges(ranges, await opts.orderedFiles(), ctx.found.timelines) : null;
    const jobs: RangeJob[] = ranges.map((slices, i) => ({
      slices,
      out: copies ? join(dir, `range-${i}.run`) : null,
      parts: onOrderedParts && !place ? { findings: join(dir, `range-${i}.findings`), csv: ctx.found.timelines ? join(dir, `range-${i}.csv`) : null, sketch: ctx.found.timelines ? join(dir, `range-${i}.sketch`) : null, csvHeader: i === 0 } : null,
      place: place?.[i] ?? null,
      shapes: shapeTable,
      hold,
    }));
    const joined = new FindingsDigest(catalog);
    let exact = true;
    let next = 0;
    for await (const part of digestRangesApart(jobs)) {
      exact &&= joined.join(part);
      // Every range has read the runs once the last is done: unless a merge here must read them again, they are
      // removed (by libuv's threads) while the last stretch is appended.
      if (next === jobs.length - 1 && exact) runsGone = Promise.all(runs.map((r) => unlink(r).catch(() => undefined)));
      // A range's stretch of the outputs goes out as soon as it and those before it are done, while the later
      // ranges still merge; the outputs are right whether or not the digests join exactly.
      const { parts, place: placed } = jobs[next++]!;
      const given = placed ?? parts;
      if (given && onOrderedParts) {
        await onOrderedParts(given);
        linesGiven = true;
        if (parts) for (const f of [parts.findings, parts.csv, parts.sketch]) if (f) rmSync(f, { force: true });
      }
    }
    if (exact) {
      digest = joined;
      for (const e of readRuns<Finding>(jobs.flatMap((j) => j.out ?? []), JSON.parse)) {
        if (onFinding) await onFinding(e.item, e.line);
        if (lines) await onFindingLines(e.line, shapes.lines(e.aux));
      }
    }
  }
  if (!digest) {
    const d = (digest = new FindingsDigest(catalog));
    // A record's aux is its digest record: the finding itself is parsed only for the rows the report shows (the
    // digest asks for it) or for onFinding.
    for (const e of shown.drain()) {
      d.addView(shapes.read(e.aux, () => e.item));
      if (onFinding) await onFinding(e.item, e.line);
      if (onFindingLines && !linesGiven) await onFindingLines(e.line, shapes.lines(e.aux));
    }
  }
  await runsGone;
  const coverageEntries = coverage.entries();
  const summary: ScanSummary = {
    tool: { name: 'exhunt', version },
    startedAt,
    finishedAt: new Date().toISOString(),
    inputs: opts.inputs,
    options: { minLevel, since, until },
    files: {
      total: evidence.length,
      bytes: progress.bytesTotal,
      byKind: byKind(evidence),
      skipped,
    },
    events: { total: events, skipped: outside },
    coverage: coverageEntries,
    coverageWarnings: [...coverageWarnings(coverageEntries), ...clients.warnings()],
    rules: {
      sigma: { loaded: sigma.loaded, failed: sigma.failed, inactive: sigma.inactive.length, inactiveRules: sigma.inactive },
      yara: files.stats.yara,
      iocs: files.stats.iocs,
    },
    counts: countsOf(digest),
    exposure: exp.summary,
    clients: clients.summary(),
    diagnostics: { total: diags.total, byCode: Object.fromEntries(diags.counts), items: diags.kept },
    hosts: hosts.collections.map((c) => ({ collection: c.label, layout: c.layout, files: c.files, host: c.host })),
    custody: {
      exhunt: version,
      sigmaRulesSha256: sigma.rulesSha256,
      evidence: evidence.map((e) => ({ path: e.path, size: e.size, sha256: hashed.get(e.path)?.sha256 ?? null })),
      archives: archives.archives.map((a) => ({ ...a })),
    },
  };
  return { summary, taken, digest };
}

/**
 * Each range's stretch of the ordered outputs' files (placeRanges): its byte counts from the runs' indexes, its
 * first byte where the ranges before it end (timeline.csv's header row first, in the first range's). Null where
 * some run has no index.
 */
function placeRanges(ranges: readonly (readonly RunSlice[])[], files: OrderedFiles, timelines: boolean): PlacedParts[] | null {
  const bytes = rangeOutputBytes(ranges);
  if (bytes === null) return null;
  const header = Buffer.byteLength(timelineCsvHeader());
  const at = [0, header, 0];
  return bytes.map((b, i) => {
    const span = (k: number, path: string | null, extra = 0): PlacedParts['findings'] => {
      if (path === null) return null;
      const s = { path, at: at[k]! - extra, bytes: (b[k] ?? 0) + extra };
      at[k]! += b[k] ?? 0;
      return s;
    };
    return {
      placed: true,
      findings: span(0, files.findings),
      csv: timelines ? span(1, files.csv, i === 0 ? header : 0) : null,
      sketch: timelines ? span(2, files.sketch) : null,
      csvHeader: i === 0,
    };
  });
}

/** Timeline lines are rendered where the findings are made only for a caller that takes them. */
function rendersTimelines(opts: HuntOptions): boolean {
  return opts.timelines === true && (opts.onFindingLines !== undefined || opts.onOrderedParts !== undefined);
}

function byKind(evidence: Evidence[]): Record<string, { files: number; bytes: number }> {
  const out: Record<string, { files: number; bytes: number }> = {};
  for (const e of evidence) {
    const k = (out[e.kind] ??= { files: 0, bytes: 0 });
    k.files++;
    k.bytes += e.size;
  }
  return out;
}

function countsOf(d: FindingsDigest): ScanSummary['counts'] {
  const byRule = [...d.rules.values()].map((r) => ({ id: r.rule.id, title: r.rule.title, level: r.firstLevel, engine: r.engine, count: r.count }));
  return {
    findings: d.count,
    byLevel: { ...d.byLevel },
    byRule: byRule.sort((a, b) => levelRank(b.level) - levelRank(a.level) || b.count - a.count),
  };
}

/** The file scan's findings that may name a web shell's URL (what webShellUsage reads), for the log jobs. */
function shellFindings(all: readonly Finding[]): Finding[] {
  return all.filter((f) => f.engine !== 'sigma' && typeof f.fields['urlPath'] === 'string' && f.attack.includes('T1505.003'));
}
