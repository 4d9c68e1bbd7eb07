// Compiled template plans: a flat record's JSON built by one generated object literal per (template structure,
// value classes), found by walking a small trie per record instead of re-deciding the shape node by node.

import { VT, type IrValue, type RawValue, type Scalar, type TNode } from './ir.js';
import { flatJson, type FlatRecord } from './direct-json.js';

/**
 * What a substitution value contributes to the JSON shape; the shape is fixed once every value's class is.
 * 0 nothing (missing, NULL), 1 empty (empty string or array), 2 number/boolean, 3 text scalar, 4 one-item array.
 */
type Cls = 0 | 1 | 2 | 3 | 4;

/** A compiled builder: the record's `{ Event: … }` from its values (RawValue[] in this thread, scalars elsewhere). */
export type Build = (V: readonly RawValue[]) => Record<string, unknown>;

interface Trie {
  /** Next node by token: a value class (0–4), 10 + node count of a BinXml value, or -1 - plan id of its instance. */
  readonly next: Map<number, Trie>;
  /** Next node by the tokens 0–15 (value classes, small BinXml counts): an array lookup, most steps take it. */
  readonly small: (Trie | undefined)[];
  build: Build | undefined;
}

const NUMERIC = new Uint8Array(256);
for (const t of [VT.INT8, VT.UINT8, VT.INT16, VT.UINT16, VT.INT32, VT.UINT32, VT.INT64, VT.UINT64, VT.BOOL]) NUMERIC[t] = 1;

/** Class of one value, or -1 for a BinXml value or an array of several items. */
export function classOf(v: RawValue | undefined): Cls | -1 {
  if (v === undefined) return 0;
  const t = v.t;
  if (t === VT.NULL) return 0;
  if (t === VT.BINXML) return -1;
  const x = (v as IrValue).v;
  if (t & 0x80) {
    const n = (x as unknown[]).length;
    return n === 0 ? 1 : n === 1 ? 4 : -1;
  }
  if (NUMERIC[t] === 1) return 2;
  return x === '' ? 1 : 3;
}

// ---- plan cache: across chunks and files, keyed by the template's structure (never by its GUID alone) ----

// Bounds for hostile input (ever-new templates): plans, builders, and the characters their keys and sources hold.
const MAX_PLANS = 4096;
const MAX_BUILDS = 16384;
const MAX_CHARS = 32 * 1024 * 1024;
const MAX_TRIE_NODES = 1_000_000;
let builds = 0;
let trieNodes = 0;
let chars = 0;
/** Structure key → plan id; root tries by plan id. */
const ids = new Map<string, number>();
const roots: Trie[] = [];
/** Per chunk-template (root element or nested template node list): its plan id, -1 when it cannot be compiled. */
const idOf = new WeakMap<object, number>();

const OPEN = '\ue000';
const CLOSE = '\ue001';

/** Names and texts met in templates → small numbers, so a structure key holds two characters per name. */
const tokens = new Map<string, number>();
const MAX_TOKENS = 1 << 20;

/** The number of a name or text, -1 when it holds the sentinel character (or the table is full). */
function tokenOf(s: string): number {
  let id = tokens.get(s);
  if (id === undefined) {
    if (s.includes(OPEN) || tokens.size >= MAX_TOKENS) return -1;
    id = tokens.size;
    tokens.set(s, id);
  }
  return id;
}

const F = String.fromCharCode;

/**
 * Structural key of a node list: each node a kind character then a fixed number of characters (names and texts by
 * their numbers, 32 bits as two characters), so no two structures share a key; undefined when it holds something a
 * plan does not handle (template instances, the sentinel character).
 */
