// Sigma value modifiers (spec appendix v2.1) as one table: name → small typed transform over values.
// "value" modifiers rewrite/expand each value; "flag" modifiers change how the whole item is matched.
import { parseCidr, type Cidr } from './cidr.js';
import { literalString, parseSigmaString, plainText, STAR, withPrefix, withSuffix, type SigmaString } from './values.js';

export type RawScalar = string | number | boolean | null;

/** A rule value on its way through the modifier chain. */
export type Val =
  | { k: 'str'; raw: string; s: SigmaString }
  | { k: 'bytes'; b: Buffer }
  | { k: 'num'; n: number }
  | { k: 'bool'; b: boolean }
  | { k: 'null' }
  | { k: 're'; pattern: string }
  | { k: 'cidr'; c: Cidr }
  | { k: 'fieldref'; field: string }
  | { k: 'exists'; b: boolean }
  | { k: 'cmp'; op: CmpOp; n: number };

export type CmpOp = 'gt' | 'gte' | 'lt' | 'lte';
export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** Item-wide state set by flag modifiers. */
export interface ModState {
  all: boolean;
  cased: boolean;
  neq: boolean;
  reFlags: { i: boolean; m: boolean; s: boolean } | null;
  timePart: TimePart | null;
}

export interface ModifierEnv {
  /** Placeholder name → values, from --placeholders. */
  placeholders: ReadonlyMap<string, readonly string[]>;
  /** Placeholder names that had no values (the rule loads but stays inactive). */
  missing: Set<string>;
}

export class ModifierError extends Error {
  constructor(
    message: string,
    readonly unknown = false,
  ) {
    super(message);
  }
}

export function scalarToVal(v: RawScalar): Val {
  if (v === null) return { k: 'null' };
  if (typeof v === 'number') return { k: 'num', n: v };
  if (typeof v === 'boolean') return { k: 'bool', b: v };
  return { k: 'str', raw: v, s: parseSigmaString(v) };
}

function asStr(v: Val, mod: string): Extract<Val, { k: 'str' }> {
  switch (v.k) {
    case 'str':
      return v;
    case 'num':
    case 'bool': {
      const raw = String(v.k === 'num' ? v.n : v.b);
      return { k: 'str', raw, s: literalString(raw) };
    }
    case 'bytes': {
      const raw = v.b.toString('latin1');
      return { k: 'str', raw, s: literalString(raw) };
    }
    default:
      throw new ModifierError(`modifier '${mod}' cannot apply to a ${v.k} value`);
  }
}

function asBytes(v: Val, mod: string): Buffer {
  if (v.k === 'bytes') return v.b;
  const s = asStr(v, mod);
  const t = plainText(s.s);
  if (t === null) throw new ModifierError(`modifier '${mod}' cannot encode a value with wildcards`);
  return Buffer.from(t, 'utf8');
}

function encodedStr(text: string): Val {
  return { k: 'str', raw: text, s: literalString(text) };
}

// windash: a `-` or `/` that starts a flag (after a non-word character or at the start, before a word
// character) may be written with any of these five characters (pySigma's reading of the spec).
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_WINDASH_VARIANTS = 3125;

function windash(v: Val): Val[] {
  const s = asStr(v, 'windash');
  let variants: SigmaString[] = [{ parts: [] }];
  let count = 1;
  for (const p of s.s.parts) {
    if (typeof p !== 'string') {
      variants = variants.map((x) => withSuffix(x, [p]));
      continue;
    }
    // Split the literal at flag dashes; each split point multiplies the variants by five.
    const pieces = p.split(/(?<![\p{L}\p{N}_])([-/])(?=[\p{L}\p{N}_])/u);
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i % 2 === 0) {
        if (piece) variants = variants.map((x) => withSuffix(x, [piece]));
      } else {
        count *= DASHES.length;
        if (count > MAX_WINDASH_VARIANTS) throw new ModifierError('windash: too many dash positions in one value');
        variants = variants.flatMap((x) => DASHES.map((d) => withSuffix(x, [d])));
      }
    }
  }
  return variants.map((s2) => ({ k: 'str', raw: s.raw, s: s2 }));
}

