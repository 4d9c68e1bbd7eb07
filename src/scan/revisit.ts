// The second read of the request logs, once the first has named the attackers: each text job again (a log, or a
// byte range of a big one), keeping only the attackers' requests, which the main thread replays in job order.
import type { DiagnosticSink } from '../diagnostics.js';
import type { HuntEvent } from '../event.js';
import { createActivityCollector, type RevisitHit } from '../engines/activity/index.js';
import { DiagnosticLimiter, eventBatches, LiteralLines, readerFor, readTextShare, readW3cBatches, type LineSelection } from '../readers/index.js';
import { ClientLedger } from '../normalize/index.js';
import type { ShareContext } from './run-share.js';
import type { ShareJob } from './share.js';

/** The attackers the first read named: their addresses and user agents (as the findings gave them). */
export interface Attackers {
  ips: string[];
  agents: string[];
}

/** A runner of second-read jobs (diagnostics were given by the first read: this one is quiet). */
export function createRevisitRunner(ctx: ShareContext): (job: ShareJob, who: Attackers) => Promise<RevisitHit[]> {
  const quiet: DiagnosticSink = () => {};
  const { since, until } = ctx;
  const inWindow = (t: string | null): boolean => t === null || ((since === null || t >= since) && (until === null || t <= until));
  const clients = new ClientLedger(ctx.proxies.given, ctx.proxies.detected);
  const activity = createActivityCollector({}, { mode: 'second-pass' });
  let known: { key: string; ips: Set<string>; agents: Set<string>; select: LineSelection } | null = null;
  return async (job, who) => {
    const key = `${who.ips.join('\n')}\u0000${who.agents.join('\n')}`;
    if (known?.key !== key) {
      // IIS lines are split only when they hold one of the attackers' IPs or agents (as logged: '+' for a space).
      const agentForms = who.agents.flatMap((a) => [a, a.replace(/\+/g, ' '), a.replace(/ /g, '+')]);
      const lines = new LiteralLines([...who.ips, ...agentForms]);
      known = { key, ips: new Set(who.ips), agents: new Set(who.agents), select: { keep: (text, start, end) => lines.keep(text, start, end), skipped: () => {} } };
    }
    const { ips, agents, select } = known;
    const hits: RevisitHit[] = [];
    const revisit = (e: HuntEvent): void => {
      clients.mark(e, false);
      if (!inWindow(e.time)) return;
      const hit = activity.revisitHit(e, ips, agents);
      if (hit) hits.push(hit);
    };
    const ev = job.evidence;
    const reader = readerFor(ev.kind);
    if (job.kind !== 'text' || !reader) return hits;
    const part = job.range ? { range: job.range, limiter: new DiagnosticLimiter(quiet, ev.path) } : null;
    const batches =
      ev.kind === 'iis-w3c' ? readW3cBatches(ev, quiet, part ? { select, part } : { select }) : part ? readTextShare(ev, quiet, part) : eventBatches(reader, ev, quiet);
    if (batches) for await (const batch of batches) for (const e of batch) revisit(e);
    return hits;
  };
}

/** The second read's hits of `jobs` in this thread, one job after another (--workers 0, and where no worker is). */
export async function* revisitInThread(jobs: readonly ShareJob[], ctx: ShareContext, who: Attackers): AsyncGenerator<RevisitHit[]> {
  const run = createRevisitRunner(ctx);
  for (const job of jobs) yield await run(job, who);
}
