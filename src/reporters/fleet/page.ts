// fleet.html: one self-contained page over many servers (the report's shell: strict CSP, no script, every value
// escaped): the fleet verdict, the servers to act on first, shared indicators, the campaign over time, ATT&CK.
import { clip, fmtNum, fmtTime, html, pageShell, type Html } from '../html/index.js';
import { dayChart } from './charts.js';
import { FLEET_VERDICTS, FLEET_VERDICT_LABELS, type FleetHost, type FleetModel, type FleetVerdict } from './model.js';

/** Groups longer than this start folded (the urgent ones never do), so 1,000 servers stay one readable page. */
const FOLD_AFTER = 40;
const URGENT = new Set<FleetVerdict>(['compromised', 'exploitation-attempted']);
const INDICATOR_LABELS: Record<string, string> = {
  ip: 'Attacker IP', 'user-agent': 'User agent', 'webshell-path': 'Web-shell path', 'file-name': 'File name', sha256: 'SHA-256', account: 'Account', 'export-path': 'Mailbox export path',
};

function headerSection(m: FleetModel): Html {
  const scope = [
    m.scope.hosts.length ? `hosts: ${m.scope.hosts.join(', ')}` : 'all hosts',
    m.scope.since ? `since ${fmtTime(m.scope.since)}` : '',
    m.scope.until ? `until ${fmtTime(m.scope.until)}` : '',
  ].filter(Boolean).join(', ');
  const act = m.counts.compromised + m.counts['exploitation-attempted'];
  return html`<header><div class="brand">exhunt fleet view</div>
<h1>${fmtNum(m.hosts.length)} Exchange servers <span class="sub">— ${act ? `${act} to act on first` : 'none compromised or attacked'}</span></h1>
<p class="meta">Store <code>${m.store}</code> · ${scope} · generated ${fmtTime(m.generatedAt)} UTC. Times are UTC.</p>
<div class="fleetcounts">${FLEET_VERDICTS.map(
    (v) => html`<a class="fc v-${v}" href="#g-${v}"><b>${fmtNum(m.counts[v])}</b><span>${FLEET_VERDICT_LABELS[v]}</span></a>`,
  )}</div>
<nav><a href="#servers">Servers</a><a href="#indicators">Shared indicators</a><a href="#campaign">Campaign over time</a><a href="#attack">ATT&amp;CK across the fleet</a></nav></header>`;
}

function cves(h: FleetHost): Html {
  if (h.openCves.length === 0) return html`<span class="muted">none open</span>`;
  // one line per family and window (ProxyLogon's four CVEs share theirs)
  const lines = new Map<string, { cves: string[]; from: string | null; to: string | null; name: string | null }>();
  for (const c of h.openCves) {
    const key = `${c.name ?? c.cve}|${c.from}|${c.to}`;
    const l = lines.get(key);
    if (l) l.cves.push(c.cve);
    else lines.set(key, { cves: [c.cve], from: c.from, to: c.to, name: c.name });
  }
  const short = (t: string | null): string => (t ? fmtTime(t).slice(2, 10) : 'open');
  return html`<div class="small cves">${[...lines.values()].slice(0, 4).map(
    (l) => html`<span class="nowrap"><b>${l.name ?? l.cves[0]!}</b> <span class="muted">${short(l.from)}→${short(l.to)}</span></span> `,
  )}${lines.size > 4 ? html`<span class="muted">+${lines.size - 4} more</span>` : ''}</div>`;
}

function coverage(h: FleetHost): Html {
  const c = h.coverage;
  const span = c.first ? `${fmtTime(c.first).slice(2, 10)}→${fmtTime(c.last).slice(2, 10)}` : 'no dated logs';
  const kinds = [...new Set(c.kinds.map((k) => k.kind.split(/[:/]/)[0]!))].join(', ');
  return html`<div class="small${c.webLogs ? '' : ' warn'}"><span class="nowrap">${c.webLogs ? 'web logs' : 'no IIS/HttpProxy logs'}</span> <span class="nowrap muted">${span}</span></div><div class="small muted">${clip(kinds || 'nothing read', 60)}</div>`;
}

function hostRow(h: FleetHost, rank: number): Html {
  return html`<tr class="verdict-${h.verdict}"><td class="num muted">${rank}</td><td><a href="hosts/${encodeURIComponent(h.dir)}/report.html">${clip(h.host, 60)}</a>${h.collections > 1 ? html`<div class="small muted">${h.collections} collections</div>` : ''}</td>
<td class="when nowrap">${fmtTime(h.firstMalicious)}</td><td class="when nowrap">${fmtTime(h.lastMalicious)}</td>
<td class="num">${h.episodes ?? '—'}</td><td class="num">${fmtNum(h.malicious)}<span class="muted"> / ${fmtNum(h.findings)}</span></td><td><code>${h.build ?? '—'}</code>${cves(h)}</td><td>${coverage(h)}</td></tr>`;
}

