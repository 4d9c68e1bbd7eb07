// The pipeline in one screen: discover → read → normalise → detect → map ATT&CK → summarise.
// Only this file (and cli/) sees every family; each arrow is an AsyncIterable so memory stays flat.
import { join } from 'node:path';
import type { Diagnostic, DiagnosticSink } from './diagnostics.js';
import { DiagnosticCollector, HuntError } from './diagnostics.js';
import type { HuntEvent } from './event.js';
import type { Evidence } from './evidence/evidence.js';
import { discover, CoverageTracker, coverageWarnings } from './evidence/index.js';
import type { Finding, Level } from './finding.js';
import { LEVELS, levelRank } from './finding.js';
import { eventBatches, LiteralLines, readerFor, readW3cBatches, type LineSelection } from './readers/index.js';
import { readEvtxBatches } from './readers/evtx/index.js';
import { loadSigmaCached } from './engines/sigma/index.js';
import { createExposureCollector } from './engines/exposure/index.js';
import { createFileScanner } from './engines/files/index.js';
import { createActivityCollector, type TakenSummary } from './engines/activity/index.js';
import { attackerIndicators } from './engines/activity/index.js';
import { rulesDir } from './paths.js';
import { attackCatalog, mapAttackTags } from './attack/index.js';
import type { ScanSummary } from './summary.js';
import { version } from './cli/version.js';

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
  /** Worker threads for EVTX parsing (default: all cores). */
  workers?: number;
  onFinding?: (f: Finding) => void;
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
  findings: Finding[];
  summary: ScanSummary;
  taken: TakenSummary | null;
}

const LOG_KINDS = new Set(['iis-w3c', 'exchange-csv', 'json', 'evtx']);

