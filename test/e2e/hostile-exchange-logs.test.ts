// Exchange logs in their real shapes with a hostile value in every column (quotes, markup, control characters, 100 kB values)
// are read without a crash, the attack rows among them still fire, and every value renders inert in report.html and the CSV
// timeline; a row holding NUL bytes (a torn write) is skipped with a diagnostic, and the rows after it are read.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from './run-cli.js';
import { exchangeLogText, rowOf, type HeaderMode } from '../../src/readers/exchange/testkit.js';
import { RPS_CMDLET_FIELDS, RPS_HTTP_FIELDS, EWS_FIELDS, MSGTRK_FIELDS } from '../../scripts/example/exchange-logs.js';
import { HTTPPROXY_FIELDS } from '../../scripts/example/model.js';

const MARK = 'exhuntPwned';
const HOSTILE = [
  `"><script>window.${MARK}=1</script>`,
  `<img src=x onerror="window.${MARK}=2">`,
  `=HYPERLINK("http://x.example/?${MARK}")`,
  `a\u0007b\u001b[31m<svg onload=${MARK}()>`,
  `''"";,;\\r\\n<iframe srcdoc="${MARK}">`,
];
const big = (i: number): string => `${HOSTILE[i % HOSTILE.length]}${'A'.repeat(100_000)}<b>${MARK}</b>`;


function write(root: string, rel: string, mode: HeaderMode, logType: string, fields: readonly string[], rows: Record<string, string>[]): void {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  const text = exchangeLogText({ mode, version: '15.01.2375.007', logType, date: '2022-10-04T13:00:00.000Z', fields }, rows.map((r) => rowOf(fields, r)), { requestDetails: mode === 'csv-compatible' });
  writeFileSync(abs, text);
}

/** Every column hostile, then the named values on top (so a rule fires and the hostile values reach the report). */
function hostileRow(fields: readonly string[], i: number, fixed: Record<string, string>): Record<string, string> {
  const r: Record<string, string> = {};
  // One 100 kB value a row: a whole row stays under the readers' 1 MiB line bound, as Exchange's own 16,384-character column cap does.
  fields.forEach((f, k) => (r[f] = k === (i * 5 + 3) % fields.length ? big(k) : HOSTILE[(k + i) % HOSTILE.length]!));
  return { ...r, ...fixed };
}

test('real-shaped Exchange logs with hostile values in every column: read, detected, rendered inert', async () => {
  const root = mkdtempSync(join(tmpdir(), 'exhunt-hostile-ex-'));
  const out = join(root, 'out');
  const ev = join(root, 'C', 'Program Files', 'Microsoft', 'Exchange Server', 'V15');
  try {
    const t = '2022-10-04T13:26:51.000Z';
    write(ev, 'Logging/HttpProxy/Ecp/HttpProxy_2022100413-1.LOG', 'csv-compatible', 'HttpProxy Logs', HTTPPROXY_FIELDS, [0, 1, 2].map((i) =>
      hostileRow(HTTPPROXY_FIELDS, i, { DateTime: t, Protocol: 'Ecp', UrlStem: '/ecp/y.js', AnchorMailbox: `ServerInfo~a]@EX01:444/ecp/proxyLogon.ecp?#${HOSTILE[i]}`, RoutingHint: 'X-BEResource-Cookie', HttpStatus: '241', ClientIpAddress: '203.0.113.77' })));
    write(ev, 'Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2022100413-1.LOG', 'csv-compatible', 'Rps Cmdlet Logs', RPS_CMDLET_FIELDS, [0, 1, 2].map((i) =>
      hostileRow(RPS_CMDLET_FIELDS, i, { DateTime: t, AuthenticatedUser: `Administrator${HOSTILE[i]}`, GenericInfo: `PSSenderInfo=jones${HOSTILE[i]}`, Cmdlet: 'New-MailboxExportRequest', Parameters: `-Mailbox "x" -FilePath "\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\${HOSTILE[i]}.aspx"` })));
    write(ev, 'Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_2022100413-1.LOG', 'csv-compatible', 'Rps Http Logs', RPS_HTTP_FIELDS, [0, 1].map((i) => hostileRow(RPS_HTTP_FIELDS, i, { DateTime: t })));
    // A torn write: NUL bytes in a row of the first 8 KB; the file is still an Exchange log and the next row is read.
    const ews = join(ev, 'Logging/Ews/Ews_2022100413-1.LOG');
    write(ev, 'Logging/Ews/Ews_2022100413-1.LOG', 'csv-compatible', 'EWS Logs', EWS_FIELDS, [0, 1].map((i) => hostileRow(EWS_FIELDS, i, { DateTime: t, ClientIpAddress: '203.0.113.77' })));
    write(ev, 'TransportRoles/Logs/MessageTracking/MSGTRK2022100413-1.LOG', 'hash-first', 'Message Tracking Log', MSGTRK_FIELDS, [0, 1].map((i) =>
      hostileRow(MSGTRK_FIELDS, i, { 'date-time': t, source: 'MAILBOXRULE', 'event-id': 'RECEIVE' })));
    const text = readFileSync(ews, 'latin1').split('\r\n');
    text.splice(6, 0, `2022-10-04T13:26:50.000Z,${'\u0000'.repeat(40)},${MARK}`);
    writeFileSync(ews, text.join('\r\n'), 'latin1');
    const r = await runCli(['scan', root, '--out', out, '--quiet', '--min-level', 'low']);
    assert.equal(r.code, 1, r.err);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      files: { byKind: Record<string, { files: number }> };
      coverage: { kind: string; lines: number }[];
      diagnostics: { items: { code: string; location?: { path?: string; line?: number } }[] };
    };
    assert.equal(summary.files.byKind['exchange-csv']?.files, 5);
    assert.ok(summary.diagnostics.items.some((d) => d.code === 'LOG_BINARY' && d.location?.path?.endsWith('Ews_2022100413-1.LOG') && d.location.line === 7));
    assert.equal(summary.coverage.find((c) => c.kind === 'exchange:ews')?.lines, 2);
    const findings = readFileSync(join(out, 'findings.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rule: { source: string } });
    assert.ok(findings.some((f) => f.rule.source.includes('serverinfo_anchor') || f.rule.source.includes('ecp_js_beresource')), 'the HttpProxy SSRF rows still fire');
    assert.ok(findings.some((f) => f.rule.source.includes('activity/identity')), 'the Rps_Cmdlet identity check still fires');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.ok(html.includes(MARK), 'the hostile values reached the report');
    for (const bad of ['<script>window', '<img src=x', '<svg onload', '<iframe', `<b>${MARK}`]) assert.ok(!html.includes(bad), `report.html carries ${bad}`);
    assert.ok(!/<script/i.test(html), 'report.html has a script element');
    const csv = readFileSync(join(out, 'timeline.csv'), 'utf8');
    for (const line of csv.split('\n')) for (const cell of line.split(',')) assert.ok(!/^"?[=+@]/.test(cell) || cell.startsWith("\"'") || cell.startsWith("'"), `formula cell: ${cell.slice(0, 40)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
