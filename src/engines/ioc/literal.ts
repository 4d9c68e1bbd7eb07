// Required-literal extraction for IOC regexes: the longest run of plain characters every match must
// contain, so thousands of file-name IOCs cost a substring test per path before any regex runs.

/** Index just past the group or class starting at `i` (text[i] is '(' or '['). */
function skipBracket(text: string, i: number): number {
  if (text[i] === '[') {
    let j = i + 1;
    if (text[j] === '^') j++;
    if (text[j] === ']') j++;
    while (j < text.length && text[j] !== ']') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const c = text[j]!;
    if (c === '\\') j += 2;
    else if (c === '[') j = skipBracket(text, j);
    else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return j + 1;
      j++;
    }
  }
  return j;
}

/**
 * The longest literal (lower-cased) that any match of `regex` must contain, or null when there is
 * none of at least `min` characters (then the regex is always run). Conservative: when unsure, null.
 */
export function requiredLiteral(regex: string, min = 3): string | null {
  let text = regex;
  if (text.startsWith('(?i)')) text = text.slice(4);
  if (/^\(\?[a-z]+\)/.test(text)) return null; // other inline flags: do not guess
  let best = '';
  let run = '';
  const endRun = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    let atom: string | null = null; // a literal character, or null for a non-literal atom
    if (c === '|') return null; // top-level alternation: nothing is required
    if (c === '(' || c === '[') {
      i = skipBracket(text, i);
    } else if (c === '\\') {
      const n = text[i + 1] ?? '';
      atom = /[A-Za-z0-9]/.test(n) ? null : n;
      i += 2;
    } else if (c === '.' || c === '^' || c === '$') {
      i++;
    } else if (c === '*' || c === '+' || c === '?' || c === '{' || c === ')') {
      return null; // a quantifier with no atom before it, or an unbalanced ')': odd syntax
    } else {
      atom = c;
      i++;
    }
    const q = text[i];
    const optional = q === '?' || q === '*' || (q === '{' && /^\{0*[,}]|^\{0+,/.test(text.slice(i)));
    const repeated = q === '+' || (q === '{' && !optional);
    if (q === '?' || q === '*' || q === '+') {
      i++;
      if (text[i] === '?' || text[i] === '+') i++; // lazy / possessive
    } else if (q === '{') {
      const close = text.indexOf('}', i);
      i = close < 0 ? text.length : close + 1;
      if (text[i] === '?') i++;
    }
    if (atom === null || optional) {
      endRun();
    } else {
      run += atom.toLowerCase();
      if (repeated) endRun();
    }
  }
  endRun();
  return best.length >= min ? best : null;
}
