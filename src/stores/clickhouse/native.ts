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
 */
const SAMPLE = 64;
const KEPT = 10_000;

/** `n` strings one after another as one array (a list's bytes, its strings length-prefixed, tell it apart). */
function stringLists(): (c: Cursor, n: number) => readonly string[] {
  const seen = new Map<string, readonly string[]>();
  let looked = 0;
  let found = 0;
  const decode = (c: Cursor, n: number): string[] => {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = c.string();
    return out;
  };
  return (c, n) => {
    if (looked >= SAMPLE && found * 2 < looked) return decode(c, n);
    const start = c.pos;
    for (let i = 0; i < n; i++) c.skipString();
    const bytes = (c.buf as SliceBuffer).latin1Slice(start, c.pos);
    looked++;
    const had = seen.get(bytes);
    if (had !== undefined) {
      found++;
      return had;
    }
    const end = c.pos;
    c.pos = start;
    const out = Object.freeze(decode(c, n));
    c.pos = end;
    if (seen.size < KEPT) seen.set(bytes, out);
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
      for (let r = 0; r < rows; r++) {
        // The same names in the same order every row: V8 gives the rows one shape, as JSON.parse would.
        const row: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) row[names[i]!] = values[i]![r];
        out.push(row as T);
      }
    }
    return out;
  }
}
