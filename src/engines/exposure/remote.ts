// `exhunt exposure --url`: read the build of a live Exchange server, only when asked, from the X-OWA-Version header,
// the OWA logon page's resource paths and the ECP exporttool manifest (research §4.1). undici's EnvHttpProxyAgent honours
// HTTP(S)_PROXY/NO_PROXY (node's own fetch does not); NODE_EXTRA_CA_CERTS applies through node's TLS defaults.
import type { Dispatcher } from 'undici';
import { HuntError } from '../../diagnostics.js';
import { tryParseBuild, type Build } from './build.js';

export interface ProbeOptions {
  timeoutMs?: number;
  /** Accept any TLS certificate (self-signed lab servers). */
  insecure?: boolean;
  /** Largest body read per page. */
  maxBytes?: number;
}

export interface VersionCandidate {
  text: string;
  build: Build;
  source: 'OWA X-OWA-Version header' | 'OWA logon page resource path' | 'ECP exporttool manifest';
  url: string;
  exact: boolean;
}

export interface ProbeResult {
  url: string;
  best: VersionCandidate | null;
  candidates: VersionCandidate[];
  /** Per-request problems that did not stop the probe. */
  problems: string[];
}

const EXPORTTOOL = '/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application';
const PAGE_PATH = /\/owa\/(?:auth\/)?(15\.\d{1,2}\.\d{1,5}(?:\.\d{1,5})?)\//gi;

/** Builds named by OWA resource paths in a logon page (3 parts, sometimes 4). */
export function versionsFromOwa(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(PAGE_PATH)) out.add(m[1]!);
  return [...out];
}

/** The assemblyIdentity version of the exporttool ClickOnce manifest. */
export function versionFromManifest(xml: string): string | null {
  const m = /<assemblyIdentity\b[^>]*?\bversion\s*=\s*["'](\d+\.\d+\.\d+\.\d+)["']/i.exec(xml);
  return m ? m[1]! : null;
}

interface Page {
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type Undici = typeof import('undici');

async function get(undici: Undici, url: URL, dispatcher: Dispatcher, opts: Required<ProbeOptions>, signal: AbortSignal): Promise<Page> {
  const res = await undici.request(url, {
    method: 'GET',
    dispatcher,
    signal,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    headers: { 'user-agent': 'exhunt-exposure', accept: '*/*' },
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > opts.maxBytes) {
      chunks.push(b.subarray(0, b.length - (size - opts.maxBytes)));
      res.body.destroy();
      break;
    }
    chunks.push(b);
  }
  return { url: url.href, status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
}

function header(p: Page, name: string): string | null {
  const v = p.headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/** Probe a server; throws HuntError EXPOSURE_FETCH when nothing answered or no page named a version. */
export async function probeUrl(input: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  let base: URL;
  try {
    base = new URL(input);
  } catch {
    throw new HuntError('USAGE', `${JSON.stringify(input)} is not a URL (expected e.g. https://mail.example.org/)`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new HuntError('USAGE', `${base.protocol} URLs are not supported: use https:// or http://`);
  const opts: Required<ProbeOptions> = { timeoutMs: options.timeoutMs ?? 10_000, insecure: options.insecure ?? false, maxBytes: options.maxBytes ?? 2 * 1024 * 1024 };
  const tls = opts.insecure ? { rejectUnauthorized: false } : {};
  // Loaded here, not at startup: only `exhunt exposure --url` talks to the network.
  const undici = await import('undici');
  const dispatcher = new undici.EnvHttpProxyAgent({ connect: tls, requestTls: tls });
  const signal = AbortSignal.timeout(opts.timeoutMs * 4);
  const result: ProbeResult = { url: base.href, best: null, candidates: [], problems: [] };
  const add = (text: string, source: VersionCandidate['source'], url: string): void => {
    const b = tryParseBuild(text);
    if (b && b.major === 15 && b.build > 0) result.candidates.push({ text, build: b, source, url, exact: b.revision !== null });
  };
  let answered = 0;
  try {
    // /owa/ answers with a redirect to the logon page; X-OWA-Version may be on either response.
    let url = new URL('/owa/', base);
    for (let hop = 0; hop < 5; hop++) {
      let page: Page;
      try {
        page = await get(undici, url, dispatcher, opts, signal);
      } catch (e) {
        result.problems.push(`${url.href}: ${(e as Error).message}`);
        break;
      }
      answered++;
      const xv = header(page, 'x-owa-version');
      if (xv) add(xv.trim(), 'OWA X-OWA-Version header', page.url);
      for (const v of versionsFromOwa(page.body)) add(v, 'OWA logon page resource path', page.url);
      const loc = header(page, 'location');
      if (page.status < 300 || page.status >= 400 || !loc) break;
      const next = new URL(loc, url);
      if (next.host !== base.host) {
        result.problems.push(`${url.href}: redirect to another host (${next.host}) not followed`);
        break;
      }
      url = next;
    }
    const mUrl = new URL(EXPORTTOOL, base);
    try {
      const page = await get(undici, mUrl, dispatcher, opts, signal);
      answered++;
      const v = page.status === 200 ? versionFromManifest(page.body) : null;
      if (v) add(v, 'ECP exporttool manifest', page.url);
      else result.problems.push(`${mUrl.href}: HTTP ${page.status}, no assemblyIdentity version`);
    } catch (e) {
      result.problems.push(`${mUrl.href}: ${(e as Error).message}`);
    }
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
  if (answered === 0) throw new HuntError('EXPOSURE_FETCH', `no answer from ${base.href}: ${result.problems.join('; ')}`);
  const rank = (c: VersionCandidate): number => (c.exact ? 0 : 10) + ['OWA X-OWA-Version header', 'ECP exporttool manifest', 'OWA logon page resource path'].indexOf(c.source);
  result.best = [...result.candidates].sort((a, b) => rank(a) - rank(b))[0] ?? null;
  if (!result.best) {
    throw new HuntError('EXPOSURE_FETCH', `${base.href} answered but no page named an Exchange version (no X-OWA-Version header, no /owa/auth/<build>/ path, no exporttool manifest version)${result.problems.length ? `; ${result.problems.join('; ')}` : ''}`);
  }
  return result;
}
