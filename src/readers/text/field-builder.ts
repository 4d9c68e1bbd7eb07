// Per-#Fields-header compiled builder of a log line's `fields` object (W3C, Exchange CSV): one straight-line
// constructor per header with constant property names, so V8 builds every line's object through monomorphic stores.

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
  const body: string[] = ['let v;'];
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (col.name === '') continue;
    const stores = [`this[${JSON.stringify(col.name)}] = v;`];
    if (col.alias !== null) stores.push(`this[${JSON.stringify(col.alias)}] = v;`);
    const plus = col.plus === true ? `if (v.indexOf('+') !== -1) v = unplus(v);` : '';
    body.push(`if (n > ${c}) { v = values[${c}]; if (v !== ${absentLit}) { ${plus} ${stores.join(' ')} } }`);
  }
  type Ctor = new (values: readonly string[], n: number, unplus: (v: string) => string) => Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from JSON-quoted names only (see above)
  const Fields = new Function('values', 'n', 'unplus', body.join('\n')) as unknown as Ctor;
  Fields.prototype = Object.prototype;
  const unplus = plusDecoder();
  return (values, n) => new Fields(values, n, unplus);
}

const PLUS_CACHE_MAX = 2048;

/**
 * '+' → ' ' with a bounded memo: a log repeats a few hundred user agents, and the replacement costs
 * about 1 µs each time while a Map hit costs a hash of the string.
 */
function plusDecoder(): (v: string) => string {
  let cache = new Map<string, string>();
  return (v) => {
    let d = cache.get(v);
    if (d === undefined) {
      d = v.replaceAll('+', ' ');
      if (cache.size >= PLUS_CACHE_MAX) cache = new Map();
      cache.set(v, d);
    }
    return d;
  };
}