function base64offset(b: Buffer): Val[] {
  const starts = [0, 2, 3];
  const ends = [0, 3, 2];
  const out: Val[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), b]).toString('base64');
    const cut = ends[(b.length + i) % 3]!;
    out.push(encodedStr(enc.slice(starts[i]!, cut ? enc.length - cut : enc.length)));
  }
  return out;
}

function expand(v: Val, env: ModifierEnv): Val[] {
  const s = asStr(v, 'expand');
  let results: SigmaString[] = [s.s];
  const names = [...s.raw.matchAll(/%([A-Za-z0-9_.-]+)%/g)].map((m) => m[1]!);
  if (names.length === 0) return [s];
  for (const name of new Set(names)) {
    const values = env.placeholders.get(name);
    if (!values || values.length === 0) {
      env.missing.add(name);
      continue;
    }
    results = results.flatMap((r) =>
      values.map((val) => {
        // A placeholder value may itself use wildcards; splice its parsed parts in place of %name%.
        const parsed = parseSigmaString(val).parts;
        const parts: SigmaString['parts'][number][] = [];
        for (const p of r.parts) {
          if (typeof p !== 'string' || !p.includes(`%${name}%`)) {
            parts.push(p);
            continue;
          }
          const bits = p.split(`%${name}%`);
          bits.forEach((bit, i) => {
            if (i > 0) parts.push(...parsed);
            if (bit) parts.push(bit);
          });
        }
        return withPrefix({ parts }, []);
      }),
    );
  }
  return results.map((r) => ({ k: 'str', raw: s.raw, s: r }));
}

function cmp(op: CmpOp): (v: Val) => Val[] {
  return (v) => {
    const n = v.k === 'num' ? v.n : v.k === 'str' && /^\s*-?\d+(\.\d+)?\s*$/.test(v.raw) ? Number(v.raw) : NaN;
    if (Number.isNaN(n)) throw new ModifierError(`modifier '${op}' needs a number`);
    return [{ k: 'cmp', op, n }];
  };
}

type ValueMod = { kind: 'value'; apply: (v: Val, st: ModState, env: ModifierEnv) => Val[] };
type FlagMod = { kind: 'flag'; apply: (st: ModState) => void };
export type Modifier = ValueMod | FlagMod;

function reFlag(f: 'i' | 'm' | 's'): FlagMod {
  return {
    kind: 'flag',
    apply: (st) => {
      if (!st.reFlags) throw new ModifierError(`modifier '${f}' is only valid after 're'`);
      st.reFlags[f] = true;
    },
  };
}
function timePart(p: TimePart): FlagMod {
  return { kind: 'flag', apply: (st) => void (st.timePart = p) };
}
function utf16(enc: 'le' | 'be' | 'bom'): ValueMod {
  return {
    kind: 'value',
    apply: (v) => {
      const t = plainText(asStr(v, 'utf16').s);
      if (t === null) throw new ModifierError('utf16 modifiers cannot encode a value with wildcards');
      const le = Buffer.from(t, 'utf16le');
      if (enc === 'le') return [{ k: 'bytes', b: le }];
      const be = Buffer.from(le);
      be.swap16();
      return [{ k: 'bytes', b: enc === 'be' ? be : Buffer.concat([Buffer.from([0xff, 0xfe]), le]) }];
    },
  };
}

