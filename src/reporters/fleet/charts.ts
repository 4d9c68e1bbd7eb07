// The fleet's campaign charts as inline SVG (no script): stacked bars per day on one continuous day axis, e.g.
// servers with their first malicious activity per day, or exploitation findings per day by CVE family.
import { html, type Html } from '../html/index.js';

const W = 960;
const DAY = 86400e3;
/** More days than this are drawn per week, so a long campaign still fits the width. */
const MAX_BARS = 180;

export interface DaySeries {
  /** Series names, in stacking order (bottom first). */
  names: string[];
  /** 'YYYY-MM-DD' → one count per series. */
  days: Map<string, number[]>;
}

const dayMs = (d: string): number => Date.parse(`${d}T00:00:00Z`);
const iso = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** Stacked bars, one per day (or week) from the first day to the last, with a legend when there are several series. */
export function dayChart(s: DaySeries, caption: string, unit: string, legend = s.names.length > 1): Html {
  const keys = [...s.days.keys()].filter((d) => Number.isFinite(dayMs(d))).sort();
  if (keys.length === 0) return html`<p class="muted">Nothing to chart.</p>`;
  const lo = dayMs(keys[0]!);
  const hi = dayMs(keys[keys.length - 1]!);
  const step = (hi - lo) / DAY + 1 > MAX_BARS ? 7 * DAY : DAY;
  const n = Math.floor((hi - lo) / step) + 1;
  const sums = Array.from({ length: n }, () => new Array<number>(s.names.length).fill(0));
  for (const [d, counts] of s.days) {
    const t = dayMs(d);
    if (!Number.isFinite(t)) continue;
    const b = sums[Math.floor((t - lo) / step)]!;
    counts.forEach((c, i) => (b[i]! += c));
  }
  const max = Math.max(1, ...sums.map((b) => b.reduce((x, y) => x + y, 0)));
  const H = 150;
  const top = 10;
  const left = 44;
  const plotW = W - left - 10;
  // a few days do not make slabs: bars stay at most 40 units wide, the axis as long as they need
  const bw = Math.min(plotW / n, 40);
  const bars: Html[] = [];
  sums.forEach((b, i) => {
    let y = top + H;
    b.forEach((c, k) => {
      if (!c) return;
      const h = (c / max) * H;
      y -= h;
      const when = step === DAY ? iso(lo + i * step) : `week of ${iso(lo + i * step)}`;
      bars.push(html`<rect class="s${k % 6}" x="${(left + i * bw + 0.5).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(bw - 1, 1).toFixed(1)}" height="${Math.max(h, 1).toFixed(1)}"><title>${when}: ${c} ${unit}${s.names.length > 1 ? ` — ${s.names[k]!}` : ''}</title></rect>`);
    });
  });
  // at most ~8 date labels, on bar boundaries
  // month-day labels within a year (the caption names the year), one every so many bars that they never touch
  const short = hi - lo < 360 * DAY;
  const label = (t: number): string => (short ? iso(t).slice(5) : iso(t));
  const every = Math.max(1, Math.ceil(n / 12), Math.ceil((short ? 44 : 72) / bw));
  const ticks: Html[] = [];
  for (let i = 0; i < n; i += every) {
    const x = left + i * bw + bw / 2;
    ticks.push(html`<text class="tick" x="${x.toFixed(1)}" y="${top + H + 14}" text-anchor="middle">${label(lo + i * step)}</text>`);
  }
  const legendKeys = legend ? s.names.map((name, k) => html`<span class="key"><i class="s${k % 6}"></i>${name}</span>`) : [];
  return html`<figure class="chart"><svg viewBox="0 0 ${W} ${top + H + 22}" role="img" aria-label="${caption}">
<text class="tick" x="${left - 6}" y="${top + 8}" text-anchor="end">${max}</text><text class="tick" x="${left - 6}" y="${top + H}" text-anchor="end">0</text>
<line class="axis" x1="${left}" x2="${(left + n * bw).toFixed(1)}" y1="${top + H}" y2="${top + H}"/>${ticks}${bars}</svg>
<figcaption>${caption} (${step === DAY ? 'per day' : 'per week'}, UTC, ${short ? `${iso(lo).slice(0, 4)}${iso(hi).slice(0, 4) !== iso(lo).slice(0, 4) ? `–${iso(hi).slice(0, 4)}` : ''}` : `${iso(lo)} to ${iso(hi)}`}). ${legendKeys}</figcaption></figure>`;
}
