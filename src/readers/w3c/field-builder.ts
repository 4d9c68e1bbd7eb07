// Per-#Fields-header compiled builder of a W3C line's `fields` object: one straight-line constructor per
// header with constant property names, so V8 builds every line's object through monomorphic stores.

/** One column of a compiled header: where its value goes ('' = ignored column). */
export interface BuilderColumn {
  name: string;
  /** Original name stored as well when it differs from the normalised one, else null. */
  alias: string | null;
  /** '+' in the value means a space. */
  plus: boolean;
}

/**
 * Builds the fields object from the first `n` values of `values` (a reused buffer; entries past `n` are
 * stale and never read). '-' values and ignored columns are left out.
 */
export type FieldBuilder = (values: readonly string[], n: number) => Record<string, string>;

/**
 * Compiles the builder for one header. Names come from the log file (untrusted): each is embedded only
 * as a JSON string literal, which is always a valid, inert JavaScript string literal.
 *
 * The object is made by `new` on a generated constructor whose prototype is Object.prototype: it is a
 * plain object in every observable way (same prototype, own enumerable string keys in the same order as
 * a loop of `fields[name] = v`), but V8's slack tracking gives it in-object room for every column, so
 * no property store reallocates a backing store.
 */
export function compileFieldBuilder(columns: readonly BuilderColumn[]): FieldBuilder {
  const body: string[] = ['let v;'];
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (col.name === '') continue;
    const stores = [`this[${JSON.stringify(col.name)}] = v;`];
    if (col.alias !== null) stores.push(`this[${JSON.stringify(col.alias)}] = v;`);
    const plus = col.plus ? `if (v.indexOf('+') !== -1) v = v.replaceAll('+', ' ');` : '';
    body.push(`if (n > ${c}) { v = values[${c}]; if (v !== '-') { ${plus} ${stores.join(' ')} } }`);
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from JSON-quoted names only (see above)
  const Record = new Function('values', 'n', body.join('\n')) as unknown as new (values: readonly string[], n: number) => Record<string, string>;
  Record.prototype = Object.prototype;
  return (values, n) => new Record(values, n);
}
