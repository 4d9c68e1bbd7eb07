// Decoding of Binary XML substitution values (research §5.5) into scalars rendered the evtx_dump way:
// ints as numbers, hex ints "0x…" lowercase, GUIDs uppercase without braces, FILETIME ISO 8601 with µs.

import { NK, VT, type IrValue, type Scalar } from './ir.js';

// Windows-1252's 0x80–0x9F (Node's TextDecoder treats the label as Latin-1 there).
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function cp1252(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    s += c >= 0x80 && c < 0xa0 ? CP1252_HIGH[c - 0x80]! : String.fromCharCode(c);
  }
  return s;
}
const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

let lastBuf: Uint8Array | undefined;
let lastView: Buffer | undefined;
// Buffer#ucs2Slice skips toString's argument normalisation; fall back to toString where it is missing.
type Ucs2 = (this: Buffer, start: number, end: number) => string;
const ucs2Slice: Ucs2 =
  (Buffer.prototype as unknown as { ucs2Slice?: Ucs2 }).ucs2Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString('utf16le', start, end);
  };

/**
 * UTF-16LE of `units` code units at `pos`, through a Buffer view of the same memory (Node's native UCS-2
 * decoder is the fastest path for long text); up to 12 units, one String.fromCharCode call (no native-call
 * overhead: about half the time). Unpaired surrogates are kept as they are, not replaced.
 */
export function decodeUtf16(buf: Uint8Array, pos: number, units: number): string {
  if (units <= 0) return '';
  if (units <= 12 && pos + 2 * units <= buf.length) return shortUtf16(buf, pos, units);
  if (buf !== lastBuf) {
    lastBuf = buf;
    lastView = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const end = Math.min(pos + units * 2, lastView!.length);
  return ucs2Slice.call(lastView!, pos, end - ((end - pos) & 1));
}

const F = String.fromCharCode;

function shortUtf16(b: Uint8Array, p: number, n: number): string {
  const u = (k: number): number => b[p + 2 * k]! | (b[p + 2 * k + 1]! << 8);
  switch (n) {
    case 1: return F(u(0));
    case 2: return F(u(0), u(1));
    case 3: return F(u(0), u(1), u(2));
    case 4: return F(u(0), u(1), u(2), u(3));
    case 5: return F(u(0), u(1), u(2), u(3), u(4));
    case 6: return F(u(0), u(1), u(2), u(3), u(4), u(5));
    case 7: return F(u(0), u(1), u(2), u(3), u(4), u(5), u(6));
    case 8: return F(u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7));
    case 9: return F(u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8));
    case 10: return F(u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8), u(9));
    case 11: return F(u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8), u(9), u(10));
    default: return F(u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8), u(9), u(10), u(11));
  }
}

function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

let hexLo = 0;
let hexHi = 0;
let hexText = '0x0';

/** "0x…" of a 64-bit value; the last one is kept (Keywords repeats in nearly every record). */
function hex64(b: Uint8Array, p: number): string {
  const lo = u32(b, p);
  const hi = u32(b, p + 4);
  if (lo === hexLo && hi === hexHi) return hexText;
  hexLo = lo;
  hexHi = hi;
  return (hexText = hi ? '0x' + hi.toString(16) + lo.toString(16).padStart(8, '0') : '0x' + lo.toString(16));
}

function int64(b: Uint8Array, p: number, signed: boolean): number {
  const lo = u32(b, p);
  const hi = u32(b, p + 4);
  if (signed && hi & 0x80000000) return Number((BigInt(hi) << 32n | BigInt(lo)) - (1n << 64n));
  return hi * 4294967296 + lo;
}

const EPOCH_DIFF_S = 11644473600;

/** FILETIME (100 ns ticks since 1601) → "YYYY-MM-DDTHH:MM:SS.ffffffZ" (microseconds, truncated, like evtx-rs). */
export function filetimeIso(b: Uint8Array, p: number): string {
  return filetimeIsoParts(u32(b, p), u32(b, p + 4));
}

