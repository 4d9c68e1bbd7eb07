// The "what was taken" collector: fed every HuntEvent during the scan, it keeps bounded per-IP/per-UA
// aggregates of mailbox, address-book and export activity, then keeps the attacker's share at finish().
import type { EvidenceRef, HuntEvent, WinEvent } from '../../event.js';
import { factsFromHttpProxy, factsFromW3c, type RequestFacts } from './fields.js';
import { cmpStr } from './finding-fields.js';
import type { AccessVia, ActorTotals, TakenAccess, TakenExport, TakenSummary } from './taken.js';

export interface ActivityCollector {
  /** Every event of the scan (in 'second-pass' mode web and HttpProxy requests are only counted here). */
  observe(event: HuntEvent): void;
  /**
   * 'second-pass' mode: a web or HttpProxy request read again once the attackers are known; recorded when
   * its client IP or user agent is theirs (other events are ignored).
   */
  revisit(event: HuntEvent, attackerIps: ReadonlySet<string>, attackerAgents: ReadonlySet<string>): void;
  finish(attackerIps: Set<string>, attackerAgents: Set<string>): TakenSummary;
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
}
const DEFAULT_LIMITS: ActivityLimits = { maxActors: 20_000, maxTargetsPerActor: 500, maxExports: 1_000 };

interface TargetAgg {
  kind: TakenAccess['kind'];
  via: Set<AccessVia>;
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

const EXPORT_CMDLETS: { re: RegExp; kind: TakenExport['kind'] }[] = [
  { re: /New-MailboxExportRequest/i, kind: 'mailbox-export' },
  { re: /New-ComplianceSearch(?:Action)?|Start-ComplianceSearch/i, kind: 'ediscovery-search' },
  { re: /New-MailboxSearch|Search-Mailbox/i, kind: 'mailbox-search' },
];
const ANY_EXPORT = /New-MailboxExportRequest|New-ComplianceSearch|Start-ComplianceSearch|New-MailboxSearch|Search-Mailbox/i;

const earlier = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a <= b ? a : b);
const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a >= b ? a : b);
const addBytes = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : a + b);

/** Windows events whose text may carry an export command (cmdlet log, PowerShell, process creation). */
function commandEventText(e: WinEvent): string | null {
  const ch = (e.channel ?? '').toLowerCase();
  const id = e.eventId;
  const relevant =
    ch === 'msexchange management' ||
    (ch === 'security' && id === 4688) ||
    (ch === 'microsoft-windows-sysmon/operational' && id === 1) ||
    (ch === 'microsoft-windows-powershell/operational' && (id === 4104 || id === 4103)) ||
    (ch === 'windows powershell' && id === 800);
  if (!relevant) return null;
  const event = (e.data as { Event?: { EventData?: unknown; UserData?: unknown } }).Event;
  const parts: string[] = [];
  let size = 0;
  const walk = (v: unknown, depth: number): void => {
    if (size > 65_536 || depth > 6 || v === null || v === undefined) return;
    if (typeof v === 'string' || typeof v === 'number') {
      const s = String(v);
      parts.push(s);
      size += s.length + 3;
    } else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (typeof v === 'object') for (const x of Object.values(v as Record<string, unknown>)) walk(x, depth + 1);
  };
  walk(event?.EventData ?? event?.UserData ?? e.data, 0);
  return parts.join(' | ');
}

// A cmdlet parameter's value: 'quoted with spaces', "double quoted", or a bare word.
function param(text: string, names: string): string | null {
  const m = new RegExp(`-(?:${names})\\s+(?:'((?:[^']|'')*)'|"([^"]*)"|([^\\s;,|]+))`, 'i').exec(text);
  if (!m) return null;
  return (m[1]?.replace(/''/g, "'") ?? m[2] ?? m[3] ?? '').trim() || null;
}

function parseExport(text: string, cmd: string): Pick<TakenExport, 'mailbox' | 'filePath' | 'detail'> {
  const at = Math.max(0, text.search(new RegExp(cmd, 'i')));
  const tail = text.slice(at, at + 4000);
  return { mailbox: param(tail, 'Mailbox|Identity|ExchangeLocation|SourceMailboxes'), filePath: param(tail, 'FilePath'), detail: tail.slice(0, 300) };
}

/** Both spellings of each agent ('+' for spaces as IIS logs them, and spaces). */
function agentVariants(attackerAgents: Iterable<string>): Set<string> {
  const agents = new Set<string>();
  for (const a of attackerAgents) {
    agents.add(a);
    agents.add(a.replace(/\+/g, ' '));
    agents.add(a.replace(/ /g, '+'));
  }
  return agents;
}

const has = (set: ReadonlySet<string>, v: string | undefined): boolean => v !== undefined && set.has(v);

/** Does the event's log record response sizes (IIS sc-bytes, HttpProxy ResponseBytes)? */
function hasBytes(f: Record<string, string>, name: string): boolean {
  const v = f[name];
  return v !== undefined && v !== '' && v !== '-';
}

