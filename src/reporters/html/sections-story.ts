// Report sections at the top of the page: header with key figures, verdict, intrusion story (episodes and
// their steps with evidence), and what was taken. Every evidence value goes through the escaping template.
import type { EvidenceRef } from '../../event.js';
import { LEVELS } from '../../finding.js';
import type { ReportModel } from '../model.js';
import type { TakenMail } from '../../engines/activity/index.js';
import { html, join, fmtTime, fmtBytes, fmtNum, clip, type Html } from './escape.js';

export function cite(ref: EvidenceRef): string {
  const where = ref.line !== undefined ? `:${ref.line}` : ref.record !== undefined ? ` record ${ref.record}` : ref.offset !== undefined ? ` @0x${ref.offset.toString(16)}` : '';
  return `${ref.path}${where}`;
}

export function headerSection(m: ReportModel): Html {
  const hosts = m.digest.hosts;
  const lastBuild = m.summary.exposure?.builds.at(-1);
  const by = m.summary.counts.byLevel;
  const chips = [...LEVELS].reverse().map((l) => html`<span class="chip lv-${l}">${fmtNum(by[l] ?? 0)} ${l}</span>`);
  const mailboxes = m.taken ? new Set(m.taken.mailboxes.map((x) => x.target)).size : null;
  return html`<header class="top">
<div class="brand">exhunt · Exchange compromise assessment</div>
<h1>${hosts.length ? hosts.join(', ') : 'Exchange server'}${lastBuild ? html` <span class="sub">last build seen ${lastBuild.build}${lastBuild.product ? ` (${lastBuild.product}${lastBuild.cu ? ' ' + lastBuild.cu : ''}${lastBuild.su ? ' ' + lastBuild.su : ''})` : ''}</span>` : ''}</h1>
<p class="meta">Scan of ${m.summary.inputs.join(', ') || '—'} · finished ${fmtTime(m.summary.finishedAt)} UTC · exhunt ${m.summary.tool.version} · all times UTC</p>
<div class="figures">
<div><b>${fmtNum(m.summary.counts.findings)}</b><span>findings</span></div>
<div><b>${m.episodes.length}</b><span>episodes</span></div>
<div><b>${m.ips.length}</b><span>source IPs in findings</span></div>
<div><b>${m.techniques.length}</b><span>ATT&amp;CK techniques</span></div>
<div><b>${mailboxes === null ? '—' : mailboxes}</b><span>mailboxes touched</span></div>
</div>
<div class="chips">${chips}</div>
</header>`;
}

export function verdictSection(m: ReportModel): Html {
  const v = m.verdict;
  return html`<section id="verdict" class="verdict v-${v.kind}">
<div class="vlabel">Verdict</div>
<h2>${v.headline}</h2>
<ul>${v.reasons.map((r) => html`<li>${r}</li>`)}</ul>
</section>`;
}