/** filetimeIso of a FILETIME given as its low and high 32-bit halves. */
export function filetimeIsoParts(lo: number, hi: number): string {
  let secs: number;
  let rem: number;
  if (hi < 1_800_000_000) {
    const r = hi * 4967296 + lo; // 2^32 = 429 * 10^7 + 4967296; exact while below 2^53
    secs = hi * 429 + Math.floor(r / 1e7);
    rem = r % 1e7;
  } else {
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    secs = Number(t / 10000000n);
    rem = Number(t % 10000000n);
  }
  return isoText(secs - EPOCH_DIFF_S, Math.floor(rem / 10));
}

// Dates and GUIDs are written with one String.fromCharCode call: a flat string at once, where concatenating pieces
// made a rope of a dozen parts (3-4x slower, flattened again by whoever reads the value).
const D0 = 48;
let lastDay = NaN;
let dayY = 0;
let dayM = 0;
let dayD = 0;

/** "YYYY-MM-DDTHH:MM:SS.ffffffZ" of Unix seconds and microseconds; the date is cached (a chunk's records share it). */
function isoText(unix: number, micros: number): string {
  const day = Math.floor(unix / 86400);
  if (day !== lastDay) {
    civil(day);
    lastDay = day;
  }
  const sod = unix - day * 86400;
  const h = Math.floor(sod / 3600);
  const m = Math.floor((sod % 3600) / 60);
  const s = sod % 60;
  const y = dayY;
  if (y < 0 || y > 9999) return String(y).padStart(4, '0') + '-' + two(dayM) + '-' + two(dayD) + 'T' + two(h) + ':' + two(m) + ':' + two(s) + '.' + String(micros).padStart(6, '0') + 'Z';
  const f = micros;
  return String.fromCharCode(
    D0 + ((y / 1000) | 0), D0 + (((y / 100) | 0) % 10), D0 + (((y / 10) | 0) % 10), D0 + (y % 10), 45,
    D0 + ((dayM / 10) | 0), D0 + (dayM % 10), 45, D0 + ((dayD / 10) | 0), D0 + (dayD % 10), 84,
    D0 + ((h / 10) | 0), D0 + (h % 10), 58, D0 + ((m / 10) | 0), D0 + (m % 10), 58, D0 + ((s / 10) | 0), D0 + (s % 10), 46,
    D0 + ((f / 100000) | 0), D0 + (((f / 10000) | 0) % 10), D0 + (((f / 1000) | 0) % 10), D0 + (((f / 100) | 0) % 10), D0 + (((f / 10) | 0) % 10), D0 + (f % 10), 90,
  );
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Days since 1970-01-01 → dayY, dayM, dayD (proleptic Gregorian, H. Hinnant's civil_from_days). */
function civil(z: number): void {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  dayD = doy - Math.floor((153 * mp + 2) / 5) + 1;
  dayM = mp < 10 ? mp + 3 : mp - 9;
  dayY = yoe + era * 400 + (dayM <= 2 ? 1 : 0);
}

function systimeIso(b: Uint8Array, p: number): string {
  const w = (i: number): number => b[p + 2 * i]! | (b[p + 2 * i + 1]! << 8);
  return `${String(w(0)).padStart(4, '0')}-${two(w(1))}-${two(w(3))}T${two(w(4))}:${two(w(5))}:${two(w(6))}.${String(w(7) * 1000).padStart(6, '0')}Z`;
}

/** Character codes of "0123456789ABCDEF". */
const HEXC = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));

export function guid(b: Uint8Array, p: number): string {
  const H = HEXC;
  const b0 = b[p]!, b1 = b[p + 1]!, b2 = b[p + 2]!, b3 = b[p + 3]!, b4 = b[p + 4]!, b5 = b[p + 5]!, b6 = b[p + 6]!, b7 = b[p + 7]!;
  const b8 = b[p + 8]!, b9 = b[p + 9]!, b10 = b[p + 10]!, b11 = b[p + 11]!, b12 = b[p + 12]!, b13 = b[p + 13]!, b14 = b[p + 14]!, b15 = b[p + 15]!;
  return String.fromCharCode(
    H[b3 >> 4]!, H[b3 & 15]!, H[b2 >> 4]!, H[b2 & 15]!, H[b1 >> 4]!, H[b1 & 15]!, H[b0 >> 4]!, H[b0 & 15]!, 45,
    H[b5 >> 4]!, H[b5 & 15]!, H[b4 >> 4]!, H[b4 & 15]!, 45, H[b7 >> 4]!, H[b7 & 15]!, H[b6 >> 4]!, H[b6 & 15]!, 45,
    H[b8 >> 4]!, H[b8 & 15]!, H[b9 >> 4]!, H[b9 & 15]!, 45, H[b10 >> 4]!, H[b10 & 15]!, H[b11 >> 4]!, H[b11 & 15]!,
    H[b12 >> 4]!, H[b12 & 15]!, H[b13 >> 4]!, H[b13 & 15]!, H[b14 >> 4]!, H[b14 & 15]!, H[b15 >> 4]!, H[b15 & 15]!,
  );
}

