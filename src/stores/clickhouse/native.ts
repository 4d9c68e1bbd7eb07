// ClickHouse's Native format decoded into the objects JSONEachRow gives: chDB's streamed results cross into V8 as
// columns of length-prefixed bytes (a block: its column and row counts, then each column's name, type and values;
// an array column is its rows' end offsets, UInt64, then every element), which ClickHouse writes for less than
// JSON, and than RowBinary, written row by row (1 M bench events, the value-set events passes: RowBinary 2.9 CPU-s,
// Native 2.3, FORMAT Null 1.9).
//
// Values read as chDB's JSONEachRow + JSON.parse reads them: integers (64-bit too: chDB does not quote them) and floats
// as numbers, strings as UTF-8 text, arrays as arrays, Nullable as null; an array of strings that repeats is one
// frozen array shared by its rows (readers never change a row).
// A column of any other type (DateTime, Decimal, Tuple, LowCardinality, …) throws UnsupportedNative; the caller
// asks for JSON.

/** A column type this decoder does not read (its JSON text is not rebuilt here). */
export class UnsupportedNative extends Error {}

type Read = (c: Cursor) => unknown;

/** The bytes of one chunk and the read position. */
class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varUInt(): number {
    let out = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++]!;
      out += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return out;
      shift += 7;
    }
  }

  string(): string {
    const n = this.varUInt();
    const start = this.pos;
    this.pos += n;
    return (this.buf as SliceBuffer).utf8Slice(start, this.pos);
  }

  /** Past one string without decoding it. */
  skipString(): void {
    const n = this.varUInt();
    this.pos += n;
  }
}

/** Buffer's own decoders, without toString's argument checks (a stored event has ~100 strings). */
interface SliceBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/**
 * Arrays of strings repeat row after row (a stored event's field names: one list per kind of event): within a
 * stream each distinct one is decoded once, found again by its bytes, and shared, frozen, by the rows that have it.
 * A column whose arrays do not repeat (field values) stops being looked up after a first sample of rows; at most
 * KEPT arrays are kept.
 *
 * Found by a fingerprint of a few of its bytes and then compared whole, in place (Buffer.compare, a memcmp): not
 * as a latin1 string made of its bytes and hashed by a Map, which copied and hashed ~1.4 KB a row (a stored event's
 * keys and vals). With the rows' object literals (rowMaker), 193,160 process-creation events of the settled 10 M
 * bench store streamed and decoded, in turns under load 2-4: 2.9-3.1 -> 2.0-2.6 CPU-s (the query alone 0.9).
 */
const SAMPLE = 64;
const KEPT = 10_000;
/** Lists kept under one fingerprint. */
const BUCKET = 8;

/** A list's bytes as kept: a copy of them (the chunk they came in is let go) and the list decoded. */
interface KeptList {
  readonly bytes: Buffer;
  readonly list: readonly string[];
}

/** A cheap hash of `buf[start, end)`: its length, its count of strings and a few of its bytes (compared whole after). */
function fingerprint(buf: Buffer, start: number, end: number, n: number): number {
  const len = end - start;
  if (len === 0) return n;
  let h = Math.imul(len, 0x9e3779b1) ^ n;
  h = Math.imul(h ^ buf[start + (len >>> 1)]!, 0x85ebca6b);
  h = Math.imul(h ^ buf[start + (len >>> 2)]!, 0xc2b2ae35);
  h = Math.imul(h ^ buf[end - 1 - (len >>> 3)]!, 0x27d4eb2f);
  return (h ^ buf[end - 1]!) | 0;
}

/** `n` strings one after another as one array (a list's bytes, its strings length-prefixed, tell it apart). */
function stringLists(): (c: Cursor, n: number) => readonly string[] {
  const seen = new Map<number, KeptList | KeptList[]>();
  let kept = 0;
  let looked = 0;
  let found = 0;
  const decode = (c: Cursor, n: number): string[] => {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = c.string();
    return out;
  };
  const same = (k: KeptList, buf: Buffer, start: number, end: number): boolean => k.bytes.length === end - start && buf.compare(k.bytes, 0, k.bytes.length, start, end) === 0;
  return (c, n) => {
    if (looked >= SAMPLE && found * 2 < looked) return decode(c, n);
    const start = c.pos;
    for (let i = 0; i < n; i++) c.skipString();
    const end = c.pos;
    const fp = fingerprint(c.buf, start, end, n);
    looked++;
    const had = seen.get(fp);
    if (had !== undefined) {
      const hit = Array.isArray(had) ? had.find((k) => same(k, c.buf, start, end)) : same(had, c.buf, start, end) ? had : undefined;
      if (hit !== undefined) {
        found++;
        return hit.list;
      }
    }
    c.pos = start;
    const out = Object.freeze(decode(c, n));
    c.pos = end;
    if (kept < KEPT) {
      const k: KeptList = { bytes: Buffer.from(c.buf.subarray(start, end)), list: out };
      // A bucket holds at most BUCKET lists: lists alike in the bytes the fingerprint reads (hostile evidence can
      // make them) never make a lookup walk more than that.
      if (had === undefined) seen.set(fp, k);
      else if (!Array.isArray(had)) seen.set(fp, [had, k]);
      else if (had.length < BUCKET) had.push(k);
      else return out;
      kept++;
    }
    return out;
  };
}

const HIGH = 2 ** 32;

