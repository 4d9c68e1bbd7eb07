// Instantiation of a record's template instance: template nodes + substitution values → the resolved IrElement tree
// that the JSON and XML renderers walk (an array of several items repeats its element), bounded for crafted input.

import { VT, isElement, type IrAttr, type IrElement, type IrNode, type IrValue, type RawValue, type TElement, type TNode } from './ir.js';
import { MAX_NODES } from './flat.js';

// Crafted input must not blow the stack or the heap (evtx-rs 0.12.2 caps nesting the same way, research §5.7).
const MAX_INSTANCE_DEPTH = 64;

/** Shared by every element without attributes (never mutated). */
const NO_ATTRS: IrAttr[] = [];

/** One record's instantiation; `arrays`: some value is an array of 2+ items; `fail` throws the parser's error. */
export class Instantiator {
  private budget = 0;

  constructor(
    private readonly arrays: boolean,
    private readonly fail: (msg: string) => never,
  ) {}

  /** The nodes resolved with `values` into `out`. */
  instantiate(nodes: TNode[], values: RawValue[], out: IrNode[], depth: number): void {
    if (depth > MAX_INSTANCE_DEPTH) this.fail('template instances nested too deeply');
    for (const n of nodes) {
      switch (n.k) {
        case 'v':
          out.push(n.leaf);
          break;
        case 's': {
          const v = values[n.index];
          if (v === undefined || v.t === VT.NULL) break;
          if (v.t === VT.BINXML) this.instantiate((v as { nodes: TNode[] }).nodes, [], out, depth + 1);
          else out.push(v as IrValue);
          break;
        }
        case 'i':
          this.instantiate(n.nodes, n.values, out, depth + 1);
          break;
        case 'e':
          this.element2(n, values, out, depth);
          break;
      }
    }
  }

  /** One element resolved into `out` (several, when an array value repeats it). */
  element2(n: TElement, values: RawValue[], out: IrNode[], depth: number): void {
    if (++this.budget > MAX_NODES) this.fail('record expands to too many elements');
    let attrs: IrAttr[] = NO_ATTRS;
    if (n.attrs.length > 0) {
      attrs = [];
      for (const a of n.attrs) {
        const value: IrNode[] = [];
        this.instantiate(a.value, values, value, depth);
        if (value.length > 0) attrs.push({ name: a.name, value });
      }
    }
    const children: IrNode[] = [];
    this.instantiate(n.children, values, children, depth);
    const el: IrElement = { t: 'e', name: n.name, attrs, children };
    if (this.arrays) this.expandArrays(el, out);
    else out.push(el);
  }

  /** An array value with more than one item repeats its element once per item (MS-EVEN6 §3.1.4.7.5). */
  private expandArrays(el: IrElement, out: IrNode[]): void {
    let where = -1;
    let attrAt = -1;
    for (let i = 0; i < el.children.length && where < 0; i++) if (isBigArray(el.children[i]!)) where = i;
    for (let a = 0; a < el.attrs.length && where < 0; a++) {
      const v = el.attrs[a]!.value;
      for (let i = 0; i < v.length && where < 0; i++) if (isBigArray(v[i]!)) { where = i; attrAt = a; }
    }
    if (where < 0) {
      out.push(el);
      return;
    }
    const arr = (attrAt < 0 ? el.children[where] : el.attrs[attrAt]!.value[where]) as IrValue;
    const base = arr.t & 0x7f;
    for (const item of arr.v as (string | number | boolean)[]) {
      if (++this.budget > MAX_NODES) this.fail('record expands to too many elements');
      const repl: IrNode[] = item === '' ? [] : [{ t: base, v: item }];
      let children = el.children;
      let attrs = el.attrs;
      if (attrAt < 0) children = [...children.slice(0, where), ...repl, ...children.slice(where + 1)];
      else {
        attrs = el.attrs.map((a, i) => (i === attrAt ? { name: a.name, value: [...a.value.slice(0, where), ...repl, ...a.value.slice(where + 1)] } : a));
        attrs = attrs.filter((a) => a.value.length > 0);
      }
      this.expandArrays({ t: 'e', name: el.name, attrs, children }, out);
    }
  }
}

function isBigArray(n: IrNode): boolean {
  return !isElement(n) && (n.t & 0x80) !== 0 && n.t > 0 && Array.isArray(n.v) && n.v.length > 1;
}