function keyOf(nodes: readonly TNode[]): string | undefined {
  let k = '';
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 'e') {
      const name = tokenOf(n.name);
      if (name < 0) return undefined;
      k += F(69, name >>> 16, name & 0xffff); // E
      for (let j = 0; j < n.attrs.length; j++) {
        const a = n.attrs[j]!;
        const an = tokenOf(a.name);
        const v = keyOf(a.value);
        if (v === undefined || an < 0) return undefined;
        k += F(65, an >>> 16, an & 0xffff) + v + 'a'; // A … a
      }
      const c = keyOf(n.children);
      if (c === undefined) return undefined;
      k += '>' + c + '/';
    } else if (n.k === 's') k += F(n.optional ? 79 : 83, n.index); // O / S, index < 65536
    else if (n.k === 'v') {
      const v = n.leaf.v;
      let x: number;
      if (typeof v === 'string') x = tokenOf(v);
      else if (typeof v === 'number' && v >= 0 && v <= 0xffffffff && Number.isInteger(v)) x = v;
      else return undefined;
      if (x < 0) return undefined;
      k += F(typeof v === 'string' ? 86 : 78, n.leaf.t & 0xffff, x >>> 16, x & 0xffff); // V (text) / N (number)
    } else return undefined;
  }
  return k;
}

function planId(owner: object, nodes: readonly TNode[]): number {
  let id = idOf.get(owner);
  if (id !== undefined) return id;
  id = -1;
  const key = keyOf(nodes);
  if (key !== undefined) {
    id = ids.get(key) ?? -1;
    if (id < 0 && ids.size < MAX_PLANS && chars + key.length <= MAX_CHARS) {
      id = ids.size;
      chars += key.length;
      ids.set(key, id);
    }
  }
  idOf.set(owner, id);
  return id;
}

function newTrie(): Trie {
  return { next: new Map(), small: [], build: undefined };
}

function step(node: Trie, token: number): Trie | undefined {
  const small = token >= 0 && token < 16;
  let nx = small ? (token < node.small.length ? node.small[token] : undefined) : node.next.get(token);
  if (nx === undefined) {
    if (builds >= MAX_BUILDS || trieNodes >= MAX_TRIE_NODES) return undefined;
    trieNodes++;
    nx = newTrie();
    if (small) {
      while (node.small.length < token) node.small.push(undefined);
      node.small[token] = nx;
    } else node.next.set(token, nx);
  }
  return nx;
}

/** The trie node reached by the classes of `V` (BinXml values: their instances' plans and classes, recursively). */
function walk(node: Trie | undefined, V: readonly RawValue[]): Trie | undefined {
  for (let i = 0; i < V.length && node !== undefined; i++) {
    const v = V[i];
    const c = classOf(v);
    if (c >= 0) {
      node = step(node, c);
      continue;
    }
    if (v!.t !== VT.BINXML) return undefined;
    const nodes = (v as Nested).nodes;
    node = step(node, 10 + nodes.length);
    for (let k = 0; k < nodes.length && node !== undefined; k++) {
      const n = nodes[k]!;
      if (n.k !== 'i') return undefined;
      const id = planId(n.nodes, n.nodes);
      if (id < 0) return undefined;
      node = walk(step(node, -1 - id), n.values);
    }
  }
  return node;
}

type Nested = { readonly nodes: TNode[] };

/**
 * The JSON of a flat record through its compiled plan; undefined when the record cannot take this path (damaged
 * or unusual structure, caches full): the caller then renders it with flatJson.
 */
export function planJson(r: FlatRecord): Record<string, unknown> | undefined {
  const id = planId(r.el, [r.el]);
  if (id < 0) return undefined;
  const node = walk((roots[id] ??= newTrie()), r.values);
  if (node === undefined) return undefined;
  let b = node.build;
  if (b === undefined) {
    if (builds >= MAX_BUILDS || chars >= MAX_CHARS) return undefined;
    const source = planSource(r);
    builds++;
    chars += source.length;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- names and text are JSON-quoted: data, never code
    b = node.build = new Function('V', 'return ' + source + ';') as Build;
  }
  return b(r.values);
}

// ---- compilation: run direct-json's rules once on symbolic values, then turn the result into one literal ----

/** How generated code reads one value: as its JSON value (numbers and booleans typed) and as its text. */
interface Access {
  readonly raw: string;
  readonly txt: string;
}

