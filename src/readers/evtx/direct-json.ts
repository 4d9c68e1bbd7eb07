// The evtx_dump JSON of a record rendered straight from its compiled template and substitution values, without
// instantiating the resolved tree: json.ts's rules, node for node. Only for "flat" records (see ChunkBinXml.flat).

import { NK, VT, type IrValue, type RawValue, type TElement, type TNode } from './ir.js';
import { isEmptyLeaf, isJsonNumeric, leafText } from './values.js';

type Json = unknown;
type Obj = Record<string, Json>;
type Vals = readonly RawValue[];

/**
 * A flat record: its root element (from the template body) and the instance's values. Templates hold no nested
 * instance and no value is an array of 2+ items; BinXml values (one instance each) expand in place, as in
 * ChunkBinXml.instantiate. ChunkBinXml checks these conditions and the expanded size before choosing this path.
 */
export interface FlatRecord {
  readonly el: TElement;
  readonly values: Vals;
  /** The instance's value locations (TInstance.locs), when kept. */
  readonly locs?: number;
  /**
   * The location table of the record (ChunkBinXml keepLocs): valid until the parser reads the chunk's next record.
   */
  readonly lb?: Float64Array | undefined;
}

const EMPTY: Vals = [];

function put(o: Obj, k: string, v: Json): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function hasText(nodes: readonly TNode[], V: Vals): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 'e') continue;
    if (n.k === 'i') {
      if (hasText(n.nodes, n.values)) return true;
    } else if (n.k === 'v') {
      if (!isEmptyLeaf(n.leaf)) return true;
    } else {
      const v = V[n.index];
      if (v === undefined || v.t === VT.NULL) continue;
      if (v.t === VT.BINXML) {
        if (hasText((v as Nested).nodes, EMPTY)) return true;
      } else if (!isEmptyLeaf(v as IrValue)) return true;
    }
  }
  return false;
}

type Nested = { readonly nodes: TNode[] };

function hasElementChild(nodes: readonly TNode[], V: Vals): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 'e') return true;
    if (n.k === 'i') {
      if (hasElementChild(n.nodes, n.values)) return true;
    } else if (n.k === 's') {
      const v = V[n.index];
      if (v !== undefined && v.t === VT.BINXML && hasElementChild((v as Nested).nodes, EMPTY)) return true;
    }
  }
  return false;
}

function text(nodes: readonly TNode[], V: Vals): string {
  let s = '';
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 'e') continue;
    if (n.k === 'i') s += text(n.nodes, n.values);
    else if (n.k === 'v') {
      if (n.leaf.t !== NK.PI) s += leafText(n.leaf);
    } else {
      const v = V[n.index];
      if (v === undefined || v.t === VT.NULL) continue;
      if (v.t === VT.BINXML) s += text((v as Nested).nodes, EMPTY);
      else s += leafText(v as IrValue);
    }
  }
  return s;
}

let cCount = 0;
let cSingle: IrValue | undefined;

/** contentValue's count of leaves (elements count as 2 unless skipped); false once the answer is "text". */
function scan(nodes: readonly TNode[], V: Vals, skip: boolean): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 'e') {
      if (skip) continue;
      cCount = 2;
      return false;
    }
    if (n.k === 'i') {
      if (!scan(n.nodes, n.values, skip)) return false;
      continue;
    }
    let l: IrValue;
    if (n.k === 'v') l = n.leaf;
    else {
      const v = V[n.index];
      if (v === undefined || v.t === VT.NULL) continue;
      if (v.t === VT.BINXML) {
        if (!scan((v as Nested).nodes, EMPTY, skip)) return false;
        continue;
      }
      l = v as IrValue;
    }
    if (skip && isEmptyLeaf(l)) continue;
    cSingle = l;
    cCount++;
  }
  return true;
}

function contentValue(nodes: readonly TNode[], V: Vals, skipElements: boolean): Json {
  cCount = 0;
  cSingle = undefined;
  scan(nodes, V, skipElements);
  const single = cSingle as IrValue | undefined; // set by scan
  if (cCount === 1 && single !== undefined && isJsonNumeric(single.t)) return single.v;
  return text(nodes, V);
}

function attrsHaveText(el: TElement, V: Vals): boolean {
  for (let i = 0; i < el.attrs.length; i++) if (hasText(el.attrs[i]!.value, V)) return true;
  return false;
}

