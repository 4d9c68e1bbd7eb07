// The pack's rules for the logs beyond HttpProxy (CmdletInfra, EWS, MessageTracking, the audit queue) on the
// fixtures scripts/make-log-fixtures.ts writes: each rule has a positive line, low-level context rules included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { levelRank } from '../../src/finding.js';
import { LOG_FIXTURE_ROOTS, logFixtures } from '../../scripts/make-log-fixtures.js';
import { byLine, fixtures, MEDIUM, packDir, ruleName, scan } from './pack-scan.js';

const NEW_SERVICES = new Set(['rps-cmdlet', 'rps-http', 'ews', 'message-tracking', 'unified-audit']);
const generated = logFixtures();

test('the committed fixtures are what scripts/make-log-fixtures.ts writes', () => {
  for (const [path, text] of generated.files) {
    assert.equal(readFileSync(join(fixtures, path), 'utf8'), text, `${path} differs: run node dist/scripts/make-log-fixtures.js`);
  }
  const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as { hits: { path: string; line: number }[] };
  const listed = expected.hits.filter((h) => LOG_FIXTURE_ROOTS.some((r) => h.path.startsWith(`${r}/`))).map((h) => `${h.path}:${h.line}`);
  assert.deepEqual(listed.sort(), generated.hits.filter((h) => !h.low).map((h) => `${h.path}:${h.line}`).sort());
});

test('every rule for these logs has a positive fixture line, and each line raises what it must', async () => {
  const { findings, diagnostics } = await scan(fixtures, [packDir]);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  const lines = byLine(findings);
  for (const hit of generated.hits) {
    const where = `${hit.path}:${hit.line}`;
    const here = lines.get(where) ?? [];
    for (const r of hit.rules) assert.ok(here.some((f) => ruleName(f) === r), `${where}: ${r} did not fire (got ${here.map(ruleName).join(', ') || 'nothing'})`);
    for (const c of hit.cves) assert.ok(here.some((f) => f.cves.includes(c)), `${where}: ${c} missing`);
    for (const t of hit.attack) assert.ok(here.some((f) => f.attack.includes(t)), `${where}: ${t} missing`);
    // A line marked low raises context only; the others are in expected.json and checked at medium+ by pack.test.ts.
    if (hit.low) assert.ok(here.every((f) => levelRank(f.level) < MEDIUM), `${where}: expected low-level findings only`);
  }
  const mine = readdirSync(packDir).filter((f) => f.endsWith('.yml')).filter((f) => {
    const ls = (parse(readFileSync(join(packDir, f), 'utf8')) as { logsource?: { service?: string } }).logsource;
    return NEW_SERVICES.has(ls?.service ?? '');
  }).map((f) => f.replace('.yml', ''));
  assert.ok(mine.length >= 20, `only ${mine.length} rules for the new logs`);
  const positive = new Set(generated.hits.flatMap((h) => h.rules));
  assert.deepEqual(mine.filter((r) => !positive.has(r)), [], 'rules without a positive fixture line');
});

test('values as Exchange writes them: doubled quotes undone, 200-character cut, sanitised agents', async () => {
  const { findings, eventsAt } = await scan(join(fixtures, 'proxyshell-cmdletinfra'), [packDir], true);
  const rows = [...eventsAt.values()].filter((e) => e.source === 'exchange' && e.log === 'rps-cmdlet');
  const params = (cmdlet: string): string[] => rows.flatMap((e) => (e.source === 'exchange' && e.fields['Cmdlet'] === cmdlet ? [e.fields['Parameters'] ?? ''] : []));
  // The on-disk ""Mailbox Import Export"" reads as "Mailbox Import Export".
  assert.deepEqual(params('New-ManagementRoleAssignment'), ['-Role "Mailbox Import Export" -SecurityGroup "Organization Management"']);
  // The long path lost its '.aspx' to the cut, and the export rule still fired on it.
  const cut = params('New-MailboxExportRequest').find((p) => p.includes('[...]'));
  assert.ok(cut !== undefined && !cut.includes('.aspx'), 'the fixture holds a cut path');
  const cutRow = rows.find((e) => e.source === 'exchange' && e.fields['Parameters'] === cut)!;
  assert.ok(findings.some((f) => ruleName(f) === 'exch_rps_cmdlet_mailbox_export_webshell' && f.evidence.line === cutRow.ref.line));
  // The script in ExternalUrl lost its closing tag; the rule needs only the opening.
  const vdir = params('Set-OabVirtualDirectory')[0]!;
  assert.ok(vdir.includes('<script') && !vdir.includes('</script>') && vdir.endsWith('[...]"'), vdir);
  // GenericInfo's PSSenderInfo is a field of its own; the duration-only rows are read too (no time).
  assert.ok(rows.some((e) => e.source === 'exchange' && e.fields['PSSenderInfo'] === 'jones@corp.example.com'));
  assert.ok(rows.some((e) => e.time === null));
  const http = [...eventsAt.values()].find((e) => e.source === 'exchange' && e.log === 'rps-http' && (e.fields['ClientInfo'] ?? '').startsWith('Mozilla'));
  assert.ok(http?.source === 'exchange' && http.fields['ClientInfo']!.includes('(KHTML  like Gecko)'));
});