/**
 * Where generated code finds the values: 'V' reads the RawValue tree in this thread; 'x' reads the scalars that
 * flattenValues lays out from index `b` of an array `x` (the worker transport).
 */
type Mode = 'V' | 'x';

function access(mode: Mode, path: string, cls: Cls, k: number): Access {
  if (mode === 'x') {
    const e = `x[b+${k}]`;
    return { raw: e, txt: cls === 2 ? `String(${e})` : e };
  }
  if (cls === 4) return { raw: `String(${path}.v[0])`, txt: `String(${path}.v[0])` };
  return { raw: `${path}.v`, txt: cls === 2 ? `String(${path}.v)` : `${path}.v` };
}

/**
 * Symbolic stand-ins with the same classes as `V`: text and numbers carry a sentinel naming their entry in `acc`;
 * BinXml values keep their instances' templates with symbolic values. Entries are numbered in the order
 * flattenValues lays the scalars out.
 */
function symbolic(V: readonly RawValue[], path: string, acc: Access[], mode: Mode): RawValue[] {
  const out: RawValue[] = [];
  for (let i = 0; i < V.length; i++) {
    const v = V[i]!;
    const c = classOf(v);
    const sent = (cls: Cls): string => OPEN + (acc.push(access(mode, `${path}[${i}]`, cls, acc.length)) - 1) + CLOSE;
    if (c === 0) out.push({ t: VT.NULL, v: '' });
    else if (c === 1) out.push({ t: VT.STRING, v: '' });
    else if (c === 2) out.push({ t: VT.INT32, v: sent(2) });
    else if (c === 3 || c === 4) out.push({ t: VT.STRING, v: sent(c) });
    else {
      const nodes = (v as Nested).nodes.map((n, k) => {
        if (n.k !== 'i') throw new Error('unreachable: walk accepts instances only');
        return { k: 'i' as const, nodes: n.nodes, values: symbolic(n.values, `${path}[${i}].nodes[${k}].values`, acc, mode), locs: -1 };
      });
      out.push({ t: VT.BINXML, nodes });
    }
  }
  return out;
}

/** The scalars of `V` in the order of the 'x' mode's entries (the values a compiled builder reads). */
export function flattenValues(V: readonly RawValue[], out: Scalar[]): void {
  for (let i = 0; i < V.length; i++) {
    const v = V[i];
    const c = classOf(v);
    if (c === 2 || c === 3) out.push((v as IrValue).v as Scalar);
    else if (c === 4) out.push(String(((v as IrValue).v as Scalar[])[0]));
    else if (c < 0) for (const n of (v as Nested).nodes) if (n.k === 'i') flattenValues(n.values, out);
  }
}

const SENT = /\ue000(\d+)\ue001/;

/** JS expression for a rendered string that may hold sentinels: the raw value, or a string concatenation. */
function strExpr(s: string, acc: Access[], raw: boolean): string {
  const parts = s.split(SENT);
  if (parts.length === 1) return JSON.stringify(s);
  if (raw && parts.length === 3 && parts[0] === '' && parts[2] === '') return acc[Number(parts[1])]!.raw;
  let e = '""';
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      if (parts[i] !== '') e += '+' + JSON.stringify(parts[i]);
    } else e += '+' + acc[Number(parts[i])]!.txt;
  }
  return e;
}

function emit(x: unknown, acc: Access[]): string {
  if (typeof x === 'string') return strExpr(x, acc, true);
  if (x === null || typeof x !== 'object') return JSON.stringify(x);
  if (Array.isArray(x)) return '[' + x.map((y) => emit(y, acc)).join(',') + ']';
  const parts: string[] = [];
  for (const k of Object.keys(x)) {
    const key = k.includes(OPEN) ? '[' + strExpr(k, acc, false) + ']' : k === '__proto__' ? '["__proto__"]' : JSON.stringify(k);
    parts.push(key + ':' + emit((x as Record<string, unknown>)[k], acc));
  }
  return '{' + parts.join(',') + '}';
}

