// Which records take the direct JSON path (direct-json.ts): one instance of an instance-free template, BinXml
// values expanded in place, bounded size; plus the name interning the chunk parser applies to names and text.

import type { FlatRecord } from './direct-json.js';
import { VT, type RawValue, type TNode } from './ir.js';

/** Elements one record may expand to (crafted input must not blow the heap; research §5.7). */
export const MAX_NODES = 200_000;

/**
 * The engine's internalized copy of a name (once per name per chunk): names become object keys in every record's
 * JSON, and a keyed store with an internalized key skips the string-table lookup.
 */
export function intern(s: string): string {
  let k = interned.get(s);
  if (k === undefined) {
    k = Object.keys({ [s]: 0 })[0] ?? s;
    if (interned.size < 100_000) interned.set(k, k);
  }
  return k;
}
const interned = new Map<string, string>();

interface TemplateInfo {
  /** No node at any depth is a template instance. */
  readonly free: boolean;
  /** Elements in the body. */
  readonly elements: number;
  /** How many times each substitution index is referenced. */
  readonly refs: Map<number, number>;
}

const infos = new WeakMap<TNode[], TemplateInfo>();

function templateInfo(nodes: TNode[]): TemplateInfo {
  let r = infos.get(nodes);
  if (r === undefined) {
    const refs = new Map<number, number>();
    let elements = 0;
    let free = true;
    const walk = (ns: TNode[]): void => {
      for (const n of ns) {
        if (n.k === 'i') free = false;
        else if (n.k === 's') refs.set(n.index, (refs.get(n.index) ?? 0) + 1);
        else if (n.k === 'e') {
          elements++;
          for (const a of n.attrs) walk(a.value);
          walk(n.children);
        }
      }
    };
    walk(nodes);
    r = { free, elements, refs };
    infos.set(nodes, r);
  }
  return r;
}

/** Elements an instance expands to (BinXml values included), or -1 when it is not flat or too big. */
function instanceSize(inst: { nodes: TNode[]; values: RawValue[] }, depth: number): number {
  const info = templateInfo(inst.nodes);
  if (!info.free || depth > 16) return -1;
  let total = info.elements;
  for (let i = 0; i < inst.values.length; i++) {
    const v = inst.values[i]!;
    if (v.t !== VT.BINXML) continue;
    const refs = info.refs.get(i);
    if (refs === undefined) continue;
    let sub = 0;
    for (const n of (v as { nodes: TNode[] }).nodes) {
      if (n.k === 'e' || n.k === 's') return -1;
      if (n.k === 'i') {
        const c = instanceSize(n, depth + 1);
        if (c < 0) return -1;
        sub += c;
      }
    }
    total += refs * sub;
    if (total > MAX_NODES) return -1;
  }
  return total;
}

/**
 * The record as a FlatRecord (direct-json.ts) when it is one instance of a flat template, small enough; `locTable`:
 * the parser's location table when it kept them.
 */
export function flatOf(nodes: TNode[], locTable?: Float64Array): FlatRecord | undefined {
  const inst = nodes.length === 1 ? nodes[0]! : undefined;
  if (inst?.k !== 'i' || instanceSize(inst, 0) < 0) return undefined;
  for (const n of inst.nodes) {
    if (n.k === 'e') return { el: n, values: inst.values, locs: inst.locs, lb: locTable };
    if (n.k === 's' && inst.values[n.index]?.t === VT.BINXML) return undefined;
  }
  return undefined;
}