/** (U)Int64 as chDB's JSON gives it: a number, rounded to the nearest double beyond 2^53 as JSON.parse rounds. */
function uint64(c: Cursor): number {
  const v = c.buf.readUInt32LE(c.pos + 4) * HIGH + c.buf.readUInt32LE(c.pos);
  c.pos += 8;
  return v;
}

function int64(c: Cursor): number {
  const v = c.buf.readInt32LE(c.pos + 4) * HIGH + c.buf.readUInt32LE(c.pos);
  c.pos += 8;
  return v;
}

function fixed(size: number, read: (b: Buffer, at: number) => number): Read {
  return (c) => {
    const v = read(c.buf, c.pos);
    c.pos += size;
    return v;
  };
}

const SCALARS: Record<string, Read> = {
  String: (c) => c.string(),
  UInt8: fixed(1, (b, at) => b.readUInt8(at)),
  UInt16: fixed(2, (b, at) => b.readUInt16LE(at)),
  UInt32: fixed(4, (b, at) => b.readUInt32LE(at)),
  Int8: fixed(1, (b, at) => b.readInt8(at)),
  Int16: fixed(2, (b, at) => b.readInt16LE(at)),
  Int32: fixed(4, (b, at) => b.readInt32LE(at)),
  Float64: fixed(8, (b, at) => b.readDoubleLE(at)),
  Float32: fixed(4, (b, at) => b.readFloatLE(at)),
  UInt64: uint64,
  Int64: int64,
};

type Column = (c: Cursor, rows: number) => unknown[];
type RowMaker = (values: readonly (readonly unknown[])[], r: number) => Record<string, unknown>;

/** Every element of an Array(String) column, one (frozen, shared where repeated) array a row. */
function stringArrayColumn(): Column {
  const read = stringLists();
  return (c, rows) => {
    const ends = offsets(c, rows);
    const out = new Array<unknown>(rows);
    let prev = 0;
    for (let r = 0; r < rows; r++) {
      out[r] = read(c, ends[r]! - prev);
      prev = ends[r]!;
    }
    return out;
  };
}

function offsets(c: Cursor, rows: number): number[] {
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) out[r] = uint64(c);
  return out;
}

/** The reader of one column of a Native block (one per stream's column: it may keep state). */
export function nativeColumn(type: string): Column {
  const t = type.trim();
  if (t === 'Array(String)') return stringArrayColumn();
  const scalar = SCALARS[t];
  if (scalar) {
    return (c, rows) => {
      const out = new Array<unknown>(rows);
      for (let r = 0; r < rows; r++) out[r] = scalar(c);
      return out;
    };
  }
  const inner = /^(Array|Nullable)\((.*)\)$/s.exec(t);
  if (inner) {
    const read = nativeColumn(inner[2]!);
    if (inner[1] === 'Nullable') {
      return (c, rows) => {
        const nulls = c.buf.subarray(c.pos, c.pos + rows);
        c.pos += rows;
        const vals = read(c, rows);
        return vals.map((v, r) => (nulls[r] === 1 ? null : v));
      };
    }
    return (c, rows) => {
      const ends = offsets(c, rows);
      const all = read(c, rows === 0 ? 0 : ends[rows - 1]!);
      const out = new Array<unknown>(rows);
      let prev = 0;
      for (let r = 0; r < rows; r++) {
        out[r] = all.slice(prev, ends[r]!);
        prev = ends[r]!;
      }
      return out;
    };
  }
  // LowCardinality has its own Native layout (dictionaries): asked again as JSON, as any type not read here.
  throw new UnsupportedNative(`Native type ${t} is not decoded`);
}

/** A stream's Native chunks decoded one after another; a column's reader stays while its name and type do. */
export class NativeDecoder {
  private columns = new Map<string, Column>();
  private makers = new Map<string, RowMaker>();

  /**
   * The row of a block's columns, names in their order (one shape for every row, as JSON.parse gives): an object
   * literal made by a function written once per list of names, where assigning the names one by one (a keyed
   * store per column of every row) cost a third of the decoding. Names that every object has (__proto__, …) are
   * assigned one by one, as JSON.parse defines them.
   */
  private rowMaker(names: readonly string[]): RowMaker {
    const key = names.join('\u0000');
    let make = this.makers.get(key);
    if (make === undefined) {
      make = names.some((k) => k in Object.prototype)
        ? (values, r) => {
            const row: Record<string, unknown> = {};
            for (let i = 0; i < names.length; i++) Object.defineProperty(row, names[i]!, { value: values[i]![r], enumerable: true, writable: true, configurable: true });
            return row;
          }
        : (new Function('v', 'r', `return { ${names.map((k, i) => `${JSON.stringify(k)}: v[${i}][r]`).join(', ')} };`) as RowMaker);
      this.makers.set(key, make);
    }
    return make;
  }

  /** The rows of the blocks of one chunk, each an object keyed by column name. */
  decode<T>(bytes: Uint8Array): T[] {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const c = new Cursor(buf);
    const out: T[] = [];
    while (c.pos < buf.length) {
      const n = c.varUInt();
      const rows = c.varUInt();
      const names: string[] = [];
      const values: unknown[][] = [];
      for (let i = 0; i < n; i++) {
        const name = c.string();
        const type = c.string();
        const key = `${name}\u0000${type}`;
        const read = this.columns.get(key) ?? this.columns.set(key, nativeColumn(type)).get(key)!;
        names.push(name);
        values.push(read(c, rows));
      }
      const make = this.rowMaker(names);
      for (let r = 0; r < rows; r++) out.push(make(values, r) as T);
    }
    return out;
  }
}
