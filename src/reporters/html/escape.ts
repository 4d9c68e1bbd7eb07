// Safe HTML building: the `html` tagged template escapes every interpolated value unless it is already
// Html (built by this module), so evidence text can only ever become text, never markup or script.
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}
type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
/** Escapes text for element content and quoted attribute values; control characters become visible. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
function render(p: Part): string {
  if (p === null || p === undefined || p === false) return '';
  if (p instanceof Html) return p.value;
  if (Array.isArray(p)) return (p as readonly Part[]).map(render).join('');
  return escapeHtml(String(p));
}
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}
/** Markup written by exhunt itself (never evidence). */
export function raw(s: string): Html {
  return new Html(s);
}
export function join(parts: readonly Part[], sep = ''): Html {
  return new Html(parts.map(render).join(sep));
}
/** '2021-03-03T01:05:00.000Z' → '2021-03-03 01:05:00' (UTC is stated once per page). */
export function fmtTime(t: string | null | undefined): string {
  if (!t) return '—';
  return t.replace('T', ' ').replace(/(\.\d+)?Z$/, '').slice(0, 19);
}
export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
export function fmtNum(n: number): string {
  return n.toLocaleString('en-US');
}
export function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