export function storySection(m: ReportModel): Html {
  if (m.episodes.length === 0) return html`<section id="story"><h2>The intrusion story</h2><p class="muted">No findings to link into a story.</p></section>`;
  const shown = m.episodes.slice(0, 25);
  const eps = shown.map((e) => {
    const reached = new Set(e.tactics);
    const strip = m.catalog.tactics.map((t) => html`<span class="${reached.has(t.shortname) ? 'on' : ''}" title="${t.name}">${t.name}</span>`);
    const steps = e.steps.slice(0, 40).map(
      (s) => html`<li class="step lv-edge-${s.level}">
<div class="when">${fmtTime(s.first)}${s.last && s.last !== s.first ? html`<br><span class="muted">→ ${fmtTime(s.last)}</span>` : ''}</div>
<div class="what"><div class="tactic">${s.tacticName ?? 'No ATT&CK tactic'}${s.techniques.length ? ` · ${s.techniques.join(', ')}` : ''}${s.cves.length ? ` · ${s.cves.join(', ')}` : ''}</div>
<h4>${s.headline}${s.count > 1 ? html` <span class="count">×${fmtNum(s.count)}</span>` : ''}</h4>
<ul class="rules">${s.rules.slice(0, 6).map((r) => html`<li><span class="chip lv-${r.level}">${r.level}</span> ${r.title}${r.count > 1 ? html` <span class="count">×${fmtNum(r.count)}</span>` : ''} <span class="muted">— ${r.engine} rule by ${r.author ?? 'unknown author'}</span></li>`)}${s.rules.length > 6 ? html`<li class="muted">${s.rules.length - 6} more rules</li>` : ''}</ul>
${s.ips.length || s.paths.length || s.users.length ? html`<p class="facts">${s.ips.length ? html`<span>from <code>${s.ips.slice(0, 4).join(', ')}</code></span>` : ''}${s.users.length ? html`<span>user <code>${s.users.slice(0, 3).join(', ')}</code></span>` : ''}${s.paths.length ? html`<span>path <code>${clip(s.paths.slice(0, 2).join(' | '), 180)}</code></span>` : ''}</p>` : ''}
<ul class="cites">${s.evidence.map((ev) => html`<li><code>${cite(ev.ref)}</code>${ev.time ? html` <span class="muted">${fmtTime(ev.time)}</span>` : ''}${ev.message ? html` — ${clip(ev.message, 200)}` : ''}</li>`)}</ul>
</div></li>`,
    );
    return html`<article class="episode">
<header><span class="epno">Episode ${e.id}</span><span class="chip lv-${e.level}">${e.level}</span><span class="muted">${fmtTime(e.first)} → ${fmtTime(e.last)}</span></header>
<p class="esum">${e.summary}</p>
<div class="killchain">${strip}</div>
<ol class="steps">${steps}</ol>
${e.steps.length > 40 ? html`<p class="muted">${e.steps.length - 40} more steps in timeline.csv.</p>` : ''}
</article>`;
  });
  return html`<section id="story"><h2>The intrusion story</h2>
<p class="lead">Findings from web logs, Exchange logs, event logs and files, linked into episodes by source IP, file name (web shell, dump, archive) and user; findings without a source join the nearest episode on the same server within 72 hours. Steps are in time order, each filed under its ATT&amp;CK tactic and citing its evidence.</p>
${m.storyCapped.length ? html`<p class="warn">Capped: the story is built from the earliest findings of each rule, and ${m.storyCapped.length} rule${m.storyCapped.length === 1 ? ' had' : 's had'} more (${m.storyCapped.slice(0, 5).map((c) => `${c.what}: ${fmtNum(c.kept)} of ${fmtNum(c.total)}`).join('; ')}${m.storyCapped.length > 5 ? '; …' : ''}); the counts in the story are of that sample. Every finding is in findings.jsonl (and timeline.csv).</p>` : ''}${eps}${m.episodes.length > shown.length ? html`<p class="muted">${m.episodes.length - shown.length} smaller episodes are not shown; every finding is in timeline.csv.</p>` : ''}</section>`;
}

const ACCESS_ROWS = 40;

const WHY: Record<TakenMail['why'], string> = {
  'attacker-client': "from the attacker's address",
  'touched-mailbox': 'from a mailbox the attacker reached',
  'mailbox-rule': 'forwarded by an inbox rule',
  pickup: 'dropped in the pickup folder',
};

