// The "what was taken" collector: fed every HuntEvent during the scan, it keeps bounded per-IP/per-UA
// aggregates of mailbox, address-book and export activity, then keeps the attacker's share at finish().
import type { EvidenceRef, HuntEvent } from '../../event.js';
import { commandEventText, commandRowText, ExportLog } from './exports.js';
import { factsFromEws, factsFromHttpProxy, factsFromMapiHttp, factsFromW3c, type RequestFacts } from './fields.js';
import { cmpStr } from './finding-fields.js';
import { MailLog, type MailCandidate } from './mail.js';
import type { AccessVia, ActorTotals, TakenAccess, TakenExport, TakenSummary } from './taken.js';

export interface ActivityCollector {
  /** Every event of the scan (in 'second-pass' mode web and HttpProxy requests are only counted here). */
  observe(event: HuntEvent): void;
  /**
   * 'second-pass' mode: a web or HttpProxy request read again once the attackers are known; recorded when
   * its client IP or user agent is theirs (other events are ignored).
   */
  revisit(event: HuntEvent, attackerIps: ReadonlySet<string>, attackerAgents: ReadonlySet<string>): void;
  /**
   * revisit() in two halves, for a second pass read on worker threads: revisitHit() is what revisit() would
   * record (plain data; null: nothing), read wherever the event is; replay() records it. Replayed in the order
   * one thread would have read them, the result equals revisit()'s.
   */
  revisitHit(event: HuntEvent, attackerIps: ReadonlySet<string>, attackerAgents: ReadonlySet<string>): RevisitHit | null;
  replay(hit: RevisitHit): void;
  finish(attackerIps: Set<string>, attackerAgents: Set<string>): TakenSummary;
  /** 'second-pass' mode: what observe() gathered (counts, exports), as plain data for another collector. */
  part(): ActivityPart;
  /** Folds in another collector's part(); merged in scan order, the result equals one collector's. */
  merge(part: ActivityPart): void;
}

/** A request of the attackers' that revisit() records: its facts, and its event's time and evidence. */
export interface RevisitHit {
  f: RequestFacts & { operation?: string | null };
  time: string | null;
  ref: EvidenceRef;
}

/** What a second-pass collector's observe() gathered. */
export interface ActivityPart {
  seen: TakenSummary['seen'];
  anyBytes: boolean;
  exports: TakenExport[];
  droppedExports: number;
  mail: MailCandidate[];
  droppedMail: number;
}
export interface ActivityOptions {
  /**
   * 'one-pass' (default): every request is aggregated per IP and user agent as it is observed, and the
   * attackers' share kept at finish. 'second-pass': requests are recorded only by revisit(), for the
   * attackers found by then — far less work and memory per request, and no legitimate client can push an
   * attacker out of the bounds; the caller reads the web logs a second time.
   */
  mode?: 'one-pass' | 'second-pass';
}
export interface ActivityLimits {
  /** Distinct (IP, user agent) pairs kept. */
  maxActors: number;
  /** Distinct targets (mailboxes, address books) kept per pair. */
  maxTargetsPerActor: number;
  maxExports: number;
  /** MessageTracking rows kept as candidates (submissions, rule forwards, pickup drops). */
  maxMail: number;
}
const DEFAULT_LIMITS: ActivityLimits = { maxActors: 20_000, maxTargetsPerActor: 500, maxExports: 1_000, maxMail: 20_000 };

interface TargetAgg {
  kind: TakenAccess['kind'];
  via: Set<AccessVia>;
  operations: Set<string>;
  requests: number;
  bytes: number | null;
  first: string | null;
  last: string | null;
  evidence: EvidenceRef;
}
interface TargetKey {
  kind: TakenAccess['kind'];
  target: string;
}
interface ActorAgg extends ActorTotals {
  /** Targets by kind, then name (nested maps: a joined string key costs a flatten and a hash per request). */
  targets: Map<TakenAccess['kind'], Map<string, TargetAgg & TargetKey>>;
  /** The same targets in the order first seen. */
  order: (TargetAgg & TargetKey)[];
}

const earlier = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a <= b ? a : b);
const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a >= b ? a : b);
const addBytes = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : a + b);
const MAX_OPERATIONS = 16;

/** The request facts of a web or Exchange request log row, or null for events that are not requests. */
function requestFacts(e: HuntEvent): (RequestFacts & { operation?: string | null }) | null {
  if (e.source === 'w3c') return factsFromW3c(e);
  if (e.source !== 'exchange') return null;
  switch (e.log) {
    case 'httpproxy':
      return factsFromHttpProxy(e);
    case 'ews':
      return factsFromEws(e);
    case 'mapihttp':
      return factsFromMapiHttp(e);
    default:
      return null;
  }
}

