// The report's one stylesheet (inlined and pinned by its SHA-256 in the Content-Security-Policy):
// system fonts, a calm palette, level colours shared by chips, matrix cells and chart bars.
export const STYLE = `
:root{--ink:#1f2933;--muted:#6b7785;--line:#e3e8ee;--bg:#f6f8fa;--card:#fff;--accent:#1d4ed8;
--crit:#b42318;--high:#e8590c;--med:#d4a017;--low:#3b82f6;--info:#94a3b8}
*{box-sizing:border-box}
html{background:var(--bg)}
body{margin:0 auto;max-width:1180px;padding:28px 32px 64px;font:14px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;color:var(--ink)}
code{font:12px/1.4 ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;overflow-wrap:anywhere}
h1{font-size:26px;margin:2px 0 4px;font-weight:650;letter-spacing:-.01em}
h1 .sub{font-size:15px;font-weight:400;color:var(--muted)}
h2{font-size:19px;margin:0 0 10px;font-weight:650;letter-spacing:-.005em}
h3{font-size:14px;margin:18px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600}
h4{margin:0;font-size:15px;font-weight:600}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin:18px 0}
.muted{color:var(--muted)}.small{font-size:12px}.nowrap{white-space:nowrap}
.lead{color:#3e4c59;margin:0 0 14px;max-width:900px}
.brand{font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:var(--accent);font-weight:600}
.meta{margin:0 0 14px;color:var(--muted)}
nav{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px;margin:8px 0 0}
nav a{color:var(--accent);text-decoration:none}
.figures{display:flex;gap:28px;margin:8px 0 10px;flex-wrap:wrap}
.figures div{display:flex;flex-direction:column}.figures b{font-size:24px;font-weight:650;line-height:1.1}.figures span{color:var(--muted);font-size:12px}
.chips{display:flex;gap:6px;flex-wrap:wrap}
.chip{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;color:#fff;background:var(--info);vertical-align:1px}
.chip.lv-critical{background:var(--crit)}.chip.lv-high{background:var(--high)}.chip.lv-medium{background:var(--med)}.chip.lv-low{background:var(--low)}
.verdict{border-left:8px solid var(--info)}
.verdict h2{font-size:21px}
.vlabel{font-size:12px;text-transform:uppercase;letter-spacing:.08em;font-weight:700;color:var(--muted)}
.v-compromised{border-left-color:var(--crit);background:#fff6f5}.v-compromised .vlabel{color:var(--crit)}
.v-exploitation-attempted{border-left-color:var(--high);background:#fff8f1}.v-exploitation-attempted .vlabel{color:var(--high)}
.v-exposed{border-left-color:var(--med);background:#fffbeb}.v-exposed .vlabel{color:#a16207}
.v-no-evidence{border-left-color:#16a34a;background:#f3fbf5}.v-no-evidence .vlabel{color:#15803d}
.verdict ul{margin:6px 0 0;padding-left:20px}
.episode{border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:12px 0;background:#fcfdfe}
.episode>header{display:flex;gap:10px;align-items:center}
.epno{font-weight:700}
.esum{font-size:15px;margin:6px 0 10px}
.killchain{display:grid;grid-template-columns:repeat(15,1fr);gap:2px;margin:0 0 12px}
.killchain span{font-size:9.5px;line-height:1.2;padding:4px 2px;overflow-wrap:anywhere;hyphens:auto;background:#eef1f4;color:#9aa5b1;text-align:center;border-radius:3px;overflow:hidden}
.killchain span.on{background:#1e3a8a;color:#fff;font-weight:600}
ol.steps{list-style:none;margin:0;padding:0}
.step{display:grid;grid-template-columns:150px 1fr;gap:14px;padding:10px 0 10px 12px;border-left:3px solid var(--info);margin-left:2px}
.step+.step{border-top:1px dashed var(--line)}
.lv-edge-critical{border-left-color:var(--crit)}.lv-edge-high{border-left-color:var(--high)}.lv-edge-medium{border-left-color:var(--med)}.lv-edge-low{border-left-color:var(--low)}
.when{font:12px/1.5 ui-monospace,Menlo,Consolas,monospace}
.tactic{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--accent);font-weight:600}
.count{font-weight:500;color:var(--muted);font-size:13px}
.rule{margin:2px 0}ul.rules{list-style:none;margin:3px 0;padding:0}ul.rules li{margin:2px 0}.facts span{margin-right:14px}.facts{margin:2px 0;font-size:13px}
ul.cites{margin:4px 0 0;padding-left:16px;font-size:12px;color:#3e4c59}
table{border-collapse:collapse;width:100%;margin:6px 0 8px;font-size:13px}
th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;border-bottom:1px solid var(--line);padding:6px 8px}
td{border-bottom:1px solid #f0f2f5;padding:6px 8px;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.detail{max-width:620px}
ul.plain{margin:4px 0;padding-left:18px}
.warnlist li{color:#92400e}
.warn{color:#92400e}.bad{color:var(--crit)}
.caveat{background:#f8fafc;border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.matrix{display:grid;grid-template-columns:repeat(15,minmax(0,1fr));gap:4px;align-items:start}
.col .colhead{font-size:10.5px;font-weight:700;line-height:1.2;min-height:40px;padding:4px 2px;border-bottom:2px solid #cbd2d9;display:flex;flex-direction:column;justify-content:space-between;overflow-wrap:anywhere;hyphens:auto}
.col .colhead span{font-weight:500;color:var(--muted)}
.col.empty .colhead{color:#b6bec8;border-bottom-color:#eef1f4}
.cell{margin-top:4px;border-radius:4px;padding:4px 5px;font-size:10.5px;line-height:1.25;color:#fff;background:var(--info);position:relative}
.cell .tid{display:flex;flex-wrap:wrap;justify-content:space-between;gap:2px;font-weight:700}.cell .tname{display:block;overflow-wrap:anywhere;hyphens:auto}.cell .tcount{font-weight:700;font-size:9.5px;background:rgba(0,0,0,.2);border-radius:6px;padding:0 4px;line-height:14px}
.cell.lv-critical{background:var(--crit)}.cell.lv-high{background:var(--high)}.cell.lv-medium{background:var(--med);color:#1f2933}.cell.lv-low{background:var(--low)}
.legend{display:flex;gap:6px;margin-top:10px}
details{border-top:1px solid var(--line);padding:8px 0}
summary{cursor:pointer;list-style-position:outside}
.rulemeta{font-size:12px;color:#3e4c59;margin:6px 0}
dl.facts{display:grid;grid-template-columns:140px 1fr;gap:4px 16px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
ol.remed{margin:0;padding-left:22px}ol.remed>li{margin:0 0 12px}ol.remed p{margin:2px 0 4px;color:#3e4c59}
figure.chart{margin:6px 0 14px}
figure.chart svg{width:100%;height:auto;display:block}
figcaption{font-size:12px;color:var(--muted);margin-top:4px}
.key{margin-left:12px;white-space:nowrap}.key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
svg text{font:11px -apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#52606d}
svg .label{fill:#1f2933}
svg .grid{stroke:#eef1f4}svg .axis{stroke:#cbd2d9}
.s0{fill:#2563eb;background:#2563eb}.s1{fill:#0d9488;background:#0d9488}.s2{fill:#9333ea;background:#9333ea}.s3{fill:#ea580c;background:#ea580c}.s4{fill:#64748b;background:#64748b}.s5{fill:#ca8a04;background:#ca8a04}
rect.lv-critical{fill:var(--crit)}rect.lv-high{fill:var(--high)}rect.lv-medium{fill:var(--med)}rect.lv-low{fill:var(--low)}rect.lv-informational{fill:var(--info)}
.g-build{fill:#3b82f6}.g-window{fill:#dc2626;opacity:.8}.g-window-soft{fill:#f87171;opacity:.45}.g-cover{fill:#16a34a;opacity:.75}
.mark-exploit{stroke:#ea580c;stroke-width:2;stroke-dasharray:4 3}.mark-post{stroke:#7f1d1d;stroke-width:2}
.fleetcounts{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0 6px}
.fc{display:flex;flex-direction:column;min-width:150px;padding:10px 14px;border-radius:8px;border:1px solid var(--line);border-left:6px solid var(--info);background:#fff;text-decoration:none;color:var(--ink)}
.fc b{font-size:28px;line-height:1.1;font-weight:700}.fc span{font-size:12px;color:var(--muted)}
.fc.v-compromised{border-left-color:var(--crit);background:#fff6f5}.fc.v-exploitation-attempted{border-left-color:var(--high);background:#fff8f1}
.fc.v-blind{border-left-color:#7c3aed;background:#f8f5ff}.fc.v-exposed{border-left-color:var(--med);background:#fffbeb}.fc.v-no-evidence{border-left-color:#16a34a;background:#f3fbf5}
.vchip{display:inline-block;border-radius:4px;padding:1px 7px;font-size:11.5px;font-weight:650;white-space:nowrap;color:#fff;background:var(--info)}
.vchip.v-compromised{background:var(--crit)}.vchip.v-exploitation-attempted{background:var(--high)}.vchip.v-blind{background:#7c3aed}.vchip.v-exposed{background:var(--med);color:#1f2933}.vchip.v-no-evidence{background:#16a34a}
details.group{border-top:0;padding:4px 0}details.group>summary{font-size:14px;padding:6px 0}
tr.verdict-compromised td:first-child{box-shadow:inset 4px 0 var(--crit)}tr.verdict-exploitation-attempted td:first-child{box-shadow:inset 4px 0 var(--high)}
.meter{display:inline-block;width:120px;height:10px;background:#eef1f4;border-radius:5px;overflow:hidden;vertical-align:middle}.meter i{display:block;height:100%;background:var(--accent)}
${Array.from({length:21},(_,i)=>`.meter .w${i*5}{width:${i*5}%}`).join('')}
ol.fell{columns:2;margin:6px 0 10px;padding-left:22px}ol.fell li{margin:1px 0}
footer{color:var(--muted);font-size:12px;margin-top:24px}
@media print{html{background:#fff}section{break-inside:avoid-page;border-color:#ccc}}
`;
