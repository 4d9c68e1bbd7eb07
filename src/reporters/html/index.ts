// The HTML reporter's door: report.html from a ReportModel, the page shell and escaping helpers other pages
// (the collections index, fleet.html) and the tests use. Self-contained page, strict CSP, no script.
export { reportHtml, contentSecurityPolicy, pageShell } from './page.js';
export { escapeHtml, html, raw, join, fmtTime, fmtNum, clip, type Html } from './escape.js';
export { STYLE } from './style.js';
export { hostsIndexHtml, type HostRow } from './hosts-index.js';