function mailRows(rows: readonly TakenMail[]): Html {
  if (rows.length === 0) return html`<p class="muted">None seen (MessageTracking: mail from the attacker's addresses or the mailboxes they reached, inbox-rule forwards, pickup drops).</p>`;
  return html`<table><thead><tr><th>Time</th><th>Why</th><th>From</th><th>To</th><th>Subject</th><th class="num">Bytes</th><th>Client</th><th>Evidence</th></tr></thead><tbody>${rows.slice(0, ACCESS_ROWS).map(
    (r) => html`<tr><td>${fmtTime(r.time)}</td><td>${WHY[r.why] ?? r.why}</td><td><code>${clip(r.sender ?? '—', 80)}</code></td><td><code>${clip(r.recipients.join('; '), 120)}</code></td><td>${clip(r.subject ?? '', 80)}</td><td class="num">${fmtBytes(r.bytes)}</td><td>${r.client ?? '—'}<br><code class="small">${r.originalClientIp ?? ''}</code></td><td><code class="small">${cite(r.evidence)}</code></td></tr>`,
  )}</tbody></table>${rows.length > ACCESS_ROWS ? html`<p class="muted">${rows.length - ACCESS_ROWS} more rows in taken.json.</p>` : ''}`;
}

export function takenSection(m: ReportModel): Html {
  const t = m.taken;
  if (!t) return html`<section id="taken"><h2>What was taken</h2><p class="muted">No activity summary (taken.json) was available for this report.</p></section>`;
  const accessRows = (rows: typeof t.mailboxes): Html =>
    rows.length === 0
      ? html`<p class="muted">None seen from the attacker's addresses or tools.</p>`
      : html`<table><thead><tr><th>Target</th><th>Kind</th><th>Via</th><th>From</th><th class="num">Requests</th><th class="num">Bytes</th><th>First</th><th>Last</th><th>Evidence</th></tr></thead><tbody>${rows.slice(0, ACCESS_ROWS).map(
          (r) => html`<tr><td><code>${clip(r.target, 120)}</code></td><td>${r.kind}</td><td>${r.via.join(', ')}${(r.operations ?? []).length > 0 ? html`<br><span class="muted small">${clip((r.operations ?? []).join(', '), 120)}</span>` : ''}</td><td><code>${r.ip ?? '—'}</code><br><span class="muted small">${clip(r.agent ?? '', 60)}</span></td><td class="num">${fmtNum(r.requests)}</td><td class="num">${fmtBytes(r.bytes)}</td><td>${fmtTime(r.first)}</td><td>${fmtTime(r.last)}</td><td><code class="small">${cite(r.evidence)}</code></td></tr>`,
        )}</tbody></table>${rows.length > ACCESS_ROWS ? html`<p class="muted">${rows.length - ACCESS_ROWS} more rows in taken.json.</p>` : ''}`;
  return html`<section id="taken"><h2>What was taken</h2>
<p class="lead">Requests from the attacker's ${t.attackerIps.length} address${t.attackerIps.length === 1 ? '' : 'es'}${t.attackerAgents.length ? ` and ${t.attackerAgents.length} tool user agent${t.attackerAgents.length === 1 ? '' : 's'}` : ''}, from the IIS, HttpProxy, EWS and MapiHttp logs; export and search commands from the cmdlet, CmdletInfra, audit-queue, MRS and PowerShell logs; mail that left from MessageTracking.</p>
<h3>Mailboxes and calendars</h3>${accessRows(t.mailboxes)}
<h3>Address books</h3>${accessRows(t.addressBooks)}
<h3>Mailbox exports and searches</h3>${
    t.exports.length === 0
      ? html`<p class="muted">None found.</p>`
      : html`<table><thead><tr><th>Time</th><th>Command</th><th>Mailbox</th><th>File</th><th>Evidence</th></tr></thead><tbody>${t.exports.slice(0, 200).map(
          (x) => html`<tr><td>${fmtTime(x.time)}</td><td><code>${x.command}</code><br><span class="muted small">${clip(x.detail, 160)}</span></td><td><code>${x.mailbox ?? '—'}</code></td><td><code>${x.filePath ?? '—'}</code></td><td><code class="small">${cite(x.evidence)}</code></td></tr>`,
        )}</tbody></table>`
  }
<h3>Mail sent and forwarded</h3>${mailRows(t.mail ?? [])}
<h3>What the logs cannot show</h3><ul class="plain">${t.cannotShow.map((s) => html`<li>${s}</li>`)}</ul>
</section>`;
}
export { join };
