// The Sigma condition grammar (spec §2.4): text → AST, then identifiers and `x of pattern` resolved
// against the detection's names. Precedence, loosest first: or < and < not < x of < parentheses.

export type CondNode =
  | { t: 'id'; name: string }
  | { t: 'of'; quant: 'all' | number; pattern: string }
  | { t: 'and'; args: CondNode[] }
  | { t: 'or'; args: CondNode[] }
  | { t: 'not'; arg: CondNode };

/** A resolved AST: only identifiers that exist, `x of` already expanded. */
export type ResolvedNode =
  | { t: 'id'; name: string }
  | { t: 'and'; args: ResolvedNode[] }
  | { t: 'or'; args: ResolvedNode[] }
  | { t: 'not'; arg: ResolvedNode }
  | { t: 'atleast'; n: number; args: ResolvedNode[] };

export class ConditionError extends Error {
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

type Tok = { k: 'lp' | 'rp' | 'and' | 'or' | 'not' | 'of' | 'word'; v: string; pos: number };

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  const re = /\s*(?:(\()|(\))|([^\s()]+))/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === '') break;
    last = re.lastIndex;
    const pos = m.index + m[0].length - (m[1] ?? m[2] ?? m[3] ?? '').length;
    if (m[1]) toks.push({ k: 'lp', v: '(', pos });
    else if (m[2]) toks.push({ k: 'rp', v: ')', pos });
    else {
      const w = m[3]!;
      const lw = w.toLowerCase();
      if (w === '|' || w.startsWith('|')) throw new ConditionError('pipe aggregations (| count() ...) are obsolete in Sigma v2; write a correlation rule', true);
      if (lw === 'near') throw new ConditionError("'near' is obsolete in Sigma v2; write a temporal correlation rule", true);
      if (lw === 'and' || lw === 'or' || lw === 'not' || lw === 'of') toks.push({ k: lw, v: lw, pos });
      else toks.push({ k: 'word', v: w, pos });
    }
  }
  if (text.slice(last).trim() !== '') throw new ConditionError(`unexpected text at ${last + 1}`);
  return toks;
}

/** Parse a condition string into an AST. Throws ConditionError. */
export function parseCondition(text: string): CondNode {
  if (text.includes('|')) throw new ConditionError('pipe aggregations (| count() ...) are obsolete in Sigma v2; write a correlation rule', true);
  const toks = tokenize(text);
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const fail = (msg: string): never => {
    const t = toks[i];
    throw new ConditionError(t ? `${msg} at '${t.v}' (column ${t.pos + 1})` : `${msg} at end of condition`);
  };
  const parseOr = (): CondNode => {
    const args = [parseAnd()];
    while (peek()?.k === 'or') {
      i++;
      args.push(parseAnd());
    }
    return args.length === 1 ? args[0]! : { t: 'or', args };
  };
  const parseAnd = (): CondNode => {
    const args = [parseNot()];
    while (peek()?.k === 'and') {
      i++;
      args.push(parseNot());
    }
    return args.length === 1 ? args[0]! : { t: 'and', args };
  };
  const parseNot = (): CondNode => {
    if (peek()?.k === 'not') {
      i++;
      return { t: 'not', arg: parseNot() };
    }
    return parseAtom();
  };
  const parseAtom = (): CondNode => {
    const t = peek();
    if (!t) return fail('expected an identifier');
    if (t.k === 'lp') {
      i++;
      const inner = parseOr();
      if (peek()?.k !== 'rp') fail("expected ')'");
      i++;
      return inner;
    }
    if (t.k !== 'word') return fail('expected an identifier');
    i++;
    if (peek()?.k === 'of') {
      const q = t.v.toLowerCase();
      let quant: 'all' | number;
      if (q === 'all') quant = 'all';
      else if (q === 'any') quant = 1;
      else if (/^[1-9]\d*$/.test(q)) quant = Number(q);
      else return fail(`'${t.v} of' is not a quantifier`);
      i++;
      const target = peek();
      if (target?.k !== 'word') return fail("expected 'them' or a pattern after 'of'");
      i++;
      return { t: 'of', quant, pattern: target.v };
    }
    if (!/^[\w.*-]+$/.test(t.v)) {
      i--;
      return fail('bad identifier');
    }
    return { t: 'id', name: t.v };
  };
  if (toks.length === 0) throw new ConditionError('empty condition');
  const ast = parseOr();
  if (i < toks.length) fail('unexpected token');
  return ast;
}

function globToRegExp(p: string): RegExp {
  return new RegExp('^' + p.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*') + '$');
}

/** Resolve identifiers and `x of` patterns against the detection's names. Throws ConditionError. */
export function resolveCondition(node: CondNode, names: readonly string[]): ResolvedNode {
  switch (node.t) {
    case 'id':
      if (!names.includes(node.name)) throw new ConditionError(`unknown identifier '${node.name}' in condition`);
      return node;
    case 'of': {
      let matched: string[];
      if (node.pattern.toLowerCase() === 'them') matched = names.filter((n) => !n.startsWith('_'));
      else {
        const re = globToRegExp(node.pattern);
        matched = names.filter((n) => re.test(n));
      }
      if (matched.length === 0) throw new ConditionError(`'${node.pattern}' matches no identifier`);
      const args: ResolvedNode[] = matched.map((name) => ({ t: 'id', name }));
      if (node.quant === 'all') return args.length === 1 ? args[0]! : { t: 'and', args };
      if (node.quant === 1) return args.length === 1 ? args[0]! : { t: 'or', args };
      return { t: 'atleast', n: node.quant, args };
    }
    case 'and':
    case 'or':
      return { t: node.t, args: node.args.map((a) => resolveCondition(a, names)) };
    case 'not':
      return { t: 'not', arg: resolveCondition(node.arg, names) };
  }
}
