// Hostile input in Exchange's real shapes: an Rps_Cmdlet and an EWS log with a hostile value in every column
// (quotes, markup, NULs, 100 kB values, lone surrogates, broken CSV) are read and matched by the pack without a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exchangeLogText } from '../../src/readers/exchange/testkit.js';
import { EWS, RPS_CMDLET } from '../../scripts/log-fixtures/columns.js';
import { packDir, scan } from './pack-scan.js';

const BIG = 'A'.repeat(100_000);
const HOSTILE = [
  'say ""hi"", "quoted", \'single\', and a comma',
  '<script>alert(1)</script><img src=x onerror=alert(2)>',
  `${'<'.repeat(2_000)}${'"'.repeat(2_000)}`,
  'line\r\nbreak\rand\nmore',
  'lone \uD800 surrogate \u202E RTL \uFEFF BOM',
  "=cmd|' /C calc'!A0",
  'S:CMD=Set-OabVirtualDirectory;PSSenderInfo=x;=;;==;Data={"a":',
];
const NUL = 'nul\u0000in\u0000the middle\u0000';

/**
 * The NUL row first (a hostile value early in the file must not hide the log), then every hostile value in every
 * column, then a 100 kB value in each of three columns (Exchange itself caps an appended value at 16 kB) and a
 * row with 100 kB in every column (over the reader's line limit: said, not fatal).
 */
function hostileText(fields: readonly string[], logType: string, bigIn: readonly string[]): string {
  const every = (v: string): string[] => fields.map(() => v);
  const big = bigIn.map((col) => fields.map((f) => (f === col ? BIG : f === 'DateTime' ? '2021-08-13T21:20:00.000Z' : '<b>"x"</b>')));
  const text = exchangeLogText(
    { mode: 'csv-compatible', version: '15.01.2375.007', logType, date: '2021-08-13T21:00:00.000Z', fields },
    [every(NUL), ...HOSTILE.map(every), ...big, every(BIG)],
    { requestDetails: true },
  );
  // Lines no Exchange writer produces: an unterminated quote, a flood of columns, a lone quote, raw control bytes.
  return text + '2021-08-13T21:30:00.000Z,"unterminated\r\n' + ','.repeat(20_000) + '\r\n"\r\n' + '\u0001\u0002\u0003\u001b[31m\r\n';
}

test('a real-shaped Rps_Cmdlet and EWS log with a hostile value in every column is read and matched without a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-hostile-logs-'));
  try {
    const files = {
      'Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021081321-1.LOG': hostileText(RPS_CMDLET, 'Rps Cmdlet Logs', ['Parameters', 'GenericInfo', 'GenericErrors']),
      'Logging/Ews/Ews_2021081321-1.LOG': hostileText(EWS, 'EWS Logs', ['UserAgent', 'GenericInfo', 'ActAsUser']),
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const { eventsAt, diagnostics, exchangeLogs, findings } = await scan(dir, [packDir], true);
    // Both files are read as their logs although a NUL sits in their first row.
    assert.deepEqual([...exchangeLogs].sort(), ['ews', 'rps-cmdlet']);
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
    for (const path of Object.keys(files)) {
      const said = (code: string): number[] => diagnostics.filter((d) => d.code === code && d.location?.path === path).map((d) => d.location!.line!);
      assert.deepEqual(said('LOG_BINARY'), [7], `${path}: the NUL row is skipped and said`);
      assert.deepEqual(said('LOG_LINE_TOO_LONG'), [7 + 1 + HOSTILE.length + 3], `${path}: the 6 MB row is skipped and said`);
      const lines = [...eventsAt.values()].filter((e) => e.ref.path === path).map((e) => e.ref.line);
      // Every hostile row and every 100 kB row became an event, in place.
      for (let l = 8; l < 8 + HOSTILE.length + 3; l++) assert.ok(lines.includes(l), `${path}:${l} not read`);
    }
    // Each 100 kB value arrives whole in the column it was written to.
    for (const col of ['Parameters', 'GenericErrors', 'UserAgent', 'ActAsUser']) {
      assert.ok([...eventsAt.values()].some((e) => e.source === 'exchange' && e.fields[col] === BIG), `${col}: 100 kB value not read whole`);
    }
    // Markup and quotes are kept as data (rendering them inert is the reporters' job).
    assert.ok([...eventsAt.values()].some((e) => e.source === 'exchange' && e.fields['Cmdlet'] === HOSTILE[1]));
    assert.ok(findings.every((f) => f.evidence.path.startsWith('Logging/')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
