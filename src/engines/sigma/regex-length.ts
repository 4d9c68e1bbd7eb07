// The longest text an RE2 pattern can match, in UTF-16 code units, when it is bounded: such a pattern does a
// bounded amount of work at each start position, so V8 may run it on values of any length (see regex.ts).

/** A construct this reader does not model: the pattern counts as unbounded. */
class Unknown extends Error {}

/**
 * The most UTF-16 code units a match of `pattern` can span: a sum over sequences, the largest branch of an
 * alternation, an atom times its quantifier's maximum; Infinity when a quantifier is unbounded (`*`, `+`,
 * `{n,}`) or the pattern holds anything not modelled here. Classes, `.` and escapes count 2 units (a
 * surrogate pair), anchors and flag groups 0. An upper bound, never less than the truth.
 */
export function maxMatchLength(pattern: string): number {
  const p = pattern;
  let i = 0;

  const alternation = (): number => {
    let best = sequence();
    while (p[i] === '|') {
      i++;
      best = Math.max(best, sequence());
    }
    return best;
  };
  const sequence = (): number => {
    let total = 0;
    while (i < p.length && p[i] !== '|' && p[i] !== ')') {
      const a = atom();
      const q = quantifier();
      total += a === 0 ? 0 : a * q;
    }
    return total;
  };
  const atom = (): number => {
    const c = p[i]!;
    if (c === '(') {
      i++;
      if (p[i] === '?') {
        // (?i) flag set: no width; (?:…), (?i:…), (?P<name>…), (?<name>…): a group.
        const m = /^\?(?:P?<[A-Za-z_]\w*>|[imsU-]*:|([imsU-]+)\))/.exec(p.slice(i));
        if (!m) throw new Unknown();
        i += m[0].length;
        if (m[1] !== undefined) return 0;
      }
      const n = alternation();
      if (p[i] !== ')') throw new Unknown();
      i++;
      return n;
    }
    if (c === '[') {
      i++;
      if (p[i] === '^') i++;
      if (p[i] === ']') i++;
      while (i < p.length && p[i] !== ']') {
        if (p[i] === '\\') i++;
        else if (p[i] === '[' && p[i + 1] === ':') {
          const end = p.indexOf(':]', i + 2);
          if (end < 0) throw new Unknown();
          i = end + 1;
        }
        i++;
      }
      if (p[i] !== ']') throw new Unknown();
      i++;
      return 2;
    }
    if (c === '\\') {
      const e = p[i + 1];
      if (e === undefined) throw new Unknown();
      i += 2;
      if ('bBAz'.includes(e)) return 0;
      if (e === 'p' || e === 'P' || e === 'x') {
        if (p[i] === '{') {
          const end = p.indexOf('}', i);
          if (end < 0) throw new Unknown();
          i = end + 1;
        } else i += e === 'x' ? 2 : 1;
        return 2;
      }
      if (/[0-9Q]/.test(e)) throw new Unknown(); // octal escapes, \Q…\E quoting: not modelled
      return 2;
    }
    if (c === '^' || c === '$') {
      i++;
      return 0;
    }
    if ('*+?{'.includes(c)) throw new Unknown(); // a quantifier with nothing to repeat, or a literal brace
    // A surrogate pair is one character to RE2: a quantifier after it repeats both units.
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < p.length) {
      const low = p.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        i += 2;
        return 2;
      }
    }
    i++;
    return 1;
  };
  const quantifier = (): number => {
    const c = p[i];
    let max = 1;
    if (c === '?') {
      i++;
    } else if (c === '*' || c === '+') {
      i++;
      max = Infinity;
    } else if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(p.slice(i));
      if (!m) throw new Unknown(); // RE2 reads a malformed repetition as literal text: not modelled
      i += m[0].length;
      max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    } else return 1;
    if (p[i] === '?') i++; // lazy: same maximum
    const next = p[i];
    if (next !== undefined && '*+?{'.includes(next)) throw new Unknown(); // stacked quantifiers
    return max;
  };

  try {
    const n = alternation();
    return i === p.length ? n : Infinity;
  } catch (e) {
    if (e instanceof Unknown) return Infinity;
    throw e;
  }
}