function serversSection(m: FleetModel): Html {
  let rank = 0;
  const groups = FLEET_VERDICTS.map((v) => {
    const hosts = m.hosts.filter((h) => h.verdict === v);
    const rows = hosts.map((h) => hostRow(h, ++rank));
    if (hosts.length === 0) return html``;
    const open = URGENT.has(v) || hosts.length <= FOLD_AFTER;
    return html`<details class="group" id="g-${v}"${open ? html` open` : ''}><summary><span class="vchip v-${v}">${FLEET_VERDICT_LABELS[v]}</span> <b>${fmtNum(hosts.length)}</b> server${hosts.length === 1 ? '' : 's'}</summary>
<table><thead><tr><th class="num">#</th><th>server</th><th>first malicious</th><th>last malicious</th><th class="num">episodes</th><th class="num">malicious / findings</th><th>build and open CVEs (window)</th><th>log coverage</th></tr></thead><tbody>
${rows}</tbody></table></details>`;
  });
  return html`<section id="servers"><h2>Servers, most urgent first</h2>
<p class="lead">Ordered by verdict, then by when each server fell (first malicious activity). Each name opens that server's own report, rebuilt from the store.</p>
${groups}</section>`;
}

function indicatorsSection(m: FleetModel): Html {
  if (m.sharedIndicators.length === 0) return html`<section id="indicators"><h2>Indicators on more than one server</h2><p class="muted">No attacker IP, user agent, web shell, hash, account or export path was seen on more than one server.</p></section>`;
  const rows = m.sharedIndicators.map(
    (s) => html`<tr><td class="nowrap">${INDICATOR_LABELS[s.type] ?? s.type}</td><td class="detail"><code>${clip(s.value, 200)}</code></td><td class="num">${s.hosts.length}</td><td>${s.hosts.slice(0, 12).map((h, i) => html`${i ? ', ' : ''}${clip(h, 40)}`)}${s.hosts.length > 12 ? html` <span class="muted">+${s.hosts.length - 12} more</span>` : ''}</td><td class="when">${fmtTime(s.first)}</td><td class="when">${fmtTime(s.last)}</td></tr>`,
  );
  return html`<section id="indicators"><h2>Indicators on more than one server</h2>
<p class="lead">What ties the servers together: the same attacker addresses, tools, web shells and accounts on several servers point to one operator. Internal addresses, Exchange's own probes and machine accounts are left out.</p>
<table><thead><tr><th>type</th><th>value</th><th class="num">servers</th><th>which</th><th>first</th><th>last</th></tr></thead><tbody>${rows}</tbody></table>
${m.sharedIndicatorsCapped ? html`<p class="small warn">More indicators were shared than listed here; fleet.json and stix.json hold the same list.</p>` : ''}</section>`;
}

function campaignSection(m: FleetModel): Html {
  const fell = dayChart({ names: ['servers'], days: new Map(m.campaign.fell.map((d) => [d.day, [d.count]])) }, 'Servers with their first malicious activity', 'servers');
  const fam = m.campaign.families;
  const expl = dayChart({ names: fam, days: new Map(m.campaign.exploitation.map((d) => [d.day, fam.map((f) => d.byFamily[f] ?? 0)])) }, 'Exploitation findings across the fleet by CVE family', 'findings', true);
  const order = m.hosts.filter((h) => h.firstMalicious !== null).sort((a, b) => (a.firstMalicious! < b.firstMalicious! ? -1 : a.firstMalicious! > b.firstMalicious! ? 1 : 0));
  return html`<section id="campaign"><h2>Campaign over time</h2>
<h3>When the servers fell</h3>${fell}
${order.length ? html`<ol class="fell small">${order.slice(0, 30).map((h) => html`<li><span class="when">${fmtTime(h.firstMalicious)}</span> ${clip(h.host, 60)} <span class="muted">(${FLEET_VERDICT_LABELS[h.verdict]})</span></li>`)}</ol>${order.length > 30 ? html`<p class="small muted">… and ${order.length - 30} more.</p>` : ''}` : ''}
<h3>Exploitation attempts</h3>${expl}</section>`;
}

function attackSection(m: FleetModel): Html {
  if (m.techniques.length === 0) return html`<section id="attack"><h2>ATT&amp;CK techniques across the fleet</h2><p class="muted">No technique seen.</p></section>`;
  const max = Math.max(...m.techniques.map((t) => t.hosts), 1);
  const rows = m.techniques.map(
    (t) => html`<tr><td class="nowrap"><code>${t.id}</code></td><td>${t.name}</td><td class="small muted">${t.tactics.join(', ')}</td><td class="num">${t.hosts}</td><td><span class="meter"><i class="w${Math.round((t.hosts / max) * 20) * 5}"></i></span></td><td class="num">${fmtNum(t.findings)}</td></tr>`,
  );
  return html`<section id="attack"><h2>ATT&amp;CK techniques across the fleet</h2>
<p class="lead">How many servers show each technique; attack-layer.json holds the same, scored by the number of servers, for ATT&amp;CK Navigator.</p>
<table><thead><tr><th>technique</th><th>name</th><th>tactics</th><th class="num">servers</th><th></th><th class="num">findings</th></tr></thead><tbody>${rows}</tbody></table>
${m.unknownTechniques.length ? html`<p class="small muted">Not in this ATT&amp;CK version: ${m.unknownTechniques.join(', ')}</p>` : ''}</section>`;
}

export function fleetHtml(m: FleetModel): string {
  const body = html`${headerSection(m)}
${serversSection(m)}
${indicatorsSection(m)}
${campaignSection(m)}
${attackSection(m)}
<footer>Generated by exhunt ${m.tool.version} from the store; each server's report was rebuilt from its stored findings without rescanning.</footer>`;
  return pageShell(`exhunt fleet — ${m.hosts.length} servers, ${m.counts.compromised} compromised`, body);
}
