// Forwarded-client headers as web logs record them (X-Forwarded-For, Forwarded, X-Real-IP, ...): which
// column names they go by, and their values split into hops (addresses, `unknown`, obfuscated ids, junk).
import ipaddr from 'ipaddr.js';
import parseForwardedHeader from 'forwarded-parse';

/** The headers a balancer or reverse proxy uses to pass the client on, in the order they are preferred. */
export const FORWARDED_HEADERS = ['forwarded', 'x-forwarded-for', 'x-ms-forwarded-client-ip', 'true-client-ip', 'x-real-ip', 'x-client-ip'] as const;
export type ForwardedHeader = (typeof FORWARDED_HEADERS)[number];

const BY_NAME = new Map<string, ForwardedHeader>(FORWARDED_HEADERS.map((h) => [h, h]));

/** The display name of a header ('X-Forwarded-For'), for sentences in the report. */
export function headerTitle(h: ForwardedHeader): string {
  return h === 'x-ms-forwarded-client-ip' ? 'X-MS-Forwarded-Client-IP' : h.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase()).replace(/-Ip$/, '-IP');
}

/**
 * The forwarded header a log column holds, from its name as written: IIS 8.5+ custom fields carry the name the
 * admin gave (usually the header's own, in any case: `X-Forwarded-For`, `X-FORWARDED-FOR`); Advanced Logging and
 * other W3C writers use `cs(X-Forwarded-For)`; already-normalised names look like `cs-x-forwarded-for`.
 */
export function forwardedHeaderOf(column: string): ForwardedHeader | null {
  let n = column.trim().toLowerCase();
  const m = /^cs\((.+)\)$/.exec(n) ?? /^cs-(.+)$/.exec(n);
  if (m) n = m[1]!;
  return BY_NAME.get(n) ?? null;
}

/** One element of a forwarded chain, left (the first claimed client) to right (the last proxy's peer). */
export type Hop =
  | { kind: 'ip'; address: string }
  /** `unknown` (RFC 7239 §6.2, and what several proxies write for XFF when they cannot tell). */
  | { kind: 'unknown' }
  /** An RFC 7239 §6.3 obfuscated identifier such as `_hidden`: a hop that chose not to say. */
  | { kind: 'hidden'; token: string }
  | { kind: 'junk'; text: string };

/** Only this much of a value's tail is read: the hops that matter are the right-most, and values are attacker-sized. */
export const MAX_VALUE_CHARS = 8192;
/** At most this many hops are kept (the right-most ones). */
export const MAX_HOPS = 64;

const PORT_V4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;

/**
 * A dotted-quad IPv4 address as a 32-bit number, or null. The same addresses ipaddr.js's isValidFourPartDecimal
 * accepts (no leading zeros, each part at most 255), read without it: this runs for every hop of every request,
 * where ipaddr.js's general parser costs about 1.6 µs a call (bench:clients).
 */
export function ipv4Number(t: string): number | null {
  const len = t.length;
  if (len < 7 || len > 15) return null;
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = t.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return null; // a leading zero
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return null;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return n * 256 + part;
}
const BRACKETED = /^\[([^\]]+)\](?::\d{1,5})?$/;

/**
 * The IP address in one hop's text ('203.0.113.9', '203.0.113.9:51234', '[2001:db8::1]:443', '2001:db8::1',
 * '::ffff:203.0.113.9'), written as it is logged minus quotes, brackets, port and zone, so that it can still be
 * found in the log line's text; IPv4-mapped IPv6 becomes its IPv4 form. Null for anything that is not an address.
 */
export function normaliseAddress(text: string): string | null {
  // The common case, a bare IPv4 address, answered at once.
  if (ipv4Number(text) !== null) return text;
  let t = text.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1).trim();
  if (t.length === 0 || t.length > 64) return null;
  const b = BRACKETED.exec(t);
  if (b) t = b[1]!;
  else {
    const p = PORT_V4.exec(t);
    if (p) t = p[1]!;
  }
  const zone = t.indexOf('%');
  if (zone > 0 && t.includes(':')) t = t.slice(0, zone);
  if (ipv4Number(t) !== null) return t;
  if (!t.includes(':') || !ipaddr.IPv6.isValid(t)) return null;
  // IPv4-mapped ('::ffff:203.0.113.9', the form a dual-stack listener logs): its IPv4 tail, as logged.
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(t);
  if (mapped) return mapped[1]!;
  if (/^(?:0{0,4}:){0,5}:?ffff:/i.test(t)) return ipaddr.IPv6.parse(t).toIPv4Address().toString();
  return t;
}

function hopOf(text: string): Hop | null {
  const t = text.trim();
  if (t.length === 0) return null;
  const address = normaliseAddress(t);
  if (address !== null) return { kind: 'ip', address };
  if (/^"?unknown"?$/i.test(t)) return { kind: 'unknown' };
  return { kind: 'junk', text: clip(t) };
}

function clip(s: string): string {
  // Junk is shown in the report: control characters (NULs included) are made visible, and it is kept short.
  const safe = s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return safe.length > 80 ? safe.slice(0, 77) + '...' : safe;
}

/**
 * A header value as hops, left to right. The value is as the log holds it: IIS writes a space as '+', and
 * Exchange's own logs write a comma as a space, so ',', '+' and white space all separate XFF elements.
 * A Forwarded value is parsed element by element (RFC 7239 §4), so junk sent by the client in front of the
 * proxy's own element spoils only its own elements.
 */
export function parseForwarded(header: ForwardedHeader, value: string): Hop[] {
  let v = value.length > MAX_VALUE_CHARS ? value.slice(value.length - MAX_VALUE_CHARS) : value;
  if (v === '-' || v.trim() === '') return [];
  const hops: Hop[] = [];
  if (header === 'forwarded') {
    v = v.replace(/\+/g, ' ');
    for (const element of v.split(',')) {
      const hop = forwardedElement(element);
      if (hop) hops.push(hop);
    }
  } else {
    for (const part of v.split(/[,+\s]+/)) {
      const hop = hopOf(part);
      if (hop) hops.push(hop);
    }
  }
  return hops.length > MAX_HOPS ? hops.slice(hops.length - MAX_HOPS) : hops;
}

function forwardedElement(element: string): Hop | null {
  const e = element.trim();
  if (e.length === 0) return null;
  let pairs: Record<string, string>[];
  try {
    pairs = parseForwardedHeader(e);
  } catch {
    return { kind: 'junk', text: clip(e) };
  }
  const node = pairs[0]?.['for'];
  // An element without for= (only by=, proto=, host=) says nothing about the client.
  if (node === undefined) return null;
  if (/^unknown$/i.test(node)) return { kind: 'unknown' };
  if (node.startsWith('_')) return { kind: 'hidden', token: clip(node) };
  const address = normaliseAddress(node);
  return address !== null ? { kind: 'ip', address } : { kind: 'junk', text: clip(node) };
}