function sid(b: Uint8Array, p: number, size: number): string {
  if (size < 8) return 'S-?';
  const count = b[p + 1]!;
  let auth = 0;
  for (let i = 2; i < 8; i++) auth = auth * 256 + b[p + i]!;
  let s = `S-${b[p]!}-${auth}`;
  for (let i = 0; i < count && 8 + 4 * i + 4 <= size; i++) s += '-' + u32(b, p + 8 + 4 * i);
  return s;
}

export function hexBytes(b: Uint8Array, p: number, size: number): string {
  let s = '';
  for (let i = 0; i < size; i++) s += HEX2[b[p + i]!]!;
  return s;
}

/** Floats rendered by JavaScript's shortest round-trip form; NaN/±Infinity spelled as Rust prints them. */
function floatText(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return String(x);
}

const ITEM_SIZE: Record<number, number> = {
  [VT.INT8]: 1, [VT.UINT8]: 1, [VT.INT16]: 2, [VT.UINT16]: 2, [VT.INT32]: 4, [VT.UINT32]: 4,
  [VT.INT64]: 8, [VT.UINT64]: 8, [VT.REAL32]: 4, [VT.REAL64]: 8, [VT.BOOL]: 4, [VT.GUID]: 16,
  [VT.FILETIME]: 8, [VT.SYSTIME]: 16, [VT.HEX32]: 4, [VT.HEX64]: 8,
};

/** One fixed-size scalar of `type` at `p` (size bytes available). Undefined when the size does not fit the type. */
function scalar(b: Uint8Array, dv: DataView, p: number, type: number, size: number): Scalar | undefined {
  switch (type) {
    case VT.INT8: return size >= 1 ? (b[p]! << 24) >> 24 : undefined;
    case VT.UINT8: return size >= 1 ? b[p]! : undefined;
    case VT.INT16: return size >= 2 ? dv.getInt16(p, true) : undefined;
    case VT.UINT16: return size >= 2 ? dv.getUint16(p, true) : undefined;
    case VT.INT32: return size >= 4 ? dv.getInt32(p, true) : undefined;
    case VT.UINT32: return size >= 4 ? u32(b, p) : undefined;
    case VT.INT64: return size >= 8 ? int64(b, p, true) : undefined;
    case VT.UINT64: return size >= 8 ? int64(b, p, false) : undefined;
    case VT.REAL32: return size >= 4 ? floatText(dv.getFloat32(p, true)) : undefined;
    case VT.REAL64: return size >= 8 ? floatText(dv.getFloat64(p, true)) : undefined;
    case VT.BOOL: return size >= 4 ? dv.getInt32(p, true) !== 0 : size >= 1 ? b[p] !== 0 : undefined;
    case VT.GUID: return size >= 16 ? guid(b, p) : undefined;
    case VT.SIZE_T: return size >= 8 ? hex64(b, p) : size >= 4 ? '0x' + u32(b, p).toString(16) : undefined;
    case VT.FILETIME: return size >= 8 ? filetimeIso(b, p) : undefined;
    case VT.SYSTIME: return size >= 16 ? systimeIso(b, p) : undefined;
    case VT.HEX32: return size >= 4 ? '0x' + u32(b, p).toString(16) : undefined;
    case VT.HEX64: return size >= 8 ? hex64(b, p) : undefined;
    default: return undefined;
  }
}

/** Signals a value whose size does not match its type; the caller turns it into a diagnostic. */
export class ValueError extends Error {}

/**
 * Decode a substitution value of `type` occupying buf[p, p+size). BinXml (0x21) is not handled here.
 * Strings drop everything from the first NUL (evtx-rs does the same).
 */