/** An attribute survives instantiation only when its value yields at least one node. */
function yieldsAny(nodes: readonly TNode[], V: Vals): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 'e' || n.k === 'v') return true;
    if (n.k === 'i') {
      if (yieldsAny(n.nodes, n.values)) return true;
      continue;
    }
    const v = V[n.index];
    if (v === undefined || v.t === VT.NULL) continue;
    if (v.t !== VT.BINXML || yieldsAny((v as Nested).nodes, EMPTY)) return true;
  }
  return false;
}

function nameAttr(el: TElement, V: Vals): readonly TNode[] | undefined {
  for (let i = 0; i < el.attrs.length; i++) {
    const a = el.attrs[i]!;
    if (a.name === 'Name' && yieldsAny(a.value, V)) return a.value;
  }
  return undefined;
}

/** The child elements as instantiation orders them, each with the values it is filled from. */
function elements(nodes: readonly TNode[], V: Vals, els: TElement[], vs: Vals[]): void {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.k === 'e') {
      els.push(n);
      vs.push(V);
    } else if (n.k === 'i') elements(n.nodes, n.values, els, vs);
    else if (n.k === 's') {
      const v = V[n.index];
      if (v !== undefined && v.t === VT.BINXML) elements((v as Nested).nodes, EMPTY, els, vs);
    }
  }
}

function elementValue(el: TElement, V: Vals, container: boolean): Json {
  const kids = el.children;
  if (el.attrs.length === 0 && kids.length <= 1) {
    if (kids.length === 0) return null;
    const l = plainLeaf(kids[0]!, V);
    if (l === null) return null;
    if (l !== undefined) {
      if (isEmptyLeaf(l)) return null;
      return isJsonNumeric(l.t) ? l.v : leafText(l);
    }
  }
  if (!hasElementChild(kids, V) && !attrsHaveText(el, V)) return hasText(kids, V) ? contentValue(kids, V, false) : null;
  return body(el, V, container);
}

/** The leaf of a text or non-BinXml substitution node (null: yields nothing); undefined for other nodes. */
function plainLeaf(n: TNode, V: Vals): IrValue | null | undefined {
  if (n.k === 'v') return n.leaf;
  if (n.k !== 's') return undefined;
  const v = V[n.index];
  if (v === undefined || v.t === VT.NULL) return null;
  return v.t === VT.BINXML ? undefined : (v as IrValue);
}

function dataValue(el: TElement, V: Vals): Json {
  const kids = el.children;
  if (kids.length === 1) {
    const l = plainLeaf(kids[0]!, V);
    if (l === null) return '';
    if (l !== undefined) return isEmptyLeaf(l) ? '' : isJsonNumeric(l.t) ? l.v : leafText(l);
  }
  if (hasElementChild(kids, V)) return body(el, V, false);
  return hasText(kids, V) ? contentValue(kids, V, false) : '';
}

/** Whether an element's children are all static (no substitution, no instance) with distinct element names. */
function uniqueNames(el: TElement): boolean {
  if (el.uniq < 0) {
    const seen = new Set<string>();
    let u = 1;
    for (const c of el.children) {
      if (c.k === 's' || c.k === 'i' || (c.k === 'e' && seen.has(c.name))) u = 0;
      if (c.k === 'e') seen.add(c.name);
    }
    el.uniq = u;
  }
  return el.uniq === 1;
}

function body(el: TElement, V: Vals, container: boolean): Obj {
  const ks: string[] = [];
  const xs: Json[] = [];
  let aks: string[] | undefined;
  let axs: Json[] | undefined;
  for (let i = 0; i < el.attrs.length; i++) {
    const a = el.attrs[i]!;
    const l = a.value.length === 1 ? plainLeaf(a.value[0]!, V) : undefined;
    let x: Json;
    if (l !== undefined) {
      // One plain leaf: contentValue's answer without its scans.
      if (l === null || isEmptyLeaf(l)) continue;
      x = isJsonNumeric(l.t) ? l.v : leafText(l);
    } else {
      if (!hasText(a.value, V)) continue;
      x = contentValue(a.value, V, false);
    }
    (aks ??= []).push(a.name);
    (axs ??= []).push(x);
  }
  if (aks) {
    ks.push('#attributes');
    xs.push(build(el, true, aks, axs!));
  }
  const kids = el.children;
  if (kids.length > 0) children(el, V, container, ks, xs);
  return build(el, false, ks, xs);
}

