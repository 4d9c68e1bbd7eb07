// One job of a scan, wherever it runs (a worker thread, or this thread with --workers 1): read, normalise, match
// every engine that reads events, and return only findings, counters and small mergeable aggregates.
import type { Diagnostic, DiagnosticCode, Severity } from '../diagnostics.js';
import type { HuntEvent } from '../event.js';
import { CoverageTracker, type CoveragePart } from '../evidence/index.js';
import type { Finding } from '../finding.js';
import { cmdletIdentityFinding, createActivityCollector, isRequestLog, type ActivityPart } from '../engines/activity/index.js';
import { createExposureCollector, type ExposureEventPart } from '../engines/exposure/index.js';
import { webShellUsage } from '../engines/files/index.js';
import type { CorrelationMatches, SigmaRuleSet } from '../engines/sigma/index.js';
import { evtxJobEvents } from '../readers/evtx/index.js';
import { DiagnosticLimiter, readTextShare } from '../readers/index.js';
import { ClientLedger, type ClientLedgerPart, type DetectedProxy } from '../normalize/index.js';
import type { ShareJob } from './share.js';
import { JobFindings, type FoundContext, type FoundPart } from './found.js';

/** What every job of a scan needs besides the rules: plain data, sent to each worker once. */
export interface ShareContext {
  /** Findings of the file scan that name a web shell's URL (webShellUsage picks them). */
  shells: Finding[];
  since: string | null;
  until: string | null;
  /** Proxies in front of the server: given (--trusted-proxy) and detected; every event's client is resolved with them. */
  proxies: { given: string[]; detected: DetectedProxy[] };
  /** The level shown and the spill folder: where a job's findings go, serialised and sorted. */
  found: FoundContext;
}

export interface ShareResult {
  /** The job's findings, pre-serialised and sorted (the main thread never rebuilds them as objects). */
  found: FoundPart;
  diagnostics: Diagnostic[];
  /**
   * A text range's diagnostic counts per code (suppressed ones included; `diagnostics` holds the first few of
   * each): the merge limits them per file, as one reader of the whole file would. Null: pass them on as they are.
   */
  limits: { code: DiagnosticCode; severity: Severity; count: number }[] | null;
  events: number;
  /** Events outside --since/--until. */
  outside: number;
  coverage: CoveragePart;
  exposure: ExposureEventPart;
  activity: ActivityPart;
  /** Did the job give web, HttpProxy, EWS or MapiHttp requests (its file is read again for the attackers' requests)? */
  requests: boolean;
  correlations: CorrelationMatches;
  /** How many of the job's requests came through a proxy and named their client, the forwarded claims seen. */
  clients: ClientLedgerPart;
}

/** A runner for jobs: one Sigma run (its lookup caches live as long as the runner), fresh aggregates per job. */
export function createShareRunner(ruleSet: SigmaRuleSet, ctx: ShareContext): (job: ShareJob) => Promise<ShareResult> {
  const run = ruleSet.createRun();
  const shellUse = webShellUsage(ctx.shells);
  const { since, until } = ctx;
  const inWindow = (t: string | null): boolean => t === null || ((since === null || t >= since) && (until === null || t <= until));
  return async (job) => {
    const findings = new JobFindings(ctx.found);
    const diagnostics: Diagnostic[] = [];
    const sink = (d: Diagnostic): void => void diagnostics.push(d);
    const coverage = new CoverageTracker();
    const exposure = createExposureCollector();
    const activity = createActivityCollector({}, { mode: 'second-pass' });
    const clients = new ClientLedger(ctx.proxies.given, ctx.proxies.detected);
    let events = 0;
    let outside = 0;
    let requests = false;
    const onEvent = (e: HuntEvent): void => {
      events++;
      // The real client first (behind a trusted proxy), so every engine below sees it.
      clients.mark(e);
      coverage.observe(e);
      exposure.observeEvent(e);
      if (!inWindow(e.time)) {
        outside++;
        return;
      }
      activity.observe(e);
      if (isRequestLog(e)) requests = true;
      for (const f of run.match(e)) findings.add(f);
      const used = shellUse(e);
      if (used) findings.add(used);
      const identity = cmdletIdentityFinding(e);
      if (identity) findings.add(identity);
    };
    let limiter: DiagnosticLimiter | null = null;
    if (job.kind === 'evtx') {
      for (const e of evtxJobEvents(job.job, sink)) onEvent(e);
    } else {
      limiter = job.range ? new DiagnosticLimiter(sink, job.evidence.path) : null;
      const batches = readTextShare(job.evidence, sink, job.range && limiter ? { range: job.range, limiter } : undefined);
      if (batches) for await (const batch of batches) for (const e of batch) onEvent(e);
    }
    return {
      found: findings.part(),
      diagnostics,
      limits: limiter ? limiter.counts() : null,
      events,
      outside,
      coverage: coverage.part(),
      exposure: exposure.eventPart(),
      activity: activity.part(),
      requests,
      correlations: run.takeCorrelationMatches(),
      clients: clients.part(),
    };
  };
}
