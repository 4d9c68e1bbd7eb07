// bench:clients — the price of naming the real client behind a balancer: resolveClient per request against
// proxy-addr (Express's trust-proxy resolver) on the same X-Forwarded-For values, and reading a generated IIS
// log behind a balancer with and without marking every event (and the detection sample). Medians of RUNS.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import proxyaddr from 'proxy-addr';
import type { Evidence } from '../src/evidence/evidence.js';
import { projectRoot } from '../src/paths.js';
import { ClientLedger, ClientTrust, resolveClient } from '../src/normalize/index.js';
import { detectProxies, readW3cBatches } from '../src/readers/w3c/index.js';

const RUNS = Number(process.env['EXHUNT_BENCH_RUNS'] ?? 5);
const LINES = Number(process.env['EXHUNT_BENCH_LINES'] ?? 400_000);
const DATA = join(projectRoot, '.bench-data', 'W3SVC1');
const FILE = join(DATA, `u_ex-lb-${LINES}_x.log`);
const FIELDS = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken X-Forwarded-For';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function xffOf(i: number): string {
  // Mostly one client; some with a corporate proxy's chain, some IPv6 with a port, a few probes without the header.
  if (i % 50 === 0) return '-';
  if (i % 7 === 0) return `10.${i & 255}.1.2,+198.51.${(i >> 8) & 255}.${i & 255}`;
  if (i % 11 === 0) return `[2001:db8::${(i & 0xffff).toString(16)}]:443`;
  return `198.51.${(i >> 8) & 255}.${i & 255}`;
}

function generate(withXff: boolean): Evidence {
  mkdirSync(DATA, { recursive: true });
  const file = withXff ? FILE : FILE.replace('_x.log', '.log');
  const out: string[] = ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', '#Date: 2021-03-03 00:00:00', `#Fields: ${withXff ? FIELDS : FIELDS.replace(' X-Forwarded-For', '')}`];
  for (let i = 0; i < LINES; i++) {
    const t = `2021-03-03 ${String((i / 20_000) % 24 | 0).padStart(2, '0')}:${String((i / 300) % 60 | 0).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    out.push(`${t} 10.0.0.20 POST /EWS/Exchange.asmx &CorrelationID=<empty>;&cafeReqId=${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000; 443 user${i % 900}@contoso.com 10.0.0.${5 + (i % 2)} Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0) - 200 0 0 ${i % 700}${withXff ? ' ' + xffOf(i) : ''}`);
  }
  writeFileSync(file, out.join('\r\n') + '\r\n');
  const size = statSync(file).size;
  return { absPath: file, path: withXff ? 'W3SVC1/u_ex-lb_x.log' : 'W3SVC1/u_ex-lb.log', root: DATA, kind: 'iis-w3c', size, mtime: '' };
}

async function readAll(ev: Evidence, ledger: ClientLedger | null): Promise<{ ms: number; resolved: number }> {
  const t0 = performance.now();
  let n = 0;
  for await (const batch of readW3cBatches(ev, () => {})) {
    if (ledger) for (const e of batch) ledger.mark(e);
    n += batch.length;
  }
  const ms = performance.now() - t0;
  return { ms, resolved: ledger ? ledger.summary().requests.resolved : n * 0 };
}

async function main(): Promise<void> {
  const ev = generate(true);
  const direct = generate(false);
  const values = Array.from({ length: 200_000 }, (_, i) => xffOf(i).replace(/\+/g, ' ')).filter((v) => v !== '-');
  const trust = new ClientTrust({ cidrs: ['10.0.0.0/29'], addresses: [] });
  const peerTrust = proxyaddr.compile(['10.0.0.0/29']);
  const ours: number[] = [];
  const peer: number[] = [];
  let agree = 0;
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    let sink = 0;
    for (let i = 0; i < values.length; i++) {
      const c = resolveClient(i & 1 ? '10.0.0.5' : '10.0.0.6', [{ header: 'x-forwarded-for', value: values[i]! }], trust);
      if (c.kind === 'proxied') sink += c.client.length;
    }
    ours.push(((performance.now() - t0) * 1e6) / values.length);
    let psink = 0;
    t0 = performance.now();
    for (let i = 0; i < values.length; i++) {
      // proxy-addr reads a request: its socket's peer and the header (it takes no port or brackets, so those stay junk to it).
      const req = { socket: { remoteAddress: i & 1 ? '10.0.0.5' : '10.0.0.6' }, connection: { remoteAddress: i & 1 ? '10.0.0.5' : '10.0.0.6' }, headers: { 'x-forwarded-for': values[i]! } };
      psink += proxyaddr(req as never, peerTrust).length;
    }
    peer.push(((performance.now() - t0) * 1e6) / values.length);
    if (r === 0) {
      for (let i = 0; i < values.length; i++) {
        const req = { connection: { remoteAddress: '10.0.0.5' }, socket: { remoteAddress: '10.0.0.5' }, headers: { 'x-forwarded-for': values[i]! } };
        const c = resolveClient('10.0.0.5', [{ header: 'x-forwarded-for', value: values[i]! }], trust);
        if (c.kind === 'proxied' && c.client === proxyaddr(req as never, peerTrust)) agree++;
      }
    }
    if (sink + psink < 0) console.log('');
  }
  const plain: number[] = [];
  const marked: number[] = [];
  const detect: number[] = [];
  const directPlain: number[] = [];
  const directMarked: number[] = [];
  let resolved = 0;
  for (let r = 0; r < RUNS; r++) {
    directPlain.push((await readAll(direct, null)).ms);
    directMarked.push((await readAll(direct, new ClientLedger([], []))).ms);
    plain.push((await readAll(ev, null)).ms);
    let t0 = performance.now();
    const found = await detectProxies([ev]);
    detect.push(performance.now() - t0);
    const m = await readAll(ev, new ClientLedger([], found));
    marked.push(m.ms);
    resolved = m.resolved;
  }
  const mb = ev.size / (1024 * 1024);
  const ns = (x: number): string => `${Math.round(x)} ns`;
  console.log(`bench:clients (${RUNS} runs, medians; ${values.length.toLocaleString('en-US')} X-Forwarded-For values, ${LINES.toLocaleString('en-US')} IIS lines = ${mb.toFixed(0)} MB)`);
  console.log(`  resolveClient per request      ${ns(median(ours))}   proxy-addr (peer) ${ns(median(peer))}   ratio ${(median(ours) / median(peer)).toFixed(2)}; same client on ${agree.toLocaleString('en-US')} of ${values.length.toLocaleString('en-US')} values (proxy-addr reads no ports or brackets)`);
  console.log(`  read IIS log behind a balancer ${median(plain).toFixed(0)} ms plain, ${median(marked).toFixed(0)} ms with every event marked (+${(((median(marked) - median(plain)) / median(plain)) * 100).toFixed(1)}%), ${resolved.toLocaleString('en-US')} clients resolved`);
  console.log(`  read IIS log, no proxy/column  ${median(directPlain).toFixed(0)} ms plain, ${median(directMarked).toFixed(0)} ms marked (${(((median(directMarked) - median(directPlain)) / median(directPlain)) * 100).toFixed(1)}%)`);
  console.log(`  proxy detection sample          ${median(detect).toFixed(0)} ms (first 5,000 requests)`);
}

await main();
