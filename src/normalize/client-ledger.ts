// The scan's account of its clients: which proxies it trusted and why, how many requests each log let it
// resolve, the forwarded headers sent by non-proxies, and the sentences and blind spots the report states.
import type { EvidenceRef, HuntEvent } from '../event.js';
import type { ClientSummary } from '../summary.js';
import { headerTitle, parseForwarded, type ForwardedHeader } from './forwarded.js';
import { ClientTrust, canonical, type ClientResolution } from './client.js';
import { describeDetection, type DetectedProxy } from './proxy-detect.js';
import { markClient } from './mark-client.js';

interface KindCounts {
  proxied: number;
  resolved: number;
  proxies: Set<string>;
}

const MAX_CLAIMS = 20;

/** What a ledger counted, as plain data (a worker's share of the scan); merged in scan order it equals one ledger. */
export interface ClientLedgerPart {
  kinds: [kind: string, proxied: number, resolved: number, proxies: string[]][];
  byHeader: [ForwardedHeader, number][];
  proxied: number;
  resolved: number;
  claimCount: number;
  claims: ClientSummary['claims'];
  oddClaims: ClientSummary['claims'];
}

export class ClientLedger {
  readonly trust: ClientTrust;
  private readonly kinds = new Map<string, KindCounts>();
  private readonly byHeader = new Map<ForwardedHeader, number>();
  private proxied = 0;
  private lastPath = '';
  private lastCounts: KindCounts | null = null;
  private resolved = 0;
  private claimCount = 0;
  private readonly claims: ClientSummary['claims'] = [];
  private readonly oddClaims: ClientSummary['claims'] = [];

  constructor(
    private readonly given: readonly string[],
    private readonly detected: readonly DetectedProxy[],
  ) {
    this.trust = new ClientTrust({ cidrs: [...given], addresses: detected.map((d) => d.address) });
  }

  /** Marks the event's client (see markClient) and counts it; `count: false` for a second read of the same lines. */
  mark(e: HuntEvent, count = true): void {
    const r = markClient(e, this.trust);
    if (r !== null && count) this.count(e, r);
  }

  private count(e: HuntEvent, r: ClientResolution): void {
    if (r.kind === 'direct') {
      if (r.claim === null) return;
      this.claimCount++;
      // Half the samples are kept for claims of the server itself or junk: ordinary clients behind their own
      // company proxy send the header all day, and must not crowd out the forged one.
      const odd = isOdd(r.claim.header, r.claim.value);
      const bucket = odd ? this.oddClaims : this.claims;
      if (bucket.length < MAX_CLAIMS / 2) bucket.push({ peer: r.client, header: headerTitle(r.claim.header), value: clip(r.claim.value), evidence: ref(e.ref) });
      return;
    }
    // Consecutive events come from the same file: its counts are looked up once per file.
    let k = this.lastPath === e.ref.path && e.source === 'w3c' ? this.lastCounts : null;
    if (k === null) {
      const kind = e.source === 'w3c' ? `iis-w3c:${e.site ?? 'unknown'}` : e.source === 'exchange' ? `exchange:${e.log}${e.protocol ? '/' + e.protocol : ''}` : e.source;
      k = this.kinds.get(kind) ?? null;
      if (k === null) this.kinds.set(kind, (k = { proxied: 0, resolved: 0, proxies: new Set() }));
      this.lastPath = e.ref.path;
      this.lastCounts = k;
    }
    k.proxied++;
    this.proxied++;
    if (k.proxies.size < 16 && !k.proxies.has(r.proxy)) k.proxies.add(r.proxy);
    if (r.kind === 'proxied') {
      k.resolved++;
      this.resolved++;
      this.byHeader.set(r.header, (this.byHeader.get(r.header) ?? 0) + 1);
    }
  }

  part(): ClientLedgerPart {
    return {
      kinds: [...this.kinds].map(([kind, k]) => [kind, k.proxied, k.resolved, [...k.proxies]]),
      byHeader: [...this.byHeader],
      proxied: this.proxied,
      resolved: this.resolved,
      claimCount: this.claimCount,
      claims: [...this.claims],
      oddClaims: [...this.oddClaims],
    };
  }

