// The HTML reporter's door: report.html from a ReportModel, and the escaping helpers its tests use.
// Self-contained page, strict CSP, no script.
export { reportHtml, contentSecurityPolicy } from './page.js';
export { escapeHtml, html, raw } from './escape.js';
export { STYLE } from './style.js';
export { hostsIndexHtml, type HostRow } from './hosts-index.js';
