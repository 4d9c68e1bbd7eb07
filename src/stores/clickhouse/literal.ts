// The one way a value becomes ClickHouse SQL text when it cannot be bound as a server-side parameter (ClickHouse
// 18.16 has no query parameters): a quoted string literal in which nothing the value holds can end the literal.
// ClickHouse reads backslash escapes in string literals (\\ \' \n \t \r \b \f \0 \xHH); escaping the backslash and
// the quote ends every way out, and control bytes are written as \xHH so the SQL text stays one printable line.

/** A ClickHouse string literal whose value is exactly `s` (every code point, NUL included). */
export function stringLiteral(s: string): string {
  let out = "'";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x27) out += "\\'";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += s[i];
  }
  return `${out}'`;
}

/** A literal of a number (finite only), a boolean (as 0/1) or a string; arrays as `[a, b]`. */
export function sqlLiteral(v: string | number | bigint | boolean | readonly string[] | readonly number[]): string {
  if (typeof v === 'string') return stringLiteral(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
    return String(v);
  }
  return `[${(v as readonly (string | number)[]).map((x) => sqlLiteral(x)).join(', ')}]`;
}
