// Per-#Fields-header compiled builder of a W3C line's `fields` object: one straight-line function per
// header with constant property names, so V8 builds every line's object through monomorphic stores.

/** One column of a compiled header: where its value goes ('' = ignored column). */
export interface BuilderColumn {
  name: string;
  /** Original name stored as well when it differs from the normalised one, else null. */
  alias: string | null;
  /** '+' in the value means a space. */
  plus: boolean;
}

/** Builds the fields object from a line's space-separated values (missing, '-' and ignored columns are left out). */
export type FieldBuilder = (values: readonly string[]) => Record<string, string>;

/**
 * Compiles the builder for one header. Names come from the log file (untrusted): each is embedded only
 * as a JSON string literal, which is always a valid, inert JavaScript string literal.
 * The result is a plain object with the same keys in the same order as a loop of `fields[name] = v`.
 */
export function compileFieldBuilder(columns: readonly BuilderColumn[]): FieldBuilder {
  const body: string[] = ['const o = {};', 'const n = values.length;', 'let v;'];
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (col.name === '') continue;
    const stores = [`o[${JSON.stringify(col.name)}] = v;`];
    if (col.alias !== null) stores.push(`o[${JSON.stringify(col.alias)}] = v;`);
    const plus = col.plus ? `if (v.indexOf('+') !== -1) v = v.replaceAll('+', ' ');` : '';
    body.push(`if (n > ${c}) { v = values[${c}]; if (v !== '-') { ${plus} ${stores.join(' ')} } }`);
  }
  body.push('return o;');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from JSON-quoted names only (see above)
  return new Function('values', body.join('\n')) as FieldBuilder;
}