export function createActivityCollector(limits: Partial<ActivityLimits> = {}, opts: ActivityOptions = {}): ActivityCollector {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const secondPass = opts.mode === 'second-pass';
  // revisit(): the agent set with both spellings, built once per attackerAgents set.
  let revisitAgents: { from: ReadonlySet<string>; all: Set<string> } | null = null;
  // Actors by IP, then user agent ('' for none), and in the order first seen.
  const actors = new Map<string, Map<string, ActorAgg>>();
  const actorOrder: ActorAgg[] = [];
  const exports: TakenExport[] = [];
  const dropped = { actors: 0, targets: 0, exports: 0 };
  const seen = { web: 0, httpproxy: 0, commands: 0 };
  let anyBytes = false;

  function record(f: RequestFacts, e: HuntEvent): void {
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
      t = { kind, target, via: new Set(), requests: 0, bytes: null, first: null, last: null, evidence: e.ref };
      if (!byName) a.targets.set(kind, (byName = new Map()));
      byName.set(target, t);
      a.order.push(t);
    }
    t.via.add(f.via);
    t.requests++;
    t.bytes = addBytes(t.bytes, f.bytes);
    t.first = earlier(t.first, e.time);
    t.last = later(t.last, e.time);
  }

  function recordExport(text: string, e: HuntEvent): void {
    for (const { re, kind } of EXPORT_CMDLETS) {
      const m = re.exec(text);
      if (!m) continue;
      if (exports.length >= lim.maxExports) {
        dropped.exports++;
        return;
      }
      exports.push({ kind, command: m[0], ...parseExport(text, m[0]), time: e.time, host: e.host, evidence: e.ref });
      return;
    }
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
          if (e.log === 'httpproxy') {
            seen.httpproxy++;
            if (!anyBytes && hasBytes(e.fields, 'ResponseBytes')) anyBytes = true;
            if (!secondPass) record(factsFromHttpProxy(e), e);
          } else if (e.log.startsWith('ecp')) {
            const text = Object.values(e.fields).join(' ');
            if (ANY_EXPORT.test(text)) {
              seen.commands++;
              recordExport(text, e);
            }
          }
          return;
        }
        case 'evtx':
        case 'json': {
          const text = commandEventText(e);
          if (text === null) return;
          seen.commands++;
          if (ANY_EXPORT.test(text)) recordExport(text, e);
          return;
        }
      }
    },

    revisit(e: HuntEvent, attackerIps: ReadonlySet<string>, attackerAgents: ReadonlySet<string>): void {
      if (!secondPass) return;
      if (revisitAgents === null || revisitAgents.from !== attackerAgents) revisitAgents = { from: attackerAgents, all: agentVariants(attackerAgents) };
      const agents = revisitAgents.all;
      // A look at the raw columns first (a superset of the facts' IP and agent): most requests stop here.
      let f: RequestFacts;
      if (e.source === 'w3c') {
        const x = e.fields;
        if (!has(attackerIps, x['c-ip']) && !has(attackerIps, x['client-ip']) && !has(agents, x['cs-user-agent']) && !has(agents, x['cs(User-Agent)'])) return;
        f = factsFromW3c(e);
      } else if (e.source === 'exchange' && e.log === 'httpproxy') {
        const x = e.fields;
        if (!has(attackerIps, x['ClientIpAddress']) && !has(attackerIps, x['ClientIp']) && !has(attackerIps, x['client-ip']) && !has(agents, x['UserAgent'])) return;
        f = factsFromHttpProxy(e);
      } else return;
      if ((f.ip !== null && attackerIps.has(f.ip)) || (f.agent !== null && agents.has(f.agent))) record(f, e);
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
          const row: TakenAccess = { ip: a.ip, agent: a.agent, target, kind: t.kind, via: [...t.via].sort(), requests: t.requests, bytes: t.bytes, first: t.first, last: t.last, evidence: t.evidence };
          (t.kind === 'address-book' ? addressBooks : mailboxes).push(row);
        }
      }
      const byTime = (x: { first: string | null }, y: { first: string | null }): number => cmpStr(x.first ?? '', y.first ?? '');
      mailboxes.sort(byTime);
      addressBooks.sort(byTime);
      totals.sort(byTime);
      exports.sort((x, y) => cmpStr(x.time ?? '', y.time ?? ''));

      const cannotShow = [
        'Web and proxy logs record requests, not content: which messages, attachments, contacts or calendar items were read or copied cannot be known from them.',
        'Anything done on the server itself (through a web shell, PowerShell or a remote session) carries no client IP; look at the exports and the file system findings instead.',
        'A mailbox export (PST) written to disk may have been downloaded later through a web shell or a web-reachable folder; that shows only as a web request for the file, if the request was logged at all.',
        'Requests forged through the SSRF (CVE-2021-26855) reach the back end as the Exchange computer account; the mailbox they addressed may appear only in AnchorMailbox, or not at all.',
      ];
      if (!anyBytes) cannotShow.push('None of the logs read records response sizes (IIS sc-bytes is off by default; HttpProxy ResponseBytes absent): the volume taken is unknown.');
      if (seen.httpproxy === 0) cannotShow.push('No Exchange HttpProxy logs were read: mailboxes addressed by EWS/MAPI requests (AnchorMailbox) cannot be named, only authenticated users from IIS logs.');
      if (seen.commands === 0) cannotShow.push('No MSExchange Management, PowerShell or process-creation events were read: mailbox exports and eDiscovery searches run on the server could not be checked.');
      if (dropped.actors + dropped.targets + dropped.exports > 0)
        cannotShow.push(`Bounds reached: ${dropped.actors} client/agent pairs, ${dropped.targets} targets and ${dropped.exports} export records were not kept; counts above are lower bounds.`);

      return {
        attackerIps: [...attackerIps].sort(),
        attackerAgents: [...attackerAgents].sort(),
        actors: totals,
        mailboxes,
        addressBooks,
        exports,
        cannotShow,
        seen: { ...seen },
        dropped: { ...dropped },
      };
    },
  };
}
