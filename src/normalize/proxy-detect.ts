// Proxy auto-detection: a log where a few internal c-ip addresses carry a forwarded header on most requests
// is written behind a balancer, and those addresses are its proxies. Conservative: public peers never qualify.
import { FORWARDED_HEADERS, headerTitle, type ForwardedHeader } from './forwarded.js';
import { canonical, isInternalAddress } from './client.js';

/** Requests a log needs before it can show a proxy. */
export const MIN_REQUESTS = 20;
/** "Most requests": the share of a log's requests that carry a forwarded header. */
export const MIN_HEADER_SHARE = 0.5;
/** "A few": at most this many proxies per log, and they carry nearly all the header-bearing requests. */
export const MAX_PROXIES = 4;
const MIN_PROXIES_SHARE = 0.9;
/** A proxy sends the header on nearly all of its own requests (a balancer's health probes may lack it). */
const MIN_PEER_SHARE = 0.8;

export interface DetectedProxy {
  address: string;
  header: ForwardedHeader;
  /** The log the detection rests on, and its figures. */
  log: string;
  requests: number;
  withHeader: number;
  logRequests: number;
  /** How many logs showed this proxy (the figures above are from the one where it carried the most). */
  logs: number;
}

interface Peer {
  requests: number;
  withHeader: number;
  headers: Map<ForwardedHeader, number>;
}
interface Log {
  requests: number;
  withHeader: number;
  peers: Map<string, Peer>;
}

/** Counts, per log, which peers send which forwarded headers; `verdict()` names the proxies. */
export class ProxyDetector {
  private readonly logs = new Map<string, Log>();
  /** One request of `log` from `peer` (c-ip as logged), with the forwarded headers it carried (non-empty ones). */
  observe(log: string, peer: string | null, headers: readonly ForwardedHeader[]): void {
    let l = this.logs.get(log);
    if (!l) this.logs.set(log, (l = { requests: 0, withHeader: 0, peers: new Map() }));
    l.requests++;
    if (headers.length > 0) l.withHeader++;
    const key = peer === null ? null : canonical(peer);
    if (key === null) return;
    let p = l.peers.get(key);
    if (!p) {
      // A log's peers are bounded in practice, but not by anything an attacker cannot change: past 10,000 the
      // rest are counted only in the log's totals (a balancer is among the first peers of its log anyway).
      if (l.peers.size >= 10_000) return;
      l.peers.set(key, (p = { requests: 0, withHeader: 0, headers: new Map() }));
    }
    p.requests++;
    if (headers.length > 0) p.withHeader++;
    for (const h of headers) p.headers.set(h, (p.headers.get(h) ?? 0) + 1);
  }

  /** One entry per proxy address, in order of first detection. */
  verdict(): DetectedProxy[] {
    const byAddress = new Map<string, DetectedProxy>();
    for (const d of this.perLog()) {
      const known = byAddress.get(d.address);
      if (!known) byAddress.set(d.address, d);
      else byAddress.set(d.address, { ...(d.withHeader > known.withHeader ? d : known), logs: known.logs + 1 });
    }
    return [...byAddress.values()];
  }

  private perLog(): DetectedProxy[] {
    const out: DetectedProxy[] = [];
    for (const [log, l] of this.logs) {
      if (l.requests < MIN_REQUESTS || l.withHeader < MIN_HEADER_SHARE * l.requests) continue;
      const carriers = [...l.peers.entries()].filter(([, p]) => p.withHeader > 0).sort((a, b) => b[1].withHeader - a[1].withHeader);
      const few = carriers.slice(0, MAX_PROXIES);
      const covered = few.reduce((n, [, p]) => n + p.withHeader, 0);
      if (covered < MIN_PROXIES_SHARE * l.withHeader) continue;
      for (const [address, p] of few) {
        if (!isInternalAddress(address) || p.withHeader < MIN_PEER_SHARE * p.requests) continue;
        const header = FORWARDED_HEADERS.reduce((best, h) => ((p.headers.get(h) ?? 0) > (p.headers.get(best) ?? 0) ? h : best), FORWARDED_HEADERS[1] as ForwardedHeader);
        out.push({ address, header, log, requests: p.requests, withHeader: p.withHeader, logRequests: l.requests, logs: 1 });
      }
    }
    return out;
  }
}

/** "10.0.0.5 sent X-Forwarded-For on 1,982 of its 2,000 requests (of 2,004 sampled) in W3SVC1/u_ex210303_x.log". */
export function describeDetection(d: DetectedProxy): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const more = d.logs > 1 ? ` and like that in ${n(d.logs - 1)} more log${d.logs > 2 ? 's' : ''}` : '';
  return `${d.address} sent ${headerTitle(d.header)} on ${n(d.withHeader)} of its ${n(d.requests)} requests (of ${n(d.logRequests)} sampled) in ${d.log}${more}`;
}
