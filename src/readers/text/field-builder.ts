// Per-#Fields-header compiled builder of a log line's `fields` object (W3C, Exchange CSV): one straight-line
// constructor per header with constant property names (monomorphic stores), dictionary objects when shapes explode.

/** One column of a compiled header: where its value goes ('' = ignored column). */
export interface BuilderColumn {
  name: string;
  /** Original name stored as well when it differs from the normalised one, else null. */
  alias: string | null;
  /** '+' in the value means a space (W3C user agents). */
  plus?: boolean;
}

/**
 * Builds the fields object from the first `n` values of `values` (a reused buffer; entries past `n` are
 * stale and never read). Values equal to the header's `absent` marker and ignored columns are left out.
 */
export type FieldBuilder = (values: readonly string[], n: number) => Record<string, string>;

/**
 * Compiles the builder for one header ('-' is W3C's absent marker, '' the CSV one). Names come from the log file (untrusted): each is embedded only
 * as a JSON string literal, which is always a valid, inert JavaScript string literal.
 *
 * The object is made by `new` on a generated constructor whose prototype is Object.prototype: it is a
 * plain object in every observable way (same prototype, own enumerable string keys in the same order as
 * a loop of `fields[name] = v`), but V8's slack tracking gives it in-object room for every column, so
 * no property store reallocates a backing store.
 */
export function compileFieldBuilder(columns: readonly BuilderColumn[], absent: string): FieldBuilder {
  const absentLit = JSON.stringify(absent);
  // Each line's set of absent columns decides its hidden class. `shape` gets a hash of that set so the
  // builder can tell when lines keep making new hidden classes (see MAX_SHAPES below).
  const fast: string[] = ['let v; let h = 0;'];
  const dict: string[] = ['const o = { __a: 0, __b: 0 }; delete o.__a; delete o.__b; let v;'];
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (col.name === '') continue;
    const key = (Math.imul(c + 1, 0x9e3779b1) ^ 0x5bd1e995) | 0;
    const name = JSON.stringify(col.name);
    const alias = col.alias !== null ? JSON.stringify(col.alias) : null;
    const plus = col.plus === true ? 'v = unplus(v);' : '';
    const set = (obj: string): string => `${obj}[${name}] = v;` + (alias !== null ? ` ${obj}[${alias}] = v;` : '');
    fast.push(`if (n > ${c} && (v = values[${c}]) !== ${absentLit}) { ${plus} ${set('this')} } else h ^= ${key};`);
    dict.push(`if (n > ${c}) { v = values[${c}]; if (v !== ${absentLit}) { ${plus} ${set('o')} } }`);
  }
  fast.push('shape.h = h;');
  dict.push('return o;');
  type Ctor = new (values: readonly string[], n: number, unplus: (v: string) => string, shape: { h: number }) => Record<string, string>;
  type Fn = (values: readonly string[], n: number, unplus: (v: string) => string) => Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from JSON-quoted names only (see above)
  const Fields = new Function('values', 'n', 'unplus', 'shape', fast.join('\n')) as unknown as Ctor;
  Fields.prototype = Object.prototype;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- as above
  const buildDict = new Function('values', 'n', 'unplus', dict.join('\n')) as unknown as Fn;
  const unplus = plusDecoder();
  const shape = { h: 0 };
  let shapes: Set<number> | null = new Set<number>();
  let lastShape = 0;
  return (values, n) => {
    if (shapes === null) return buildDict(values, n, unplus);
    const o = new Fields(values, n, unplus, shape);
    if (shape.h !== lastShape && !shapes.has((lastShape = shape.h))) {
      shapes.add(shape.h);
      if (shapes.size > MAX_SHAPES) shapes = null;
    }
    return o;
  };
}

/**
 * Distinct absent-column sets after which a header's builder switches to dictionary-mode objects.
 * V8 gives every distinct set of keys its own hidden class; a few dozen are cheap and make reads fast,
 * but a wide log whose empty columns vary line by line (HttpProxy has 74 columns) would create a new
 * hidden class for almost every line, measured 20-40 µs a line against 7 µs for a dictionary-mode object.
 * A dictionary-mode object is still a plain object: same prototype, keys and key order.
 */
const MAX_SHAPES = 64;

const PLUS_CACHE_MAX = 2048;

/**
 * '+' → ' ' with a bounded memo: a log repeats a few hundred user agents, and the replacement costs
 * about 1 µs each time while a Map hit costs a hash of the string (about 0.2 µs for a user agent). Every
 * value goes through the memo: testing for a '+' first costs 0.13 µs more and nearly every agent has one.
 */
function plusDecoder(): (v: string) => string {
  let cache = new Map<string, string>();
  return (v) => {
    let d = cache.get(v);
    if (d === undefined) {
      d = v.indexOf('+') === -1 ? v : v.replaceAll('+', ' ');
      if (cache.size >= PLUS_CACHE_MAX) cache = new Map();
      cache.set(v, d);
    }
    return d;
  };
}