export async function hunt(opts: HuntOptions): Promise<HuntResult> {
  const startedAt = new Date().toISOString();
  const diags = new DiagnosticCollector();
  const sink: DiagnosticSink = (d: Diagnostic) => {
    diags.sink(d);
    opts.onDiagnostic?.(d);
  };
  const minLevel = opts.minLevel ?? 'medium';
  const since = opts.since ?? null;
  const until = opts.until ?? null;
  const inWindow = (t: string | null): boolean => t === null || ((since === null || t >= since) && (until === null || t <= until));

  // 1. Rules: compiled once, before any evidence is read.
  const sigmaPaths = [...(opts.builtinRules !== false ? [join(rulesDir, 'sigma')] : []), ...(opts.sigma ?? [])];
  const sigma = await loadSigmaCached(sigmaPaths, { builtinRoot: rulesDir, cache: opts.ruleCache ?? true, ...(opts.placeholdersFile ? { placeholdersFile: opts.placeholdersFile } : {}) });
  for (const p of sigma.problems) sink(p);
  const run = sigma.ruleSet.createRun();
  const files = await createFileScanner(
    { yara: opts.yara ?? [], iocs: opts.iocs ?? [], builtin: opts.builtinRules !== false, maxFileSize: opts.maxFileSize ?? 64 * 1024 * 1024 },
    sink,
  );

  // 2. Discover: the evidence list is metadata only, so totals (and ETA) are known up front.
  const evidence: Evidence[] = [];
  const discovery = discover(opts.inputs, sink);
  for await (const ev of discovery) evidence.push(ev);
  const skipped = discovery.skipped();
  if (evidence.length === 0) {
    throw new HuntError('NOT_READABLE', `nothing readable in ${opts.inputs.join(', ')}` + (skipped.length ? ` (${skipped.length} skipped)` : ''));
  }

  const all: Finding[] = [];
  // ATT&CK tags are checked once per rule that fires: a tag that resolves to nothing is reported, not dropped.
  const catalog = attackCatalog();
  const tagsChecked = new Set<string>();
  const emit = (f: Finding): void => {
    const key = `${f.engine}:${f.rule.id}`;
    if (!tagsChecked.has(key)) {
      tagsChecked.add(key);
      mapAttackTags(f.rule.tags ?? f.attack.map((t) => `attack.${t.toLowerCase()}`), catalog, sink, { path: f.rule.source });
    }
    all.push(f);
    if (levelRank(f.level) >= levelRank(minLevel)) opts.onFinding?.(f);
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
  /** Files that gave web or HttpProxy requests (read again for the attackers' requests). */
  const requestFiles = new Set<string>();
  const coverage = new CoverageTracker();

  // 3. Files on disk first, so web shells found there are known while the web logs are read.
  for (const ev of evidence) {
    for (const f of await files.scan(ev)) emit(f);
    await exposure.observeFile(ev, sink);
  }
  const shellUse = files.webShellUsage(all.filter((f) => f.engine !== 'sigma'));

  // 4. Logs: read as events, matched by every engine that reads events.
  let events = 0;
  let outside = 0;
  const onEvent = (e: HuntEvent): void => {
    events++;
    coverage.observe(e);
    exposure.observeEvent(e);
    if (!inWindow(e.time)) {
      outside++;
      return;
    }
    activity.observe(e);
    if (e.source === 'w3c' || (e.source === 'exchange' && e.log === 'httpproxy')) requestFiles.add(e.ref.path);
    for (const f of run.match(e)) emit(f);
    const used = shellUse(e);
    if (used) emit(used);
  };
  progress.phase = 'logs';
  const evtx = evidence.filter((e) => e.kind === 'evtx');
  for (const ev of evidence) {
    if (!LOG_KINDS.has(ev.kind) || ev.kind === 'evtx') continue;
    const reader = readerFor(ev.kind);
    if (!reader) continue;
    coverage.file(ev);
    for await (const batch of eventBatches(reader, ev, sink)) for (const e of batch) onEvent(e);
    progress.filesDone++;
    progress.bytesDone += ev.size;
    opts.onProgress?.(progress);
  }
  if (evtx.length > 0) {
    progress.phase = 'event logs';
    for (const ev of evtx) coverage.file(ev);
    const workers = opts.workers;
    // A job's events come as one batch (no promise per event); each batch is drained before the next.
    for await (const batch of readEvtxBatches(evtx, sink, workers !== undefined ? { workers } : {})) for (const e of batch) onEvent(e);
    progress.filesDone += evtx.length;
    progress.bytesDone += evtx.reduce((n, e) => n + e.size, 0);
    opts.onProgress?.(progress);
  }
  for (const f of run.finish()) emit(f);

  // 5. Exposure: the builds seen, the windows they left open, and the traces found inside them.
  const exp = exposure.finish(all);
  for (const f of exp.findings) emit(f);

  // 6. What the attacker's addresses touched: their requests, read again from the web logs (diagnostics
  // were given by the first read).
  const ind = attackerIndicators(all);
  if (ind.ips.size + ind.agents.size > 0) {
    progress.phase = 'attacker requests';
    const quiet: DiagnosticSink = () => {};
    // IIS lines are split only when they hold one of the attackers' IPs or agents (as logged: '+' for a space).
    const agentForms = [...ind.agents].flatMap((a) => [a, a.replace(/\+/g, ' '), a.replace(/ /g, '+')]);
    const lines = new LiteralLines([...ind.ips, ...agentForms]);
    const select: LineSelection = { keep: (text, start, end) => lines.keep(text, start, end), skipped: () => {} };
    for (const ev of evidence) {
      if (!requestFiles.has(ev.path)) continue;
      const reader = readerFor(ev.kind);
      if (!reader) continue;
      const revisit = (e: HuntEvent): void => {
        if (inWindow(e.time)) activity.revisit(e, ind.ips, ind.agents);
      };
      const batches = ev.kind === 'iis-w3c' ? readW3cBatches(ev, quiet, { select }) : eventBatches(reader, ev, quiet);
      for await (const batch of batches) for (const e of batch) revisit(e);
    }
  }
  const taken = activity.finish(ind.ips, ind.agents);

  const shown = all.filter((f) => levelRank(f.level) >= levelRank(minLevel)).sort(byTime);
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
    coverageWarnings: coverageWarnings(coverageEntries),
    rules: {
      sigma: { loaded: sigma.loaded, failed: sigma.failed, inactive: sigma.inactive.length, inactiveRules: sigma.inactive },
      yara: files.stats.yara,
      iocs: files.stats.iocs,
    },
    counts: countFindings(shown),
    exposure: exp.summary,
    diagnostics: { total: diags.total, byCode: Object.fromEntries(diags.counts), items: diags.kept },
  };
  return { findings: shown, summary, taken };
}

function byTime(a: Finding, b: Finding): number {
  const ta = a.time ?? '';
  const tb = b.time ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : 0;
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

function countFindings(findings: Finding[]): ScanSummary['counts'] {
  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  const byRule = new Map<string, ScanSummary['counts']['byRule'][number]>();
  for (const f of findings) {
    byLevel[f.level]++;
    const key = `${f.engine}:${f.rule.id}`;
    const r = byRule.get(key);
    if (r) r.count++;
    else byRule.set(key, { id: f.rule.id, title: f.rule.title, level: f.level, engine: f.engine, count: 1 });
  }
  return {
    findings: findings.length,
    byLevel,
    byRule: [...byRule.values()].sort((a, b) => levelRank(b.level) - levelRank(a.level) || b.count - a.count),
  };
}