/** Logs whose rows are client requests, read again for the attackers' requests. */
export function isRequestLog(e: HuntEvent): boolean {
  return e.source === 'w3c' || (e.source === 'exchange' && (e.log === 'httpproxy' || e.log === 'ews' || e.log === 'mapihttp'));
}

/** Both spellings of each agent ('+' for spaces as IIS logs them, and spaces). */
function agentVariants(attackerAgents: Iterable<string>): Set<string> {
  const agents = new Set<string>();
  for (const a of attackerAgents) {
    agents.add(a);
    agents.add(a.replace(/\+/g, ' '));
    agents.add(a.replace(/ /g, '+'));
    agents.add(a.replace(/\+/g, ' ').replaceAll(',', ' ')); // as Exchange's own logs write it
  }
  return agents;
}

const has = (set: ReadonlySet<string>, v: string | undefined): boolean => v !== undefined && set.has(v);

/** Does the event's log record response sizes (IIS sc-bytes, HttpProxy ResponseBytes, EWS ResponseSize)? */
function hasBytes(f: Record<string, string>, name: string): boolean {
  const v = f[name];
  return v !== undefined && v !== '' && v !== '-';
}

/**
 * The raw client columns of a request row (a superset of its facts' IP and agent), for revisit's cheap test: the
 * logged peer, the client resolved behind a trusted proxy (`client-ip`, normalize/), and the agent spellings.
 */
function rawClient(e: HuntEvent): [string | undefined, string | undefined, string | undefined, string | undefined] {
  if (e.source === 'w3c') return [e.fields['c-ip'], e.fields['client-ip'], e.fields['cs-user-agent'], e.fields['cs(User-Agent)']];
  if (e.source !== 'exchange') return [undefined, undefined, undefined, undefined];
  const x = e.fields;
  if (e.log === 'mapihttp') return [x['ClientIP'], x['client-ip'], x['ClientSoftware'], undefined];
  const ip = x['ClientIpAddress'] ?? x['ClientIp'];
  return [ip !== undefined && ip.indexOf(' ') !== -1 ? ip.slice(0, ip.indexOf(' ')) : ip, x['client-ip'], x['UserAgent'], undefined];
}

