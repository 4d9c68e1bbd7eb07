// Reading the request facts the activity collector needs from W3C and HttpProxy events, whatever the
// field spelling (normalised names first, raw W3C names as fallback). No aggregation here.
import type { ExchangeEvent, W3cEvent } from '../../event.js';
import type { AccessVia } from './taken.js';
import { clientOf, PROXY_IP } from '../../normalize/index.js';

export interface RequestFacts {
  ip: string | null;
  agent: string | null;
  /** A mailbox the request addressed (AnchorMailbox SMTP/SID, else the authenticated user). */
  mailbox: string | null;
  via: AccessVia | null;
  addressBook: 'OAB' | 'NSPI' | null;
  calendar: boolean;
  bytes: number | null;
}

function pick(f: Record<string, string>, ...names: string[]): string | null {
  for (const n of names) {
    const v = f[n];
    if (v !== undefined && v !== '' && v !== '-') return v;
  }
  return null;
}
function num(s: string | null): number | null {
  if (s === null) return null;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** 'SMTP:a@b' → 'a@b'; ServerInfo~ (the SSRF's target server) and empty → null. */
export function mailboxFromAnchor(anchor: string | null): string | null {
  if (!anchor) return null;
  const a = anchor.trim();
  if (/^serverinfo~|^serverversion~|^database~|^dc~|^anonymous/i.test(a)) return null;
  const m = /^smtp:(.+)$/i.exec(a);
  if (m) return m[1]!.toLowerCase();
  if (/^[^@\s]+@[^@\s]+$/.test(a)) return a.toLowerCase();
  return a.length <= 200 ? a : a.slice(0, 200);
}

function viaFromStem(stem: string): AccessVia | null {
  const s = stem.toLowerCase();
  if (s.startsWith('/ews/')) return 'EWS';
  if (s.startsWith('/mapi/nspi')) return 'NSPI';
  if (s.startsWith('/mapi/')) return 'MAPI';
  if (s.startsWith('/oab/')) return 'OAB';
  if (s.startsWith('/rpc/')) return 'RPC';
  if (s.startsWith('/microsoft-server-activesync')) return 'EAS';
  if (s.startsWith('/api/')) return 'REST';
  if (s.startsWith('/owa/calendar')) return 'CALENDAR';
  if (s.startsWith('/owa/') && !s.startsWith('/owa/auth')) return 'OWA';
  return null;
}
function viaFromProtocol(p: string | null): AccessVia | null {
  switch ((p ?? '').toLowerCase()) {
    case 'ews':
      return 'EWS';
    case 'mapi':
      return 'MAPI';
    case 'owa':
      return 'OWA';
    case 'owacalendar':
      return 'CALENDAR';
    case 'oab':
      return 'OAB';
    case 'rpchttp':
      return 'RPC';
    case 'eas':
      return 'EAS';
    case 'rest':
      return 'REST';
    default:
      return null;
  }
}

function finish(via: AccessVia | null, base: Omit<RequestFacts, 'via' | 'addressBook' | 'calendar'>): RequestFacts {
  const addressBook = via === 'OAB' ? 'OAB' : via === 'NSPI' ? 'NSPI' : null;
  // An object literal, not a spread: spreading costs 1–7 µs per call on this Node 20 (measured), once per request.
  return { ip: base.ip, agent: base.agent, mailbox: base.mailbox, bytes: base.bytes, via, addressBook, calendar: via === 'CALENDAR' };
}

/** The Exchange Back End site (W3SVC2) logs the front end as its client: its c-ip is not the attacker's. */
export function isBackEndSite(site: string | null, path: string): boolean {
  return (site ?? '').toUpperCase() === 'W3SVC2' || /(?:^|\/)W3SVC2\//i.test(path);
}

export function factsFromW3c(e: W3cEvent): RequestFacts {
  const f = e.fields;
  const backEnd = isBackEndSite(e.site, e.ref.path);
  const stem = pick(f, 'cs-uri-stem') ?? '';
  const agentRaw = pick(f, 'cs-user-agent', 'cs(User-Agent)');
  const user = pick(f, 'cs-username');
  return finish(viaFromStem(stem), {
    // Behind a trusted proxy, the client its header named (the back end's only when its front end is trusted).
    ip: f[PROXY_IP] !== undefined ? clientOf(f) : backEnd ? null : pick(f, 'c-ip'),
    agent: agentRaw,
    mailbox: user && !user.endsWith('$') ? user.toLowerCase() : null,
    bytes: num(pick(f, 'sc-bytes')),
  });
}

export function factsFromHttpProxy(e: ExchangeEvent): RequestFacts {
  const f = e.fields;
  const stem = pick(f, 'UrlStem') ?? '';
  let via = viaFromProtocol(pick(f, 'Protocol') ?? e.protocol) ?? viaFromStem(stem);
  if (via === 'MAPI' && stem.toLowerCase().startsWith('/mapi/nspi')) via = 'NSPI';
  const user = pick(f, 'AuthenticatedUser');
  const mailbox = mailboxFromAnchor(pick(f, 'AnchorMailbox')) ?? (user && !user.endsWith('$') ? user.toLowerCase() : null);
  return finish(via, {
    ip: f[PROXY_IP] !== undefined ? clientOf(f) : pick(f, 'ClientIpAddress', 'ClientIp'),
    agent: pick(f, 'UserAgent'),
    mailbox,
    bytes: num(pick(f, 'ResponseBytes')),
  });
}