export function decodeValue(b: Uint8Array, dv: DataView, p: number, size: number, type: number): IrValue {
  switch (type) {
    case VT.NULL: return { t: VT.NULL, v: '' };
    case VT.STRING: {
      let units = size >> 1;
      while (units > 0 && b[p + 2 * units - 2] === 0 && b[p + 2 * units - 1] === 0) units--; // the terminator(s)
      const s = decodeUtf16(b, p, units);
      const nul = s.indexOf('\0');
      return { t: VT.STRING, v: nul < 0 ? s : s.slice(0, nul) };
    }
    case VT.ANSI: {
      let end = p;
      while (end < p + size && b[end] !== 0) end++;
      return { t: VT.STRING, v: cp1252(b, p, end) };
    }
    case VT.BINARY: case VT.EVT_HANDLE: case VT.EVT_XML: return { t: VT.BINARY, v: hexBytes(b, p, size) };
    case VT.SID: return { t: VT.SID, v: sid(b, p, size) };
    case VT.STRING | VT.ARRAY: {
      const items: string[] = [];
      let start = 0;
      const units = size >> 1;
      for (let i = 0; i < units; i++) {
        if (b[p + 2 * i] === 0 && b[p + 2 * i + 1] === 0) {
          items.push(decodeUtf16(b, p + 2 * start, i - start));
          start = i + 1;
        }
      }
      if (start < units) items.push(decodeUtf16(b, p + 2 * start, units - start));
      return { t: type, v: items };
    }
    case VT.ANSI | VT.ARRAY: {
      const items = cp1252(b, p, p + size).split('\0');
      if (items.length > 0 && items[items.length - 1] === '') items.pop();
      return { t: VT.STRING | VT.ARRAY, v: items };
    }
    case VT.SID | VT.ARRAY: {
      const items: string[] = [];
      let q = p;
      while (q + 8 <= p + size) {
        const n = 8 + 4 * b[q + 1]!;
        items.push(sid(b, q, Math.min(n, p + size - q)));
        q += n;
      }
      return { t: type, v: items };
    }
    case VT.SIZE_T | VT.ARRAY: {
      const items: Scalar[] = [];
      for (let q = p; q + 8 <= p + size; q += 8) items.push(hex64(b, q));
      return { t: type, v: items };
    }
  }
  if (type & VT.ARRAY) {
    const base = type & 0x7f;
    const isz = ITEM_SIZE[base];
    if (isz === undefined) throw new ValueError(`unknown array value type 0x${type.toString(16)}`);
    const items: Scalar[] = [];
    for (let q = p; q + isz <= p + size; q += isz) items.push(scalar(b, dv, q, base, isz)!);
    return { t: type, v: items };
  }
  const v = scalar(b, dv, p, type, size);
  if (v === undefined) throw new ValueError(`value of type 0x${type.toString(16)} has size ${size}`);
  return { t: type, v };
}

/** Text standing for a value left undecoded (lazyValue); never rendered: only its emptiness counts. */
const LAZY = '\ue002';
const LAZY_OF: IrValue[] = Array.from({ length: 256 }, (_, t) => ({ t, v: LAZY }));
const EMPTY_STRING: IrValue = { t: VT.STRING, v: '' };
/** Fewest bytes decodeValue accepts per fixed-size type (0: any size, -1: not left undecoded). */
const MIN_SIZE = new Int8Array(256).fill(-1);
for (const [t, n] of [[VT.INT8, 1], [VT.UINT8, 1], [VT.INT16, 2], [VT.UINT16, 2], [VT.INT32, 4], [VT.UINT32, 4], [VT.INT64, 8], [VT.UINT64, 8],
  [VT.REAL32, 4], [VT.REAL64, 8], [VT.BOOL, 1], [VT.GUID, 16], [VT.SIZE_T, 4], [VT.FILETIME, 8], [VT.SYSTIME, 16], [VT.HEX32, 4], [VT.HEX64, 8], [VT.SID, 0]] as const) MIN_SIZE[t] = n;

/**
 * For a thread that only needs a value's shape (plan.ts classOf) and leaves decoding to the thread holding the same
 * bytes (scalarAt): the value's type with placeholder text, empty exactly when decodeValue's would be. Undefined
 * when the value must be decoded now: arrays, other types, and sizes decodeValue refuses (so errors stay the same).
 */