/** The modifier table (aliases share an entry). */
export const MODIFIERS: ReadonlyMap<string, Modifier> = new Map<string, Modifier>([
  ['contains', { kind: 'value', apply: (v) => [{ ...asStr(v, 'contains'), s: withSuffix(withPrefix(asStr(v, 'contains').s, [STAR]), [STAR]) }] }],
  ['startswith', { kind: 'value', apply: (v) => [{ ...asStr(v, 'startswith'), s: withSuffix(asStr(v, 'startswith').s, [STAR]) }] }],
  ['endswith', { kind: 'value', apply: (v) => [{ ...asStr(v, 'endswith'), s: withPrefix(asStr(v, 'endswith').s, [STAR]) }] }],
  ['all', { kind: 'flag', apply: (st) => void (st.all = true) }],
  ['cased', { kind: 'flag', apply: (st) => void (st.cased = true) }],
  ['neq', { kind: 'flag', apply: (st) => void (st.neq = true) }],
  ['windash', { kind: 'value', apply: (v) => windash(v) }],
  ['base64', { kind: 'value', apply: (v) => [encodedStr(asBytes(v, 'base64').toString('base64'))] }],
  ['base64offset', { kind: 'value', apply: (v) => base64offset(asBytes(v, 'base64offset')) }],
  ['wide', utf16('le')],
  ['utf16le', utf16('le')],
  ['utf16be', utf16('be')],
  ['utf16', utf16('bom')],
  [
    're',
    {
      kind: 'value',
      apply: (v, st) => {
        st.reFlags ??= { i: false, m: false, s: false };
        return [{ k: 're', pattern: asStr(v, 're').raw }];
      },
    },
  ],
  ['i', reFlag('i')],
  ['ignorecase', reFlag('i')],
  ['m', reFlag('m')],
  ['multiline', reFlag('m')],
  ['s', reFlag('s')],
  ['dotall', reFlag('s')],
  [
    'cidr',
    {
      kind: 'value',
      apply: (v) => {
        const c = parseCidr(asStr(v, 'cidr').raw);
        if (!c) throw new ModifierError(`not a CIDR range: ${asStr(v, 'cidr').raw}`);
        return [{ k: 'cidr', c }];
      },
    },
  ],
  ['expand', { kind: 'value', apply: (v, _st, env) => expand(v, env) }],
  ['fieldref', { kind: 'value', apply: (v) => [{ k: 'fieldref', field: asStr(v, 'fieldref').raw }] }],
  ['equalsfield', { kind: 'value', apply: (v) => [{ k: 'fieldref', field: asStr(v, 'equalsfield').raw }] }],
  [
    'exists',
    {
      kind: 'value',
      apply: (v) => {
        if (v.k === 'bool') return [{ k: 'exists', b: v.b }];
        if (v.k === 'str' && /^(true|false)$/i.test(v.raw)) return [{ k: 'exists', b: v.raw.toLowerCase() === 'true' }];
        throw new ModifierError("modifier 'exists' needs true or false");
      },
    },
  ],
  ['gt', { kind: 'value', apply: cmp('gt') }],
  ['gte', { kind: 'value', apply: cmp('gte') }],
  ['lt', { kind: 'value', apply: cmp('lt') }],
  ['lte', { kind: 'value', apply: cmp('lte') }],
  ['minute', timePart('minute')],
  ['hour', timePart('hour')],
  ['day', timePart('day')],
  ['week', timePart('week')],
  ['month', timePart('month')],
  ['year', timePart('year')],
]);

/**
 * Apply a modifier chain to the values of one detection item. Returns one group per rule value: the
 * alternatives that value expanded into (windash, base64offset, expand), which always combine with OR;
 * `all` then joins the groups with AND. Throws ModifierError.
 */
export function applyModifiers(names: readonly string[], values: readonly RawScalar[], env: ModifierEnv): { groups: Val[][]; st: ModState } {
  const st: ModState = { all: false, cased: false, neq: false, reFlags: null, timePart: null };
  let groups: Val[][] = values.map((v) => [scalarToVal(v)]);
  for (const name of names) {
    const mod = MODIFIERS.get(name);
    if (!mod) throw new ModifierError(`unknown modifier '${name}'`, true);
    if (mod.kind === 'flag') mod.apply(st);
    else groups = groups.map((g) => g.flatMap((v) => (v.k === 'null' ? [v] : mod.apply(v, st, env))));
  }
  if (st.reFlags && groups.some((g) => g.some((v) => v.k !== 're' && v.k !== 'null'))) {
    throw new ModifierError("'re' cannot be combined with other value modifiers");
  }
  return { groups, st };
}
