// Puts the resolved client on an event, beside what the log recorded: `client-ip` (the client, when a trusted
// proxy named it), `proxy-ip` (the peer, when it is a trusted proxy), `forwarded-claim` (a header from a non-proxy).
import type { HuntEvent } from '../event.js';
import { FORWARDED_HEADERS, type ForwardedHeader } from './forwarded.js';
import { resolveChain, resolveClient, type ClientResolution, type ClientTrust, type ForwardedValue } from './client.js';

/** The field names exhunt adds; the logged ones (`c-ip`, `x-forwarded-for`, `ClientIpAddress`) stay as they were. */
export const CLIENT_IP = 'client-ip';
export const PROXY_IP = 'proxy-ip';
export const CLIENT_IP_FROM = 'client-ip-from';
export const FORWARDED_CLAIM = 'forwarded-claim';

function present(v: string | undefined): v is string {
  return v !== undefined && v !== '' && v !== '-';
}

/** The forwarded headers a W3C event carries (fields named after the lower-case header, see the W3C reader). */
export function forwardedValues(fields: Record<string, string>): ForwardedValue[] {
  let out: ForwardedValue[] | null = null;
  for (const header of FORWARDED_HEADERS) {
    const value = fields[header];
    if (present(value)) (out ??= []).push({ header, value });
  }
  return out ?? NONE;
}
const NONE: ForwardedValue[] = [];

/** The headers of `forwardedValues`, for the proxy detector. */
export function forwardedHeaders(fields: Record<string, string>): ForwardedHeader[] {
  return forwardedValues(fields).map((f) => f.header);
}

/**
 * Resolves and records the client of a web request event (IIS, and Exchange logs with a `ClientIpAddress`);
 * other events are left alone and give null. With no trusted proxy and no forwarded header, nothing is added.
 */
export function markClient(e: HuntEvent, trust: ClientTrust): ClientResolution | null {
  if (e.source === 'w3c') {
    const f = e.fields;
    // Most logs have no forwarded column: then only a trusted proxy's own address is worth a look.
    if (e.forwarded === false && trust.empty) return null;
    const fwd = e.forwarded === false ? NONE : forwardedValues(f);
    if (trust.empty && fwd.length === 0) return null;
    const r = resolveClient(f['c-ip'] ?? null, fwd, trust);
    apply(f, r);
    return r;
  }
  if (e.source === 'exchange') {
    if (trust.empty) return null;
    const f = e.fields;
    const chain = f['ClientIpAddress'] ?? f['ClientIp'];
    if (!present(chain)) return null;
    const r = resolveChain(chain, trust);
    // Exchange's column is the header when there was one: a claim is not told apart from the peer there.
    if (r.kind !== 'direct') apply(f, r);
    return r;
  }
  return null;
}

function apply(f: Record<string, string>, r: ClientResolution): void {
  switch (r.kind) {
    case 'direct':
      if (r.claim !== null) f[FORWARDED_CLAIM] = r.claim.value;
      return;
    case 'proxied':
      f[PROXY_IP] = r.proxy;
      f[CLIENT_IP] = r.client;
      f[CLIENT_IP_FROM] = r.header;
      return;
    case 'unresolved':
      f[PROXY_IP] = r.proxy;
      return;
  }
}

/**
 * The client address of a marked event's fields, for engines: `client-ip` when the peer was a trusted proxy
 * (null if the proxy did not say), else the logged peer column(s) given, first present wins.
 */
export function clientOf(fields: Readonly<Record<string, unknown>>, ...peerNames: string[]): string | null {
  const proxy = fields[PROXY_IP];
  if (typeof proxy === 'string' && proxy !== '') {
    const c = fields[CLIENT_IP];
    return typeof c === 'string' && c !== '' ? c : null;
  }
  for (const n of peerNames) {
    const v = fields[n];
    if (typeof v === 'string' && v !== '' && v !== '-') return v;
  }
  return null;
}
