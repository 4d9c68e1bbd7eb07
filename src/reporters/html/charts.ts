// Inline SVG charts (no script, no external resources): findings over time per evidence source, findings per
// attacker IP, and Gantt rows for builds, exposure windows, log coverage and episodes on one time axis.
import type { Level } from '../../finding.js';
import type { FindingsDigest } from '../digest.js';
import { levelRank } from '../../finding.js';
import { html, join, fmtTime, clip, type Html } from './escape.js';

const W = 960;

function niceTicks(from: number, to: number, n: number): number[] {
  const span = to - from;
  const steps = [3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 2 * 86400e3, 7 * 86400e3, 14 * 86400e3, 30 * 86400e3, 91 * 86400e3, 182 * 86400e3, 365 * 86400e3];
  const step = steps.find((s) => span / s <= n) ?? steps[steps.length - 1]!;
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}
const tickLabel = (t: number, span: number): string => {
  const iso = new Date(t).toISOString();
  return span <= 3 * 86400e3 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
};

const SOURCE_CLASSES = ['s0', 's1', 's2', 's3', 's4', 's5'];
const SOURCES = ['IIS web logs', 'Exchange logs', 'Event logs', 'Files on disk'] as const;
/** Evidence kind → the source family a reader would name ('exchange-httpproxy' → Exchange logs). */
function sourceOf(kind: string): (typeof SOURCES)[number] {
  if (kind.startsWith('iis-w3c') || kind === 'w3c') return 'IIS web logs';
  if (kind.startsWith('exchange')) return 'Exchange logs';
  if (kind === 'evtx' || kind === 'json') return 'Event logs';
  return 'Files on disk';
}

/** Stacked bars: findings per time bucket, one colour per evidence kind (web log, HttpProxy, event log, file...). */
export function activityChart(activity: FindingsDigest['activity']): Html {
  if (activity.lo > activity.hi) return html`<p class="muted">No timed findings to chart.</p>`;
  const lo = activity.lo;
  const hi = activity.hi;
  const span = Math.max(hi - lo, 3600e3);
  const bucket = span <= 3 * 86400e3 ? 3600e3 : span <= 120 * 86400e3 ? 86400e3 : 7 * 86400e3;
  const start = Math.floor(lo / bucket) * bucket;
  const n = Math.min(Math.floor((hi - start) / bucket) + 1, 400);
  const kinds = SOURCES.filter((src) => [...activity.byKind.keys()].some((k) => sourceOf(k) === src));
  const counts = kinds.map(() => new Array<number>(n).fill(0));
  // hours are whole buckets of every bucket size (buckets start at multiples of their size since the epoch)
  for (const [kind, hours] of activity.byKind) {
    const k = kinds.indexOf(sourceOf(kind));
    for (const [h, c] of hours) {
      const b = Math.min(Math.floor((h * 3600e3 - start) / bucket), n - 1);
      if (k >= 0) counts[k]![b]! += c;
    }
  }
  const totals = new Array<number>(n).fill(0).map((_, i) => counts.reduce((s, c) => s + c[i]!, 0));
  const max = Math.max(...totals, 1);
  const H = 170;
  const top = 10;
  const left = 44;
  const plotW = W - left - 10;
  const bw = plotW / n;
  const bars: Html[] = [];
  for (let i = 0; i < n; i++) {
    let y = top + H;
    for (let k = 0; k < kinds.length; k++) {
      const c = counts[k]![i]!;
      if (!c) continue;
      const h = (c / max) * H;
      y -= h;
      bars.push(html`<rect class="${SOURCE_CLASSES[k]!}" x="${(left + i * bw + 0.5).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(bw - 1, 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${fmtTime(new Date(start + i * bucket).toISOString())} UTC — ${kinds[k]!}: ${c}</title></rect>`);
    }
  }
  const ticks = niceTicks(start, start + n * bucket, 8).filter((t) => left + ((t - start) / (n * bucket)) * plotW < W - 40).map((t) => {
    const x = left + ((t - start) / (n * bucket)) * plotW;
    return html`<line class="grid" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${top}" y2="${top + H}"/><text class="tick" x="${x.toFixed(1)}" y="${top + H + 14}" text-anchor="middle">${tickLabel(t, span)}</text>`;
  });
  const unit = bucket === 3600e3 ? 'hour' : bucket === 86400e3 ? 'day' : 'week';
  const legend = kinds.map((k, i) => html`<span class="key"><i class="${SOURCE_CLASSES[i]!}"></i>${k}</span>`);
  return html`<figure class="chart"><svg viewBox="0 0 ${W} ${top + H + 22}" role="img" aria-label="Findings per ${unit} by evidence source">
<text class="tick" x="${left - 6}" y="${top + 8}" text-anchor="end">${max}</text><text class="tick" x="${left - 6}" y="${top + H}" text-anchor="end">0</text>
<line class="axis" x1="${left}" x2="${W - 10}" y1="${top + H}" y2="${top + H}"/>${ticks}${bars}</svg>
<figcaption>Findings per ${unit} (UTC), by evidence source. ${legend}</figcaption></figure>`;
}

