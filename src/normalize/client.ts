// Who the client of a request was: the TCP peer, unless the peer is a trusted proxy, in which case the
// right-most address of its forwarded header that is not itself a trusted proxy (the one a proxy of ours wrote).
import ipaddr from 'ipaddr.js';
import { HuntError } from '../diagnostics.js';
import { FORWARDED_HEADERS, ipv4Number, normaliseAddress, parseForwarded, type ForwardedHeader, type Hop } from './forwarded.js';

/** What to trust, as plain data (it crosses into worker threads): CIDRs given by the user and detected addresses. */
export interface TrustSpec {
  cidrs: string[];
  addresses: string[];
}

/** '10.0.0.0/8', '10.0.0.5' (a /32), '2001:db8::/32' → the canonical CIDR; a usage error for anything else. */
export function parseTrustedProxy(text: string): string {
  const t = text.trim();
  const bare = normaliseAddress(t);
  if (bare !== null && !t.includes('/')) {
    const a = ipaddr.process(bare);
    return `${a.toString()}/${a.kind() === 'ipv4' ? 32 : 128}`;
  }
  const m = /^([^/]+)\/(\d{1,3})$/.exec(t);
  const base = m ? normaliseAddress(m[1]!) : null;
  if (!m || base === null) throw new HuntError('USAGE', `--trusted-proxy '${text}' is not an address or CIDR (e.g. 10.0.0.0/8, 10.1.2.3, 2001:db8::/32)`);
  const addr = ipaddr.parse(base);
  const bits = Number(m[2]);
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  if (bits > max) throw new HuntError('USAGE', `--trusted-proxy '${text}': a ${addr.kind() === 'ipv4' ? 'IPv4' : 'IPv6'} prefix is at most /${max}`);
  return `${addr.toString()}/${bits}`;
}

/** A compiled TrustSpec: answers "is this address a proxy of ours?" (answers cached, as peers repeat). */
export class ClientTrust {
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  /** IPv4 ranges as [network, mask] numbers: hops are checked per request, without ipaddr.js's parser. */
  private readonly v4: [number, number][];
  private readonly exact: Set<string>;
  private readonly cache = new Map<string, boolean>();
  readonly empty: boolean;
  constructor(readonly spec: TrustSpec) {
    this.ranges = spec.cidrs.map((c) => ipaddr.parseCIDR(c));
    this.v4 = this.ranges.flatMap(([net, bits]) => {
      if (net.kind() !== 'ipv4') return [];
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      return [[(ipv4Number(net.toString())! & mask) >>> 0, mask] as [number, number]];
    });
    this.exact = new Set(spec.addresses.map(canonical).filter((a): a is string => a !== null));
    this.empty = this.ranges.length === 0 && this.exact.size === 0;
  }
  static none(): ClientTrust {
    return new ClientTrust({ cidrs: [], addresses: [] });
  }
  /** `address` as normaliseAddress writes it. */
  has(address: string): boolean {
    if (this.empty) return false;
    const n = ipv4Number(address);
    if (n !== null) return this.exact.has(address) || this.v4.some(([net, mask]) => ((n & mask) >>> 0) === net);
    let r = this.cache.get(address);
    if (r === undefined) {
      r = this.compute(address);
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(address, r);
    }
    return r;
  }
  private compute(address: string): boolean {
    const n = normaliseAddress(address);
    if (n === null) return false;
    // One parse: normaliseAddress already gave IPv4-mapped addresses their IPv4 form.
    const a = ipaddr.parse(n);
    if (this.exact.has(a.toString())) return true;
    return this.ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
  }
}

/** One canonical spelling per address (IPv6 compressed, lower case), or null. */
export function canonical(address: string): string | null {
  if (ipv4Number(address) !== null) return address;
  const n = normaliseAddress(address);
  return n === null ? null : ipaddr.process(n).toString();
}

/** Private, loopback, link-local or unique-local: where a balancer in front of Exchange sits. */
export function isInternalAddress(address: string): boolean {
  const c = canonical(address);
  if (c === null) return false;
  const r = ipaddr.parse(c).range();
  return r === 'private' || r === 'loopback' || r === 'linkLocal' || r === 'uniqueLocal' || r === 'carrierGradeNat';
}

export interface ForwardedValue {
  header: ForwardedHeader;
  value: string;
}

/** What the request's addresses say about its client. A closed set. */
export type ClientResolution =
  /** The peer is no proxy of ours: it is the client. A forwarded header it sent is only its claim. */
  | { kind: 'direct'; client: string | null; claim: ForwardedValue | null }
  /** The peer is a trusted proxy and its header names the client. */
  | { kind: 'proxied'; client: string; proxy: string; header: ForwardedHeader }
  /** The peer is a trusted proxy but the client cannot be told: no header, `unknown`, an obfuscated id or junk. */
  | { kind: 'unresolved'; proxy: string; reason: 'no-header' | 'unknown' | 'hidden' | 'junk' };

/**
 * The client of one request. `peer` is the TCP peer as logged (IIS c-ip); `forwarded` the forwarded headers
 * the log recorded for it (any order; empty values and '-' are ignored). Only a trusted peer's headers count;
 * of those, Forwarded wins over X-Forwarded-For over the single-address headers (FORWARDED_HEADERS order).
 * Walking the chain from the right, trusted proxies are passed over and the first other address is the client;
 * a chain of trusted addresses only names its left-most one (an internal client inside the trusted range).
 */
export function resolveClient(peer: string | null, forwarded: readonly ForwardedValue[], trust: ClientTrust): ClientResolution {
  const p = peer === null ? null : normaliseAddress(peer);
  const claim = forwarded.find((f) => f.value !== '' && f.value !== '-') ?? null;
  if (p === null || !trust.has(p)) return { kind: 'direct', client: p, claim };
  let first: ClientResolution | null = null;
  for (const header of FORWARDED_HEADERS) {
    for (const f of forwarded) {
      if (f.header !== header) continue;
      const r = fromChain(parseForwarded(header, f.value), p, header, trust);
      if (r === null) continue;
      if (r.kind === 'proxied') return r;
      first ??= r;
    }
  }
  return first ?? { kind: 'unresolved', proxy: p, reason: 'no-header' };
}

function fromChain(hops: readonly Hop[], proxy: string, header: ForwardedHeader, trust: ClientTrust): ClientResolution | null {
  if (hops.length === 0) return null;
  let leftmostTrusted: string | null = null;
  for (let i = hops.length - 1; i >= 0; i--) {
    const h = hops[i]!;
    if (h.kind !== 'ip') return { kind: 'unresolved', proxy, reason: h.kind };
    if (!trust.has(h.address)) return { kind: 'proxied', client: h.address, proxy, header };
    leftmostTrusted = h.address;
  }
  return leftmostTrusted !== null ? { kind: 'proxied', client: leftmostTrusted, proxy, header } : null;
}

/**
 * A chain as Exchange's own logs write it (HttpProxy, Rps_Http, EWS `ClientIpAddress`: the X-Forwarded-For
 * value with commas turned into spaces, else the peer): its right-most element is read as the peer.
 */
export function resolveChain(chain: string, trust: ClientTrust): ClientResolution {
  const parts = chain.trim().split(/[\s,]+/).filter((s) => s.length > 0);
  if (parts.length === 0) return { kind: 'direct', client: null, claim: null };
  const peer = parts[parts.length - 1]!;
  const rest = parts.slice(0, -1).join(' ');
  return resolveClient(peer, rest ? [{ header: 'x-forwarded-for', value: rest }] : [], trust);
}
