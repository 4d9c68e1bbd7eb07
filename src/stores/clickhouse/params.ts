// `{name:Type}` query parameters written into SQL text as literals, for engines that cannot bind them (ClickHouse
// 18.16 answers "Unknown setting param_x"). Only placeholders outside quoted text are replaced, each by sqlLiteral.
import { HuntError } from '../../diagnostics.js';
import type { StoreParams } from './client.js';
import { sqlLiteral } from './literal.js';

// Types whose literal needs no CAST: the literal already has that type or ClickHouse converts it on comparison.
const PLAIN = /^(String|U?Int(8|16|32|64)|Float(32|64)|Array\((String|U?Int(8|16|32|64)|Float(32|64))\))$/;

/**
 * The SQL with every `{name:Type}` outside quotes replaced by the literal of params[name] (CAST to Type where the
 * type is not plain). A placeholder without a value is an error, as the server would say.
 */
export function substituteParams(sql: string, params: StoreParams): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      // Quoted text is copied as is; a backslash escapes the next character inside it (ClickHouse's rule).
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '{') {
      const m = /^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^{}]+?)\s*\}/.exec(sql.slice(i, i + 200));
      if (m) {
        const [whole, name, type] = m as unknown as [string, string, string];
        const v = params[name];
        if (v === undefined) throw new HuntError('USAGE', `query parameter {${name}:${type}} has no value`);
        const lit = sqlLiteral(v);
        out += PLAIN.test(type) ? lit : `CAST(${lit} AS ${type})`;
        i += whole.length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}