function children(el: TElement, V: Vals, container: boolean, ks: string[], xs: Json[]): void {
  const kids = el.children;
  if (hasText(kids, V)) {
    ks.push('#text');
    xs.push(contentValue(kids, V, true));
  }
  const els: TElement[] = [];
  const vs: Vals[] = [];
  elements(kids, V, els, vs);
  let flatten = false;
  let dataCount = 0;
  if (container) {
    for (let i = 0; i < els.length; i++) {
      const c = els[i]!;
      if (c.name !== 'Data') continue;
      dataCount++;
      const nm = nameAttr(c, vs[i]!);
      if (nm && hasText(nm, vs[i]!)) flatten = true;
    }
  }
  const unique = uniqueNames(el);
  let positionalDone = false;
  let counts: Map<string, number> | undefined;
  for (let i = 0; i < els.length; i++) {
    const c = els[i]!;
    const cv = vs[i]!;
    if (container && c.name === 'Data') {
      if (flatten) {
        const nm = nameAttr(c, cv);
        if (nm && hasText(nm, cv)) {
          ks.push(text(nm, cv));
          xs.push(dataValue(c, cv));
        }
      } else if (!positionalDone) {
        positionalDone = true;
        const items: Json[] = [];
        for (let j = 0; j < els.length; j++) if (els[j]!.name === 'Data') items.push(dataValue(els[j]!, vs[j]!));
        ks.push('Data');
        xs.push({ '#text': dataCount === 1 ? items[0] : items });
      }
      continue;
    }
    let seen = 0;
    if (unique) {
      // static children with distinct names: every name is seen for the first time
    } else if (els.length <= 32) {
      for (let j = 0; j < i; j++) if (els[j]!.name === c.name) seen++; // container Data never gets here
    } else {
      counts ??= new Map();
      seen = counts.get(c.name) ?? 0;
      counts.set(c.name, seen + 1);
    }
    ks.push(seen === 0 ? c.name : c.name + '_' + seen);
    xs.push(elementValue(c, cv, c.name === 'EventData' || c.name === 'UserData'));
  }
}

// ---- objects built by a literal per key list (one V8 shape per list, no keyed stores) ----

interface Shape {
  readonly keys: string[];
  readonly make: ((xs: Json[]) => Obj) | undefined;
}

const shapes = new Map<string, Shape>();

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeOf(keys: string[]): Shape {
  const sig = keys.join('\u0000');
  let s = shapes.get(sig);
  if (s === undefined || !sameKeys(s.keys, keys)) {
    // (a key holding U+0000 can make two lists share a signature: such a list gets its own, uncached shape)
    let make: Shape['make'];
    // `__proto__` in a literal would set the prototype; long lists, and any once the cache is full, stay with
    // plain stores (a file of ever-new key lists must not compile a function per record).
    const fresh = s === undefined && shapes.size < 20_000;
    if (fresh && keys.length <= 64 && !keys.includes('__proto__')) {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- keys are JSON-quoted: data, never code
      make = new Function('x', 'return {' + keys.map((k, i) => JSON.stringify(k) + ':x[' + i + ']').join(',') + '};') as Shape['make'];
    }
    s = { keys, make };
    if (fresh) shapes.set(sig, s);
  }
  return s;
}

/** The object with `keys` (in order, later duplicates overriding) and values `xs`. */
function build(el: TElement, forAttrs: boolean, keys: string[], xs: Json[]): Obj {
  let s = (forAttrs ? el.attrShape : el.shape) as Shape | undefined;
  if (s === undefined || !sameKeys(s.keys, keys)) {
    s = shapeOf(keys);
    if (forAttrs) el.attrShape = s;
    else el.shape = s;
  }
  if (s.make !== undefined) return s.make(xs);
  const o: Obj = {};
  for (let i = 0; i < keys.length; i++) put(o, keys[i]!, xs[i]);
  return o;
}

/** `{ Event: {...} }` of a flat record; equals toEvtxJson of its instantiated tree. */
export function flatJson(r: FlatRecord): Obj {
  const o: Obj = {};
  put(o, r.el.name, elementValue(r.el, r.values, false));
  return o;
}