export interface BarItem {
  label: string;
  value: number;
  level: Level;
  note: string;
}
/** Horizontal bars, e.g. findings per attacker IP, coloured by the highest level. */
export function barChart(items: readonly BarItem[], caption: string): Html {
  if (items.length === 0) return html``;
  const rowH = 22;
  const labelW = 170;
  const noteW = 300;
  const plotW = W - labelW - noteW - 56;
  const max = Math.max(...items.map((i) => i.value), 1);
  const rows = items.map((it, r) => {
    const y = r * rowH;
    const w = Math.max((it.value / max) * plotW, 2);
    return html`<text class="label" x="${labelW - 8}" y="${y + 15}" text-anchor="end">${clip(it.label, 26)}</text><rect class="lv-${it.level}" x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}"><title>${it.label}: ${it.value}</title></rect><text class="tick" x="${(labelW + w + 6).toFixed(1)}" y="${y + 15}">${it.value}</text><text class="tick" x="${W - noteW}" y="${y + 15}">${clip(it.note, 52)}</text>`;
  });
  return html`<figure class="chart"><svg viewBox="0 0 ${W} ${items.length * rowH + 4}" role="img" aria-label="${caption}">${rows}</svg><figcaption>${caption}</figcaption></figure>`;
}

export interface GanttRow {
  label: string;
  from: string | null;
  /** null = open to the end of the axis. */
  to: string | null;
  cls: string;
  note?: string;
}
export interface GanttMarker {
  at: string;
  cls: string;
  label: string;
}
/** Rows of time ranges on one axis, with optional point markers (e.g. first exploitation finding). */
export function ganttChart(rows: readonly GanttRow[], markers: readonly GanttMarker[], caption: string): Html {
  const points = [...rows.flatMap((r) => [r.from, r.to]), ...markers.map((m) => m.at)].filter((t): t is string => t !== null).map(Date.parse).filter((t) => !Number.isNaN(t));
  if (rows.length === 0 || points.length === 0) return html``;
  let lo = Math.min(...points);
  let hi = Math.max(...points);
  const pad = Math.max((hi - lo) * 0.03, 3600e3);
  lo -= pad;
  hi += pad;
  const rowH = 24;
  const labelW = 250;
  const left = labelW;
  const plotW = W - left - 10;
  const x = (t: number): number => left + ((t - lo) / (hi - lo)) * plotW;
  const H = rows.length * rowH;
  const body = rows.map((r, i) => {
    const y = i * rowH;
    const a = r.from ? x(Date.parse(r.from)) : left;
    const b = r.to ? x(Date.parse(r.to)) : left + plotW;
    const w = Math.max(b - a, 3);
    return html`<text class="label" x="${labelW - 8}" y="${y + 16}" text-anchor="end">${clip(r.label, 38)}</text><rect class="${r.cls}" x="${a.toFixed(1)}" y="${y + 5}" width="${w.toFixed(1)}" height="${rowH - 10}" rx="2"><title>${r.label}: ${fmtTime(r.from)} → ${r.to ? fmtTime(r.to) : 'end of evidence'}${r.note ? ` — ${r.note}` : ''}</title></rect>`;
  });
  const span = hi - lo;
  const ticks = niceTicks(lo, hi, 8).filter((t) => x(t) < W - 36).map((t) => html`<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="0" y2="${H}"/><text class="tick" x="${x(t).toFixed(1)}" y="${H + 14}" text-anchor="middle">${tickLabel(t, span)}</text>`);
  const marks = markers.map((m) => {
    const mx = x(Date.parse(m.at)).toFixed(1);
    return html`<line class="${m.cls}" x1="${mx}" x2="${mx}" y1="0" y2="${H}"><title>${m.label} — ${fmtTime(m.at)} UTC</title></line>`;
  });
  return html`<figure class="chart"><svg viewBox="0 0 ${W} ${H + 22}" role="img" aria-label="${caption}">${ticks}${body}${marks}</svg><figcaption>${caption}</figcaption></figure>`;
}

export function levelSort<T extends { level: Level }>(xs: T[]): T[] {
  return xs.sort((a, b) => levelRank(b.level) - levelRank(a.level));
}
export { join };
