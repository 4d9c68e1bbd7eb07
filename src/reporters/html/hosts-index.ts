// The index page of a scan of several collections: one row per collection (host), its verdict and findings,
// and a link to its own report; same safety as the report (escaped text, the report's CSP and style).
import { pageShell } from './page.js';
import { html } from './escape.js';

export interface HostRow {
  /** The collection's name (its host where the collection names it) = its output folder. */
  name: string;
  inputs: string[];
  verdictKind: string;
  headline: string;
  findings: number;
  /** false when the collection could not be scanned (nothing readable). */
  scanned: boolean;
  /** The host the collection was taken from and the source that named it (host.ts), null when none did. */
  host?: { name: string; source: string } | null;
}

export function hostsIndexHtml(rows: readonly HostRow[]): string {
  return pageShell(
    `exhunt — ${rows.length} collections`,
    html`<section id="hosts"><h2>Collections scanned, one verdict each</h2>
<table><thead><tr><th>collection</th><th>host (named by)</th><th>verdict</th><th class="num">findings</th><th>evidence</th></tr></thead><tbody>
${rows.map(
  (r) => html`<tr class="verdict-${r.verdictKind}"><td>${r.scanned ? html`<a href="${encodeURIComponent(r.name)}/report.html">${r.name}</a>` : r.name}</td><td>${r.host ? html`${r.host.name} <span class="muted small">(${r.host.source})</span>` : html`<span class="muted">unknown</span>`}</td><td>${r.headline}</td><td class="num">${r.findings}</td><td>${r.inputs.map((i) => html`<code>${i}</code> `)}</td></tr>`,
)}
</tbody></table>
<p class="muted small">Each collection was scanned on its own: its findings, story, exposure and "what was taken" are in its folder.</p>
</section>`,
  );
}