/** The generated expression building a flat record's JSON (exported for tests). */
export function planSource(r: FlatRecord, mode: Mode = 'V'): string {
  const acc: Access[] = [];
  return emit(flatJson({ el: r.el, values: symbolic(r.values, 'V', acc, mode) }), acc);
}

// ---- the worker transport: builders numbered per thread, their source sent once, values as flat scalars ----

/** Builds from flat scalars: `x[b…]` are one record's values as flattenValues laid them out. */
export type FlatBuild = (x: readonly Scalar[], b: number) => Record<string, unknown>;

export function compileFlat(source: string): FlatBuild {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- source comes from planSource: data JSON-quoted
  return new Function('x', 'b', 'return ' + source + ';') as FlatBuild;
}

const flatIds = new WeakMap<Trie, number>();
let nextFlatId = 0;

/** The flat-scalar builder id of a record, or -1; a new id's source is appended to `sources` as [id, source]. */
function flatId(r: FlatRecord, sources: (number | string)[], out?: LocSink): number {
  const id = planId(r.el, [r.el]);
  if (id < 0) return -1;
  const root = (roots[id] ??= newTrie());
  const node = out === undefined ? walk(root, r.values) : walkLocs(root, r.values, r.lb!, r.locs!, out);
  if (node === undefined) return -1;
  let fid = flatIds.get(node);
  if (fid === undefined) {
    if (nextFlatId >= MAX_BUILDS || chars >= MAX_CHARS) return -1;
    const source = planSource(r, 'x'); // before the id is taken: a throw here leaves no id without its source
    chars += source.length;
    fid = nextFlatId++;
    flatIds.set(node, fid);
    sources.push(fid, source);
  }
  return fid;
}

/**
 * The flat-scalar builder id of a record (its values appended to `vals`), or -1 when it cannot take this path. A
 * new id's source is appended to `sources` as [id, source] for the receiving thread to compile.
 */
export function planFlat(r: FlatRecord, vals: Scalar[], sources: (number | string)[]): number {
  const fid = flatId(r, sources);
  if (fid >= 0) flattenValues(r.values, vals);
  return fid;
}

/** Receives a flattened value's location: buffer offset, size, type byte (see scalarAt in values.ts). */
export type LocSink = (at: number, size: number, type: number) => void;

/**
 * Like planFlat, but each value the builder reads goes to `out` as its location in the record's buffer (the parser
 * kept them: ChunkBinXml keepLocs), for a thread holding the same bytes to decode with scalarAt. -1 as planFlat,
 * and also when locations were not kept; `out` may have been fed before a -1 (the caller drops what it got).
 */
export function planLocs(r: FlatRecord, out: LocSink, sources: (number | string)[]): number {
  return r.lb === undefined || r.locs === undefined || r.locs < 0 ? -1 : flatId(r, sources, out);
}

/** walk, giving each value the builder reads to `out` on the way (flattenValues's order); `out` may have been fed when undefined is returned. */
function walkLocs(node: Trie | undefined, V: readonly RawValue[], L: Float64Array, at: number, out: LocSink): Trie | undefined {
  for (let i = 0; i < V.length && node !== undefined; i++) {
    const v = V[i];
    const c = classOf(v);
    if (c >= 0) {
      if (c >= 2) out(L[at + 3 * i]!, L[at + 3 * i + 1]!, L[at + 3 * i + 2]!);
      node = step(node, c);
      continue;
    }
    if (v!.t !== VT.BINXML) return undefined;
    const nodes = (v as Nested).nodes;
    node = step(node, 10 + nodes.length);
    for (let k = 0; k < nodes.length && node !== undefined; k++) {
      const n = nodes[k]!;
      if (n.k !== 'i' || n.locs < 0) return undefined;
      const id = planId(n.nodes, n.nodes);
      if (id < 0) return undefined;
      node = walkLocs(step(node, -1 - id), n.values, L, n.locs, out);
    }
  }
  return node;
}
