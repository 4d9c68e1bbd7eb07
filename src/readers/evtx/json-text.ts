// The same evtx_dump JSON as json.ts, written straight to text from a resolved tree (no intermediate objects).
// Workers now send JSON.stringify of the direct JSON (measured faster); json-text.test.ts keeps this one equal.

import { NK, isElement, type IrElement } from './ir.js';
import { attrsHaveText, contentValue, hasElementChild, hasText, nameAttr, text } from './json.js';
import { isEmptyLeaf, isJsonNumeric, leafText } from './values.js';

const q = JSON.stringify;

/** `{"Event":{...}}` for a record whose root element is `root`. */
export function toEvtxJsonText(root: IrElement): string {
  return '{' + q(root.name) + ':' + elementValue(root, false) + '}';
}

function elementValue(el: IrElement, container: boolean): string {
  if (el.attrs.length === 0) {
    const kids = el.children;
    if (kids.length === 0) return 'null';
    if (kids.length === 1) {
      const only = kids[0]!;
      if (!isElement(only)) {
        if (isEmptyLeaf(only)) return 'null';
        return isJsonNumeric(only.t) ? String(only.v) : only.t === NK.PI ? '""' : q(leafText(only));
      }
    }
  }
  const hasEl = hasElementChild(el.children);
  const attrText = attrsHaveText(el);
  if (!hasEl && !attrText) return hasText(el.children) ? q(contentValue(el.children, false)) : 'null';
  return body(el, container);
}

function dataValue(el: IrElement): string {
  const kids = el.children;
  if (kids.length === 1 && !isElement(kids[0]!)) {
    const only = kids[0];
    if (isEmptyLeaf(only)) return '""';
    return isJsonNumeric(only.t) ? String(only.v) : only.t === NK.PI ? '""' : q(leafText(only));
  }
  if (hasElementChild(el.children)) return body(el, false);
  return hasText(el.children) ? q(contentValue(el.children, false)) : '""';
}

function body(el: IrElement, container: boolean): string {
  const parts: string[] = [];
  let attrs: string[] | undefined;
  for (const a of el.attrs) {
    if (!hasText(a.value)) continue;
    (attrs ??= []).push(q(a.name) + ':' + q(contentValue(a.value, false)));
  }
  if (attrs) parts.push('"#attributes":{' + attrs.join(',') + '}');
  if (hasText(el.children)) parts.push('"#text":' + q(contentValue(el.children, true)));

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
        if (nm && hasText(nm)) parts.push(q(text(nm)) + ':' + dataValue(c));
      } else if (!positionalDone) {
        positionalDone = true;
        const items: string[] = [];
        for (const d of el.children) if (isElement(d) && d.name === 'Data') items.push(dataValue(d));
        parts.push('"Data":{"#text":' + (dataCount === 1 ? items[0]! : '[' + items.join(',') + ']') + '}');
      }
      continue;
    }
    counts ??= new Map();
    const seen = counts.get(c.name) ?? 0;
    counts.set(c.name, seen + 1);
    parts.push(q(seen === 0 ? c.name : `${c.name}_${seen}`) + ':' + elementValue(c, c.name === 'EventData' || c.name === 'UserData'));
  }
  return '{' + parts.join(',') + '}';
}
