// Resolved record tree → the nested evtx_dump JSON shape (research §5.6), following evtx-rs's rules:
// `#attributes`, `#text`, Name-keyed Data flattening in EventData/UserData, `_N` suffixes, ints as numbers.

import { NK, isElement, type IrElement, type IrNode, type IrValue } from './ir.js';
import { isEmptyLeaf, isJsonNumeric, leafText } from './values.js';

type Json = unknown;
type Obj = Record<string, Json>;

/** `{ Event: {...} }` for a record whose root element is `root`. */
export function toEvtxJson(root: IrElement): Obj {
  const o: Obj = {};
  put(o, root.name, elementValue(root, false));
  return o;
}

/** Assign without ever touching the prototype (an element may be called `__proto__`). */
function put(o: Obj, k: string, v: Json): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

export function hasText(nodes: IrNode[]): boolean {
  for (const n of nodes) if (!isElement(n) && !isEmptyLeaf(n)) return true;
  return false;
}

export function hasElementChild(nodes: IrNode[]): boolean {
  for (const n of nodes) if (isElement(n)) return true;
  return false;
}

export function text(nodes: IrNode[]): string {
  let s = '';
  for (const n of nodes) if (!isElement(n) && n.t !== NK.PI) s += leafText(n);
  return s;
}

/** A single int/bool value becomes a JSON number/boolean; anything else is the concatenated text. */
export function contentValue(nodes: IrNode[], skipElements: boolean): Json {
  let single: IrValue | undefined;
  let count = 0;
  for (const n of nodes) {
    if (isElement(n)) {
      if (skipElements) continue;
      count = 2;
      break;
    }
    if (skipElements && isEmptyLeaf(n)) continue;
    single = n;
    count++;
  }
  if (count === 1 && single && isJsonNumeric(single.t)) return single.v;
  return text(nodes);
}

export function attrsHaveText(el: IrElement): boolean {
  for (const a of el.attrs) if (hasText(a.value)) return true;
  return false;
}

function elementValue(el: IrElement, container: boolean): Json {
  // Fast path for the common `<Task>12</Task>` / `<Correlation/>` shapes.
  if (el.attrs.length === 0) {
    const kids = el.children;
    if (kids.length === 0) return null;
    if (kids.length === 1) {
      const only = kids[0]!;
      if (!isElement(only)) {
        if (isEmptyLeaf(only)) return null;
        return isJsonNumeric(only.t) ? only.v : only.t === NK.PI ? '' : leafText(only);
      }
    }
  }
  const hasEl = hasElementChild(el.children);
  const attrText = attrsHaveText(el);
  if (!hasEl && !attrText) return hasText(el.children) ? contentValue(el.children, false) : null;
  return body(el, container);
}

function dataValue(el: IrElement): Json {
  const kids = el.children;
  if (kids.length === 1 && !isElement(kids[0]!)) {
    const only = kids[0];
    if (isEmptyLeaf(only)) return '';
    return isJsonNumeric(only.t) ? only.v : only.t === NK.PI ? '' : leafText(only);
  }
  const hasEl = hasElementChild(el.children);
  if (hasEl) return body(el, false);
  return hasText(el.children) ? contentValue(el.children, false) : '';
}

export function nameAttr(el: IrElement): IrNode[] | undefined {
  for (const a of el.attrs) if (a.name === 'Name') return a.value;
  return undefined;
}

function body(el: IrElement, container: boolean): Obj {
  const o: Obj = {};
  let attrs: Obj | undefined;
  for (const a of el.attrs) {
    if (!hasText(a.value)) continue;
    attrs ??= {};
    put(attrs, a.name, contentValue(a.value, false));
  }
  if (attrs) o['#attributes'] = attrs;
  if (hasText(el.children)) o['#text'] = contentValue(el.children, true);

  let flatten = false;
  let dataCount = 0;
  if (container) {
    for (const c of el.children) {
      if (!isElement(c) || c.name !== 'Data') continue;
      dataCount++;
      const nm = nameAttr(c);
      if (nm && hasText(nm)) flatten = true;
    }
  }
  let positionalDone = false;
  let counts: Map<string, number> | undefined;
  for (const c of el.children) {
    if (!isElement(c)) continue;
    if (container && c.name === 'Data') {
      if (flatten) {
        const nm = nameAttr(c);
        if (nm && hasText(nm)) put(o, text(nm), dataValue(c));
      } else if (!positionalDone) {
        positionalDone = true;
        const items: Json[] = [];
        for (const d of el.children) if (isElement(d) && d.name === 'Data') items.push(dataValue(d));
        o['Data'] = { '#text': dataCount === 1 ? items[0] : items };
      }
      continue;
    }
    counts ??= new Map();
    const seen = counts.get(c.name) ?? 0;
    counts.set(c.name, seen + 1);
    put(o, seen === 0 ? c.name : `${c.name}_${seen}`, elementValue(c, c.name === 'EventData' || c.name === 'UserData'));
  }
  return o;
}
