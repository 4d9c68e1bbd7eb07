// Folding job results into the scan's one set of aggregates, in job order: findings and diagnostics come out in
// the order one thread reading everything would give, and a text log's diagnostics are limited per file again.
import type { Diagnostic, DiagnosticSink } from '../diagnostics.js';
import type { CoverageTracker } from '../evidence/index.js';
import type { ActivityCollector } from '../engines/activity/index.js';
import type { ExposureCollector } from '../engines/exposure/index.js';
import type { SigmaRun } from '../engines/sigma/index.js';
import type { ClientLedger } from '../normalize/index.js';
import { DiagnosticLimiter } from '../readers/index.js';
import type { ShareResult } from './run-share.js';
import type { ShareJob } from './share.js';
import type { FoundPart } from './found.js';

export interface MergeTargets {
  coverage: CoverageTracker;
  exposure: ExposureCollector;
  activity: ActivityCollector;
  /** The run that evaluates correlations (it gets every job's base matches). */
  run: SigmaRun;
  /** Takes a job's findings (pre-serialised: run files, records, and the facts the scan's bookkeeping needs). */
  found: (part: FoundPart) => void;
  sink: DiagnosticSink;
  clients: ClientLedger;
}

export class ShareMerger {
  /** Results merged so far (the next result is for job number `merged`). */
  merged = 0;
  events = 0;
  outside = 0;
  /** Files that gave web, HttpProxy, EWS or MapiHttp requests. */
  readonly requestFiles = new Set<string>();
  private readonly limiters = new Map<string, DiagnosticLimiter>();

  constructor(private readonly t: MergeTargets) {}

  add(job: ShareJob, r: ShareResult): void {
    const t = this.t;
    this.merged++;
    this.diagnostics(job, r);
    t.found(r.found);
    this.events += r.events;
    this.outside += r.outside;
    t.coverage.merge(r.coverage);
    t.exposure.mergeEvents(r.exposure);
    t.activity.merge(r.activity);
    t.run.addCorrelationMatches(r.correlations);
    t.clients.merge(r.clients);
    if (r.requests) this.requestFiles.add(job.evidence.path);
  }

  private diagnostics(job: ShareJob, r: ShareResult): void {
    if (r.limits === null) {
      for (const d of r.diagnostics) this.t.sink(d);
      return;
    }
    const path = job.evidence.path;
    let limiter = this.limiters.get(path);
    if (!limiter) this.limiters.set(path, (limiter = new DiagnosticLimiter(this.t.sink, path)));
    const given = new Map<string, number>();
    for (const d of r.diagnostics) {
      given.set(d.code, (given.get(d.code) ?? 0) + 1);
      limiter.report(d.code, d.severity, d.message, where(d));
    }
    // The range's reports its own limiter held back still count towards the file's total.
    for (const { code, severity, count } of r.limits) limiter.tally(code, severity, count - (given.get(code) ?? 0));
    if (job.lastOfFile) {
      limiter.flush();
      this.limiters.delete(path);
    }
  }
}

function where(d: Diagnostic): Omit<NonNullable<Diagnostic['location']>, 'path'> {
  const { path: _path, ...rest } = d.location ?? {};
  return rest;
}