export function createActivityCollector(limits: Partial<ActivityLimits> = {}, opts: ActivityOptions = {}): ActivityCollector {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const secondPass = opts.mode === 'second-pass';
  // revisit(): the agent set with both spellings, built once per attackerAgents set.
  let revisitAgents: { from: ReadonlySet<string>; all: Set<string> } | null = null;
  // Actors by IP, then user agent ('' for none), and in the order first seen.
  const actors = new Map<string, Map<string, ActorAgg>>();
  const actorOrder: ActorAgg[] = [];
  const exports = new ExportLog(lim.maxExports);
  const mail = new MailLog(lim.maxMail);
  const dropped = { actors: 0, targets: 0, exports: 0, mail: 0 };
  const seen = { web: 0, httpproxy: 0, commands: 0, ews: 0, mapi: 0, cmdletLog: 0, messageTracking: 0 };
  let anyBytes = false;

  function record(f: RequestFacts & { operation?: string | null }, e: { time: string | null; ref: EvidenceRef }): void {
    if (!f.via || (!f.mailbox && !f.addressBook)) return;
    let byAgent = actors.get(f.ip ?? '');
    let a = byAgent?.get(f.agent ?? '');
    if (!a) {
      if (actorOrder.length >= lim.maxActors) {
        dropped.actors++;
        return;
      }
      a = { ip: f.ip, agent: f.agent, requests: 0, bytes: null, first: null, last: null, targets: new Map(), order: [] };
      if (!byAgent) actors.set(f.ip ?? '', (byAgent = new Map()));
      byAgent.set(f.agent ?? '', a);
      actorOrder.push(a);
    }
    a.requests++;
    a.bytes = addBytes(a.bytes, f.bytes);
    a.first = earlier(a.first, e.time);
    a.last = later(a.last, e.time);
    const target = f.addressBook === 'OAB' ? 'Offline Address Book' : f.addressBook === 'NSPI' ? 'Address book (NSPI)' : f.mailbox!;
    const kind: TakenAccess['kind'] = f.addressBook ? 'address-book' : f.calendar ? 'calendar' : 'mailbox';
    let byName = a.targets.get(kind);
    let t = byName?.get(target);
    if (!t) {
      if (a.order.length >= lim.maxTargetsPerActor) {
        dropped.targets++;
        return;
      }
      t = { kind, target, via: new Set(), operations: new Set(), requests: 0, bytes: null, first: null, last: null, evidence: e.ref };
      if (!byName) a.targets.set(kind, (byName = new Map()));
      byName.set(target, t);
      a.order.push(t);
    }
    t.via.add(f.via);
    if (f.operation && t.operations.size < MAX_OPERATIONS) t.operations.add(f.operation);
    t.requests++;
    t.bytes = addBytes(t.bytes, f.bytes);
    t.first = earlier(t.first, e.time);
    t.last = later(t.last, e.time);
  }

  return {
    observe(e: HuntEvent): void {
      switch (e.source) {
        case 'w3c':
          seen.web++;
          if (!anyBytes && hasBytes(e.fields, 'sc-bytes')) anyBytes = true;
          if (!secondPass) record(factsFromW3c(e), e);
          return;
        case 'exchange': {
          if (isRequestLog(e)) {
            if (e.log === 'httpproxy') seen.httpproxy++;
            else if (e.log === 'ews') seen.ews++;
            else seen.mapi++;
            if (!anyBytes && (hasBytes(e.fields, 'ResponseBytes') || hasBytes(e.fields, 'ResponseSize'))) anyBytes = true;
            // In second-pass mode requests are only counted here: their facts are read by revisit().
            if (!secondPass) record(requestFacts(e)!, e);
            return;
          }
          if (e.log === 'message-tracking') {
            seen.messageTracking++;
            mail.observe(e);
            return;
          }
          const text = commandRowText(e);
          if (text === null) return;
          if (e.log === 'rps-cmdlet') seen.cmdletLog++;
          seen.commands++;
          exports.observe(text, e);
          return;
        }
        case 'evtx':
        case 'json': {
          const text = commandEventText(e);
          if (text === null) return;
          seen.commands++;
          exports.observe(text, e);
          return;
        }
      }
    },

    part(): ActivityPart {
      if (!secondPass) throw new Error('ActivityCollector.part() is for second-pass mode');
      return { seen: { ...seen }, anyBytes, exports: exports.entries(), droppedExports: exports.dropped, mail: mail.candidates(), droppedMail: mail.dropped };
    },

    merge(p: ActivityPart): void {
      for (const k of Object.keys(seen) as (keyof typeof seen)[]) seen[k] += p.seen[k];
      anyBytes ||= p.anyBytes;
      // In scan order, the exports and mail kept are those one collector would keep (same dedupe, same bounds).
      for (const x of p.exports) exports.add(x);
      exports.dropped += p.droppedExports;
      mail.merge(p.mail, p.droppedMail);
    },

    revisit(e: HuntEvent, attackerIps: ReadonlySet<string>, attackerAgents: ReadonlySet<string>): void {
      const hit = this.revisitHit(e, attackerIps, attackerAgents);
      if (hit) record(hit.f, hit);
    },

    revisitHit(e: HuntEvent, attackerIps: ReadonlySet<string>, attackerAgents: ReadonlySet<string>): RevisitHit | null {
      if (!secondPass) return null;
      if (revisitAgents === null || revisitAgents.from !== attackerAgents) revisitAgents = { from: attackerAgents, all: agentVariants(attackerAgents) };
      const agents = revisitAgents.all;
      // A look at the raw columns first (a superset of the facts' IP and agent): most requests stop here.
      const [ip, client, agent, agent2] = rawClient(e);
      if (!has(attackerIps, ip) && !has(attackerIps, client) && !has(agents, agent) && !has(agents, agent2)) return null;
      const f = requestFacts(e);
      if (f === null || !f.via || (!f.mailbox && !f.addressBook)) return null; // what record() would skip
      if ((f.ip !== null && attackerIps.has(f.ip)) || (f.agent !== null && agents.has(f.agent))) return { f, time: e.time, ref: e.ref };
      return null;
    },

    replay(hit: RevisitHit): void {
      if (secondPass) record(hit.f, hit);
    },

    finish(attackerIps: Set<string>, attackerAgents: Set<string>): TakenSummary {
      const agents = agentVariants(attackerAgents);
      const mine = actorOrder.filter((a) => (a.ip !== null && attackerIps.has(a.ip)) || (a.agent !== null && agents.has(a.agent)));
      const mailboxes: TakenAccess[] = [];
      const addressBooks: TakenAccess[] = [];
      const totals: ActorTotals[] = [];
      for (const a of mine) {
        totals.push({ ip: a.ip, agent: a.agent, requests: a.requests, bytes: a.bytes, first: a.first, last: a.last });
        for (const t of a.order) {
          const target = t.target;
          const row: TakenAccess = {
            ip: a.ip, agent: a.agent, target, kind: t.kind, via: [...t.via].sort(), operations: [...t.operations].sort(),
            requests: t.requests, bytes: t.bytes, first: t.first, last: t.last, evidence: t.evidence,
          };
          (t.kind === 'address-book' ? addressBooks : mailboxes).push(row);
        }
      }
      const byTime = (x: { first: string | null }, y: { first: string | null }): number => cmpStr(x.first ?? '', y.first ?? '');
      mailboxes.sort(byTime);
      addressBooks.sort(byTime);
      totals.sort(byTime);
      const touched = new Map<string, string | null>();
      for (const m of mailboxes) if (m.kind === 'mailbox') touched.set(m.target, earlier(touched.get(m.target) ?? null, m.first));
      const sent = mail.finish(attackerIps, touched);
      dropped.exports = exports.dropped;
      dropped.mail = mail.dropped;

      const cannotShow = [
        'Web and proxy logs record requests, not content: which messages, attachments, contacts or calendar items were read or copied cannot be known from them.',
        'Anything done on the server itself (through a web shell, PowerShell or a remote session) carries no client IP; look at the exports and the file system findings instead.',
        'A mailbox export (PST) written to disk may have been downloaded later through a web shell or a web-reachable folder; that shows only as a web request for the file, if the request was logged at all.',
        'Requests forged through the SSRF (CVE-2021-26855) reach the back end as the Exchange computer account; the mailbox they addressed may appear only in AnchorMailbox, or not at all.',
      ];
      if (!anyBytes) cannotShow.push('None of the logs read records response sizes (IIS sc-bytes is off by default; HttpProxy ResponseBytes absent): the volume taken is unknown.');
      if (seen.httpproxy === 0) cannotShow.push('No Exchange HttpProxy logs were read: mailboxes addressed by EWS/MAPI requests (AnchorMailbox) cannot be named, only authenticated users from IIS logs.');
      if (seen.commands === 0) cannotShow.push('No MSExchange Management, CmdletInfra, PowerShell or process-creation events were read: mailbox exports and eDiscovery searches run on the server could not be checked.');
      cannotShow.push(...perLogLimits(seen));
      if (dropped.actors + dropped.targets + dropped.exports + dropped.mail > 0)
        cannotShow.push(`Bounds reached: ${dropped.actors} client/agent pairs, ${dropped.targets} targets, ${dropped.exports} export records and ${dropped.mail} message-tracking rows were not kept; counts above are lower bounds.`);

      return {
        attackerIps: [...attackerIps].sort(),
        attackerAgents: [...attackerAgents].sort(),
        actors: totals,
        mailboxes,
        addressBooks,
        exports: exports.sorted(),
        mail: sent,
        cannotShow,
        seen: { ...seen },
        dropped: { ...dropped },
      };
    },
  };
}