  merge(p: ClientLedgerPart): void {
    for (const [kind, proxied, resolved, proxies] of p.kinds) {
      let k = this.kinds.get(kind);
      if (!k) this.kinds.set(kind, (k = { proxied: 0, resolved: 0, proxies: new Set() }));
      k.proxied += proxied;
      k.resolved += resolved;
      for (const x of proxies) if (k.proxies.size < 16) k.proxies.add(x);
    }
    for (const [h, n] of p.byHeader) this.byHeader.set(h, (this.byHeader.get(h) ?? 0) + n);
    this.proxied += p.proxied;
    this.resolved += p.resolved;
    this.claimCount += p.claimCount;
    for (const c of p.claims) if (this.claims.length < MAX_CLAIMS / 2) this.claims.push(c);
    for (const c of p.oddClaims) if (this.oddClaims.length < MAX_CLAIMS / 2) this.oddClaims.push(c);
    this.lastCounts = null;
    this.lastPath = '';
  }

  /** Blind spots: logs whose requests came through a proxy and that cannot name the client. */
  warnings(): string[] {
    const out: string[] = [];
    for (const [kind, k] of [...this.kinds].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const proxies = [...k.proxies].join(', ');
      const unresolved = (k.proxied - k.resolved).toLocaleString('en-US');
      // An IIS log either has a forwarded column or not (a balancer's own probes lack the header anyway); an
      // Exchange log records the header when the request had one, so its rows that name only the proxy are counted.
      if (kind.startsWith('iis-w3c:')) {
        if (k.resolved === 0) out.push(`${kind}: ${k.proxied.toLocaleString('en-US')} requests came through the proxy ${proxies} and the log has no forwarded-client column (X-Forwarded-For or another): attacker IPs are unknown for it.`);
      } else if (k.resolved < k.proxied) {
        out.push(`${kind}: ${unresolved} rows name only the proxy ${proxies} as ClientIpAddress: for them this log cannot name the client (it is not joined to the IIS line), so their findings name no attacker IP.`);
      }
    }
    return out;
  }

  summary(): ClientSummary {
    const proxies: ClientSummary['proxies'] = [
      ...this.given.map((cidr) => ({ address: cidr, how: 'given' as const, header: null, evidence: null })),
      ...this.detected.map((d) => ({ address: d.address, how: 'detected' as const, header: headerTitle(d.header), evidence: describeDetection(d) })),
    ];
    const statements: string[] = [];
    if (proxies.length > 0) {
      const why = proxies.map((p) => (p.how === 'given' ? `${p.address} (given with --trusted-proxy)` : `${p.address} (detected: ${p.evidence})`));
      const headers = [...this.byHeader].sort((a, b) => b[1] - a[1]).map(([h]) => headerTitle(h));
      statements.push(
        `This server is behind a proxy at ${why.join('; ')}; ` +
          (this.proxied === 0
            ? 'but no request in the logs came from it.'
            : headers.length > 0
            ? `client addresses come from ${headers.join(', ')} (${this.resolved.toLocaleString('en-US')} of ${this.proxied.toLocaleString('en-US')} requests through it named their client). A proxy address is never named an attacker.`
            : `none of the ${this.proxied.toLocaleString('en-US')} requests through it named its client.`),
      );
    }
    if (this.claimCount > 0) {
      statements.push(
        `${this.claimCount.toLocaleString('en-US')} ${this.claimCount === 1 ? 'request' : 'requests'} carried a forwarded-client header from a peer that is no trusted proxy: ` +
          `kept as the field forwarded-claim (the client's own claim, never taken as its address; a forged header is worth a look).`,
      );
    }
    return { proxies, statements, requests: { proxied: this.proxied, resolved: this.resolved, claims: this.claimCount }, claims: [...this.oddClaims, ...this.claims] };
  }
}

/** A claim of loopback or an unspecified address, or one that is not a list of addresses at all. */
function isOdd(header: ForwardedHeader, value: string): boolean {
  return parseForwarded(header, value).some((h) => {
    if (h.kind !== 'ip') return h.kind === 'junk';
    const c = canonical(h.address);
    return c !== null && /^(?:127\.|0\.0\.0\.0$|::1?$)/.test(c);
  });
}

function clip(s: string): string {
  const safe = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return safe.length > 120 ? safe.slice(0, 117) + '...' : safe;
}
function ref(r: EvidenceRef): EvidenceRef {
  return r.line !== undefined ? { path: r.path, line: r.line, kind: r.kind } : { path: r.path, kind: r.kind };
}