export function lazyValue(b: Uint8Array, p: number, size: number, type: number): IrValue | undefined {
  if (type === VT.STRING) return size >= 2 && (b[p] !== 0 || b[p + 1] !== 0) ? LAZY_OF[VT.STRING] : EMPTY_STRING;
  const min = MIN_SIZE[type]!;
  return min >= 0 && size >= min ? LAZY_OF[type] : undefined;
}

/**
 * The string value at `at` (size bytes, decodeValue's rules: trailing NULs dropped, cut at the first NUL) taken from
 * `text`, which holds the same bytes decoded from its unit `start` on: a substring instead of a native call per
 * value (the strings of a record are decoded by one call; long substrings share that text's memory).
 */
export function stringIn(text: string, start: number, b: Uint8Array, at: number, size: number): string {
  let units = size >> 1;
  while (units > 0 && b[at + 2 * units - 2] === 0 && b[at + 2 * units - 1] === 0) units--;
  const s = text.substring(start, start + units);
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** An integer or boolean value (isJsonNumeric types; lazyValue accepted its size) as a number, booleans as 1 or 0. */
export function numberAt(b: Uint8Array, dv: DataView, at: number, size: number, type: number): number {
  switch (type) {
    case VT.INT8: return (b[at]! << 24) >> 24;
    case VT.UINT8: return b[at]!;
    case VT.INT16: return ((b[at]! | (b[at + 1]! << 8)) << 16) >> 16;
    case VT.UINT16: return b[at]! | (b[at + 1]! << 8);
    case VT.INT32: return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
    case VT.UINT32: return u32(b, at);
    case VT.INT64: return int64(b, at, true);
    case VT.UINT64: return int64(b, at, false);
    case VT.BOOL: return (size >= 4 ? dv.getInt32(at, true) !== 0 : b[at] !== 0) ? 1 : 0;
  }
  const v = scalar(b, dv, at, type, size);
  return typeof v === 'number' ? v : v === true ? 1 : 0;
}

/**
 * A value as a compiled builder reads it (plan.ts flattenValues): decodeValue's scalar, a one-item array as the text
 * of its item. For a location the parser recorded in this same buffer, so decoding cannot fail.
 */
export function scalarAt(b: Uint8Array, dv: DataView, at: number, size: number, type: number): Scalar {
  if (type === VT.STRING) {
    let units = size >> 1;
    while (units > 0 && b[at + 2 * units - 2] === 0 && b[at + 2 * units - 1] === 0) units--;
    const s = decodeUtf16(b, at, units);
    const nul = s.indexOf('\0');
    return nul < 0 ? s : s.slice(0, nul);
  }
  if (type < VT.BINARY || type === VT.GUID || (type >= VT.SIZE_T && type <= VT.SYSTIME) || type === VT.HEX32 || type === VT.HEX64) {
    const v = scalar(b, dv, at, type, size);
    if (v !== undefined) return v;
  }
  const v = decodeValue(b, dv, at, size, type).v;
  return Array.isArray(v) ? String(v[0]) : v;
}

const NUMERIC = new Uint8Array(256);
for (const t of [VT.INT8, VT.UINT8, VT.INT16, VT.UINT16, VT.INT32, VT.UINT32, VT.INT64, VT.UINT64, VT.BOOL]) NUMERIC[t] = 1;

/** Whether evtx_dump writes this value as a JSON number/boolean (ints and bool) rather than a string. */
export function isJsonNumeric(t: number): boolean {
  return t >= 0 && NUMERIC[t] === 1;
}

/** A leaf as text (arrays comma-joined, entity and character references kept as written). */
export function leafText(n: IrValue): string {
  const v = n.v;
  if (typeof v === 'string') {
    if (n.t === NK.ENTITY) return '&' + v + ';';
    return v;
  }
  if (n.t === NK.CHARREF) return '&#' + String(v) + ';';
  if (Array.isArray(v)) return v.map(String).join(',');
  return String(v);
}

/** Empty content: null values, empty strings, empty arrays, processing instructions (is_optional_empty in evtx-rs). */
export function isEmptyLeaf(n: IrValue): boolean {
  if (n.t === VT.NULL || n.t === NK.PI) return true;
  const v = n.v;
  if (typeof v === 'string') return v.length === 0 && n.t !== NK.ENTITY;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}