/** What each Exchange log kind cannot show, said once per scan (research exchange-logs.md §3-§5, §7). */
function perLogLimits(seen: TakenSummary['seen']): string[] {
  const out = [
    'The administrator audit log and the mailbox audit logs (who ran which cmdlet; who opened, moved or deleted which item) are stored inside mailboxes, not on disk: a triage collection cannot hold them. Search them on the live organisation (Search-AdminAuditLog, Search-MailboxAuditLog).',
  ];
  if (seen.ews > 0) out.push('The EWS log names the operation (GetItem, ExportItems, ...) and the response size, not which items: plain delegate access to another mailbox shows only as the HttpProxy AnchorMailbox.');
  else out.push('No EWS logs (Logging\\Ews) were read: which EWS operations the attacker ran, and how many bytes they took, is unknown.');
  if (seen.cmdletLog > 0) out.push('CmdletInfra Rps_Cmdlet logs cut every parameter value at 200 characters: a long script or path may be incomplete there.');
  else out.push('No CmdletInfra Rps_Cmdlet logs were read: Remote PowerShell cmdlets are seen only through the MSExchange Management event log, without the executing SID or the session\'s sender.');
  if (seen.messageTracking > 0) out.push('MessageTracking records mail that went through transport: drafts saved with EWS (the ProxyShell payload) and items read in place never appear there.');
  else out.push('No MessageTracking logs (TransportRoles\\Logs\\MessageTracking) were read: mail sent or forwarded from touched mailboxes cannot be listed.');
  out.push('Exchange keeps its text logs 30 days by default and caps each folder\'s size (1 GB for CmdletInfra and HttpProxy, 5 GB for EWS, 1000 MB per MessageTracking prefix): on a busy server they reach back far less; the coverage section gives the span actually read.');
  return out;
}
