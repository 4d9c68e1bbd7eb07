// The ATT&CK sections: a matrix heat map of the techniques seen (all 15 v19 tactics as columns, cells
// coloured by the highest finding level) and the overlap with HAFNIUM, APT40, APT31 and AA21-200B.
import type { ReportModel, TechniqueHit } from '../model.js';
import { html, fmtNum, type Html } from './escape.js';
import { cmpStr } from '../../engines/activity/index.js';

export function matrixSection(m: ReportModel): Html {
  const { catalog } = m;
  const cols = catalog.tactics.map((t) => {
    const hits = m.techniques.filter((h) => h.tactics.includes(t.shortname)).sort((a, b) => cmpStr(a.id, b.id));
    const cells = hits.map(
      (h: TechniqueHit) => html`<div class="cell lv-${h.level}" title="${h.id} ${h.name}: ${h.count} finding(s), highest ${h.level}; ${h.rules.map((r) => r.title).join('; ')}"><span class="tid">${h.id}<b class="tcount">${fmtNum(h.count)}</b></span><span class="tname">${h.name}</span></div>`,
    );
    return html`<div class="col${hits.length ? '' : ' empty'}"><div class="colhead">${t.name}<span>${hits.length || '—'}</span></div>${cells}</div>`;
  });
  return html`<section id="attack"><h2>ATT&amp;CK matrix</h2>
<p class="lead">Techniques seen, under each tactic they belong to in ATT&amp;CK v${catalog.version}; colour is the highest finding level, the number the count of findings. The same data is in <code>attack-layer.json</code> for the ATT&amp;CK Navigator.</p>
<div class="matrix">${cols}</div>
${m.unknownTechniques.length ? html`<p class="warn">Technique IDs in findings that ATT&amp;CK v${catalog.version} does not know (not in the matrix or the layer): ${m.unknownTechniques.join(', ')}</p>` : ''}
<div class="legend"><span class="chip lv-critical">critical</span><span class="chip lv-high">high</span><span class="chip lv-medium">medium</span><span class="chip lv-low">low</span><span class="chip lv-informational">informational</span></div>
</section>`;
}

export function overlapSection(m: ReportModel): Html {
  const o = m.overlap;
  const rows = o.entries.map(
    (e) => html`<tr><td><b>${e.kind === 'group' ? `${e.name} (${e.id})` : e.id}</b>${e.kind === 'group' && e.aliases.length ? html`<br><span class="muted small">${e.aliases.slice(0, 5).join(', ')}</span>` : e.kind === 'advisory' ? html`<br><span class="muted small">${e.name}</span>` : ''}</td>
<td class="num">${e.shared.length} / ${o.seen.length}</td><td class="num">${e.profileSize}</td><td>${e.shared.length ? e.shared.map((t) => html`<code title="${m.catalog.technique(t)?.name ?? ''}">${t}</code> `) : html`<span class="muted">none</span>`}</td></tr>`,
  );
  return html`<section id="actors"><h2>Actor overlap</h2>
<p class="caveat"><b>Overlap is not attribution.</b> ${o.caveat}</p>
<table><thead><tr><th>ATT&amp;CK profile</th><th class="num">Seen techniques shared</th><th class="num">Profile size</th><th>Shared techniques</th></tr></thead><tbody>${rows}</tbody></table>
<p class="muted small">Profiles: ATT&amp;CK v18.1 group→technique links (Leviathan including its attributed campaign C0049) mapped to v${m.catalog.version}; AA21-200B: the 68 techniques of the NSA/CISA/FBI advisory's Navigator layer. A sub-technique seen counts when the profile lists its parent.</p>
</section>`;
}
