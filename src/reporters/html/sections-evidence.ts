// Report sections about evidence: exposure and build timeline, activity charts, findings grouped by rule with
// their evidence lines, log coverage and blind spots, remediation, and how the scan was made.
import type { Finding } from '../../finding.js';
import { levelRank } from '../../finding.js';
import { formatLocation } from '../../diagnostics.js';
import type { ReportModel } from '../model.js';
import { detailsOf } from '../timeline-rows.js';
import { activityChart, barChart, ganttChart, type GanttMarker, type GanttRow } from './charts.js';
import { html, fmtTime, fmtBytes, fmtNum, clip, type Html } from './escape.js';
import { cite } from './sections-story.js';
import { cmpStr } from '../../engines/activity/index.js';

function exploitMarkers(m: ReportModel): GanttMarker[] {
  const out: GanttMarker[] = [];
  const first = m.digest.firstExploit;
  if (first) out.push({ at: first.time, cls: 'mark-exploit', label: `first exploitation finding: ${first.title}` });
  const post = m.digest.firstPost;
  if (post) out.push({ at: post.time, cls: 'mark-post', label: `first post-exploitation finding: ${post.title}` });
  return out;
}

type Window = NonNullable<ReportModel['summary']['exposure']>['windows'][number];

/** Windows that share name, dates and fix (ProxyLogon's four CVEs) as one row. */
function groupWindows(ws: readonly Window[]): { cves: string[]; w: Window }[] {
  const out = new Map<string, { cves: string[]; w: Window }>();
  for (const w of ws) {
    const key = `${w.name ?? w.cve}|${w.from}|${w.to}|${w.fixedIn}`;
    const g = out.get(key);
    if (g) g.cves.push(w.cve);
    else out.set(key, { cves: [w.cve], w });
  }
  return [...out.values()];
}

