// Resolved record tree → indented XML text like Event Viewer's "XML view" (what `evtx dump --format xml`
// prints). Values use the same text forms as the JSON; text and attributes are XML-escaped.

import { NK, isElement, type IrElement, type IrNode } from './ir.js';
import { isEmptyLeaf, leafText } from './values.js';

function esc(s: string, attr: boolean): string {
  let out = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (attr) out = out.replace(/"/g, '&quot;').replace(/'/g, '&apos;');
  return out;
}

function leafXml(nodes: IrNode[], attr: boolean): string {
  let s = '';
  for (const n of nodes) {
    if (isElement(n)) continue;
    if (n.t === NK.ENTITY || n.t === NK.CHARREF) s += leafText(n);
    else if (n.t === NK.CDATA) s += attr ? esc(String(n.v), true) : `<![CDATA[${String(n.v)}]]>`;
    else if (n.t === NK.PI) s += attr ? '' : `<?${String(n.v)}?>`;
    else s += esc(leafText(n), attr);
  }
  return s;
}

function render(el: IrElement, indent: string, out: string[]): void {
  let open = `${indent}<${el.name}`;
  for (const a of el.attrs) {
    if (a.value.every((n) => !isElement(n) && isEmptyLeaf(n))) continue;
    open += ` ${a.name}="${leafXml(a.value, true)}"`;
  }
  const kids = el.children.filter((n) => isElement(n) || !isEmptyLeaf(n) || n.t === NK.PI);
  if (kids.length === 0) {
    out.push(open + '/>');
    return;
  }
  if (!kids.some(isElement)) {
    out.push(`${open}>${leafXml(kids, false)}</${el.name}>`);
    return;
  }
  out.push(open + '>');
  for (const k of kids) {
    if (isElement(k)) render(k, indent + '  ', out);
    else out.push(indent + '  ' + leafXml([k], false));
  }
  out.push(`${indent}</${el.name}>`);
}

/** One record as an XML document fragment (no XML declaration), lines joined with '\n'. */
export function toXml(root: IrElement): string {
  const out: string[] = [];
  render(root, '', out);
  return out.join('\n');
}