export function exposureSection(m: ReportModel): Html {
  const e = m.summary.exposure;
  if (!e) return html`<section id="exposure"><h2>Exposure and build timeline</h2><p class="muted">No build evidence was read (no Exchange log headers, ECP build stamps or ExSetup.exe).</p></section>`;
  const exploited = groupWindows(e.windows.filter((w) => w.exploitedInWild));
  const others = e.windows.filter((w) => !w.exploitedInWild);
  const rows: GanttRow[] = [
    ...e.builds.map((b) => ({ label: `build ${b.build}${b.cu ? ` ${b.cu}` : ''}${b.su ? ` ${b.su}` : ''}${b.guessed ? ' (nearest known)' : ''}`, from: b.first, to: b.last, cls: 'g-build', note: b.sources.join(', ') })),
    ...exploited.map(({ cves, w }) => ({ label: `${w.name ?? cves[0]!} exposed`, from: w.from, to: w.to, cls: 'g-window', note: `${cves.join(', ')}${w.fixedIn ? `; fixed in ${w.fixedIn}` : ''}` })),
  ];
  if (others.length) {
    const froms = others.map((w) => w.from).filter((t): t is string => t !== null).sort();
    const open = others.some((w) => w.to === null);
    const tos = others.map((w) => w.to).filter((t): t is string => t !== null).sort();
    rows.push({ label: `${others.length} other CVEs exposed`, from: froms[0] ?? null, to: open ? null : (tos.at(-1) ?? null), cls: 'g-window-soft', note: 'not known to be exploited in the wild' });
  }
  const windowRow = ({ cves, w }: { cves: string[]; w: Window }): Html =>
    html`<tr><td><b>${w.name ?? cves[0]!}</b><br><span class="small">${cves.join(', ')}</span></td><td>${w.exploitedInWild ? `yes, from ${w.exploitationStart ?? '?'}` : 'not known'}</td><td>${fmtTime(w.from)}</td><td>${w.to ? fmtTime(w.to) : html`<b class="bad">still open</b>`}</td><td>${w.fixedIn ?? '—'}</td></tr>`;
  const head = html`<thead><tr><th>Vulnerability</th><th>Exploited in the wild</th><th>Exposed from</th><th>Until</th><th>Fixed in</th></tr></thead>`;
  return html`<section id="exposure"><h2>Exposure and build timeline</h2>
${ganttChart(rows, exploitMarkers(m), 'Builds seen (blue) and the windows they left open (red: exploited in the wild; pale: other CVEs); vertical lines: first exploitation (orange, dashed) and first post-exploitation (dark red) finding.')}
${exploited.length ? html`<table>${head}<tbody>${exploited.map(windowRow)}</tbody></table>` : html`<p class="muted">No window for a vulnerability known to be exploited in the wild.</p>`}
${others.length ? html`<details><summary>${others.length} other CVEs the builds were vulnerable to (not known to be exploited in the wild)</summary><table>${head}<tbody>${groupWindows(others).map(windowRow)}</tbody></table></details>` : ''}
${e.mitigations.length ? html`<h3>Mitigations seen</h3><ul class="plain">${e.mitigations.map((x) => html`<li><b>${x.name}</b> ${fmtTime(x.first)} — ${x.detail} <code class="small">${x.path}</code></li>`)}</ul>` : ''}
${e.notes.length ? html`<ul class="plain muted small">${e.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
</section>`;
}

export function activitySection(m: ReportModel): Html {
  const ips = m.ips.slice(0, 15).map((s) => ({ label: s.ip, value: s.count, level: s.level, note: `${fmtTime(s.first)} → ${fmtTime(s.last)}` }));
  return html`<section id="activity"><h2>Activity</h2>
${activityChart(m.digest.activity)}
${ips.length ? barChart(ips, `Findings per source IP (top ${ips.length} of ${m.ips.length}), coloured by the highest level; first → last finding.`) : html`<p class="muted">No source IPs in the findings.</p>`}
</section>`;
}

export function findingsSection(m: ReportModel): Html {
  const d = m.digest;
  const sorted = [...d.rules.values()].sort((a, b) => levelRank(b.top) - levelRank(a.top) || b.count - a.count);
  const blocks = sorted.map(({ rule: r, engine, count, top, techniques, cves, rows: fs }, i) => {
    const techs = [...techniques];
    const rows = fs.map(
      (f) => html`<tr><td class="nowrap">${fmtTime(f.time)}</td><td>${f.host ?? '—'}</td><td><code class="small">${cite(f.evidence)}</code></td><td class="detail">${f.message ? html`<b>${clip(f.message, 200)}</b><br>` : ''}<code class="small">${clip(f.details, 500)}</code></td></tr>`,
    );
    return html`<details${levelRank(top) >= levelRank('high') && i < 6 ? html` open` : ''}><summary><span class="chip lv-${top}">${top}</span> <b>${r.title}</b> <span class="count">×${fmtNum(count)}</span> <span class="muted small">${engine}${techs.length ? ` · ${techs.join(', ')}` : ''}${cves.size ? ` · ${[...cves].join(', ')}` : ''}</span></summary>
<p class="rulemeta">Rule <code>${r.id}</code> by <b>${r.author ?? 'unknown author'}</b> · ${r.source}${r.references?.length ? html` · references: ${r.references.slice(0, 3).map((u) => html`<code class="small">${clip(u, 100)}</code> `)}` : ''}${r.falsepositives?.length ? html` · false positives: ${r.falsepositives.join('; ')}` : ''}</p>
<table class="ev"><thead><tr><th>Time</th><th>Host</th><th>Evidence</th><th>Details</th></tr></thead><tbody>${rows}</tbody></table>
${count > fs.length ? html`<p class="muted">${fmtNum(count - fs.length)} more in timeline.csv.</p>` : ''}</details>`;
  });
  return html`<section id="findings"><h2>Findings by rule</h2>
<p class="lead">${fmtNum(d.count)} findings from ${d.rules.size} rules. Sigma and YARA rule authors are credited as the Detection Rule License requires.</p>
${blocks.length ? blocks : html`<p class="muted">No findings at or above ${m.summary.options.minLevel}.</p>`}</section>`;
}

export function coverageSection(m: ReportModel): Html {
  const s = m.summary;
  const rows: GanttRow[] = s.coverage.map((c) => ({ label: c.kind, from: c.first, to: c.last ?? c.first, cls: 'g-cover', note: `${fmtNum(c.lines)} lines in ${c.files} files` }));
  // from the start of exploitation in the wild (not of the evidence): the part before the logs is the blind spot
  for (const { cves, w } of groupWindows((s.exposure?.windows ?? []).filter((w) => w.exploitedInWild && w.from))) {
    const start = w.exploitationStart && w.exploitationStart < w.from! ? w.exploitationStart : w.from;
    rows.push({ label: `${w.name ?? cves[0]!} attacked while exposed`, from: start, to: w.to, cls: 'g-window-soft', note: cves.join(', ') });
  }
  return html`<section id="coverage"><h2>Log coverage and blind spots</h2>
${ganttChart(rows, exploitMarkers(m), 'What each log kind covers, first to last record (green; gaps inside a span are not drawn), against the time each exploited vulnerability was attacked in the wild while this server was vulnerable (red). Red time left of the green bars was not logged.')}
<table><thead><tr><th>Log kind</th><th class="num">Files</th><th class="num">Lines / records</th><th class="num">Size</th><th>First</th><th>Last</th></tr></thead><tbody>${s.coverage.map(
    (c) => html`<tr><td><code>${c.kind}</code></td><td class="num">${fmtNum(c.files)}</td><td class="num">${fmtNum(c.lines)}</td><td class="num">${fmtBytes(c.bytes)}</td><td>${fmtTime(c.first)}</td><td>${fmtTime(c.last)}</td></tr>`,
  )}</tbody></table>
${clientsBlock(s)}
${s.coverageWarnings.length ? html`<h3>Blind spots</h3><ul class="plain warnlist">${s.coverageWarnings.map((w) => html`<li>${w}</li>`)}</ul>` : html`<p class="muted">No coverage warnings.</p>`}
</section>`;
}

/** Behind a balancer: which proxy, how it was known, where client addresses come from; forged headers seen. */
function clientsBlock(s: ReportModel['summary']): Html | string {
  const c = s.clients;
  if (!c || c.statements.length === 0) return '';
  return html`<h3>Client addresses</h3><ul class="plain">${c.statements.map((t) => html`<li>${t}</li>`)}</ul>${
    c.claims.length
      ? html`<table><thead><tr><th>Peer (c-ip)</th><th>Header</th><th>Claimed</th><th>Evidence</th></tr></thead><tbody>${c.claims.slice(0, 10).map(
          (x) => html`<tr><td><code>${x.peer ?? '—'}</code></td><td>${x.header}</td><td><code>${x.value}</code></td><td><code class="small">${x.evidence.path}${x.evidence.line !== undefined ? ':' + x.evidence.line : ''}</code></td></tr>`,
        )}</tbody></table>`
      : ''
  }`;
}

export function remediationSection(m: ReportModel): Html {
  return html`<section id="remediation"><h2>What to do now</h2><ol class="remed">${m.remediation.map(
    (r) => html`<li><h4>${r.title}</h4><p>${r.why}</p>${r.items.length ? html`<ul>${r.items.map((i) => html`<li><code>${i}</code></li>`)}</ul>` : ''}</li>`,
  )}</ol></section>`;
}

export function scanSection(m: ReportModel): Html {
  const s = m.summary;
  const d = s.diagnostics;
  const secs = (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000;
  return html`<section id="scan"><h2>How the scan was made</h2>
<dl class="facts">
<dt>Tool</dt><dd>exhunt ${s.tool.version}</dd>
<dt>Run</dt><dd>${fmtTime(s.startedAt)} → ${fmtTime(s.finishedAt)} UTC${Number.isFinite(secs) ? ` (${secs.toFixed(1)} s)` : ''}</dd>
<dt>Inputs</dt><dd>${s.inputs.map((i) => html`<code>${i}</code> `)}</dd>
<dt>Options</dt><dd>minimum level ${s.options.minLevel}; since ${s.options.since ?? '—'}; until ${s.options.until ?? '—'}</dd>
<dt>Evidence</dt><dd>${fmtNum(s.files.total)} files, ${fmtBytes(s.files.bytes)}: ${Object.entries(s.files.byKind).map(([k, v]) => `${k} ${v.files}`).join(', ')}; ${fmtNum(s.events.total)} events (${fmtNum(s.events.skipped)} outside the time window); ${s.files.skipped.length} files skipped</dd>
<dt>Rules</dt><dd>Sigma ${s.rules.sigma.loaded} loaded, ${s.rules.sigma.failed} failed, ${s.rules.sigma.inactive} inactive; YARA ${s.rules.yara ? (s.rules.yara.available ? `${s.rules.yara.loaded} rules` : 'unavailable') : 'not used'}; IOCs ${s.rules.iocs ? s.rules.iocs.loaded : 'not used'}</dd>
<dt>ATT&amp;CK</dt><dd>Enterprise v${m.catalog.version}. ${m.catalog.attribution} ${m.catalog.terms}</dd>
<dt>Diagnostics</dt><dd>${fmtNum(d.total)} (${Object.entries(d.byCode).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})</dd>
${hostFacts(s.hosts)}
${custodyFacts(s.custody)}
</dl>
${custodyDetails(s.custody)}
${s.files.skipped.length ? html`<details><summary>Skipped files (${s.files.skipped.length})</summary><ul class="plain small">${s.files.skipped.slice(0, 100).map((x) => html`<li><code>${x.path}</code> — ${x.reason}</li>`)}</ul></details>` : ''}
${d.items.length ? html`<details><summary>Diagnostics (first ${Math.min(d.items.length, 100)})</summary><ul class="plain small">${d.items.slice(0, 100).map((x) => html`<li><b>${x.severity}</b> [${x.code}] <code>${formatLocation(x.location)}</code> ${x.message}</li>`)}</ul></details>` : ''}
<p class="muted small">Exports beside this file: timeline.csv (spreadsheet-safe: cells starting with = + - @ or a tab are prefixed with '), timeline.jsonl (Timesketch, exact values), attack-layer.json (ATT&amp;CK Navigator 4.5), stix.json (STIX 2.1), findings.jsonl and summary.json.</p>
</section>`;
}

const HOST_SOURCE: Record<string, string> = {
  'velociraptor-client-info': "Velociraptor's client_info.json",
  'kape-folder': "KAPE's machine-name folder",
  'event-log-computer': "the event logs' Computer",
  'log-field': 'the server named in the logs',
  'collection-name': "the collection's file name",
};

/** Each collection's host and which source named it (the names other sources gave, for the reader to weigh). */
function hostFacts(hosts: ReportModel['summary']['hosts']): Html | string {
  if (!hosts || hosts.length === 0) return '';
  return html`<dt>Host${hosts.length > 1 ? 's' : ''}</dt><dd><ul class="plain">${hosts.map(
    (c) => html`<li>${c.host ? html`<b>${c.host.name}</b> from ${HOST_SOURCE[c.host.source] ?? c.host.source} (<code>${c.host.evidence}</code>)` : html`<b>unknown</b>: no source names the machine`} — <code>${c.collection}</code>, ${c.layout}, ${fmtNum(c.files)} files${c.host && c.host.others.length ? html`; also named: ${c.host.others.slice(0, 5).map((o) => `${o.name} (${HOST_SOURCE[o.source] ?? o.source}${o.count > 1 ? `, ${o.count}×` : ''})`).join(', ')}` : ''}</li>`,
  )}</ul></dd>`;
}

/** The chain of custody: the rule set's hash and every archive's, and each evidence file's in summary.json. */
function custodyFacts(c: ReportModel['summary']['custody']): Html | string {
  if (!c) return '';
  return html`<dt>Chain of custody</dt><dd>SHA-256 of ${fmtNum(c.evidence.length)} evidence files and ${fmtNum(c.archives.length)} archives (all in summary.json, <code>custody</code>); Sigma rule set <code>${c.sigmaRulesSha256}</code>; exhunt ${c.exhunt}</dd>`;
}

function custodyDetails(c: ReportModel['summary']['custody']): Html | string {
  if (!c) return '';
  const archives = c.archives.length
    ? html`<details><summary>Archives (${c.archives.length})</summary><ul class="plain small">${c.archives.map((a) => html`<li><code>${a.path}</code> — ${a.kind}, ${fmtBytes(a.size)}, SHA-256 <code>${a.sha256 ?? 'not readable'}</code>; ${fmtNum(a.members)} members read, ${fmtNum(a.refused)} refused</li>`)}</ul></details>`
    : '';
  return html`${archives}<details><summary>Evidence hashes (first ${Math.min(c.evidence.length, 100)} of ${c.evidence.length})</summary><ul class="plain small">${c.evidence.slice(0, 100).map((e) => html`<li><code>${e.sha256 ?? 'not readable'}</code> ${fmtBytes(e.size)} <code>${e.path}</code></li>`)}</ul></details>`;
}
