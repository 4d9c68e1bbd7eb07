// Test-ProxyLogon's checks on HttpProxy logs in the shape Exchange writes them (a bare CSV header row before the `#`
// block) fire on the same rows as on the `#`-first shape, coverage counts those logs, and the OAB log reads in every candidate shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { huntAll } from './hunt-all.js';
import type { Finding } from '../../src/finding.js';
import { exchangeLogText, type HeaderMode } from '../../src/readers/exchange/testkit.js';

const fixture = join(projectRoot, 'test', 'fixtures', 'exchange', 'proxylogon');
/** Test-ProxyLogon's log checks as rules of our pack (research exchange.md §1). */
const TPL_RULES = [
  'exch_httpproxy_cve_2021_26855_serverinfo_anchor',
  'exch_httpproxy_cve_2021_27065_reset_vdir',
  'exch_ecp_cve_2021_27065_set_vdir_script',
  'exch_oab_cve_2021_26858_download_path',
  'win_exchange_cve_2021_26857_um_error',
];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

/** rule @ path : line of the Test-ProxyLogon findings, HttpProxy lines shifted by `shift`. */
function tplHits(findings: Finding[], shift: number): string[] {
  return findings
    .filter((f) => TPL_RULES.includes(basename(f.rule.source).replace(/\.yml$/, '')))
    .map((f) => {
      const proxy = f.evidence.path.includes('/HttpProxy/');
      const line = (f.evidence.line ?? f.evidence.record ?? 0) + (proxy ? shift : 0);
      return `${basename(f.rule.source)} @ ${f.evidence.path}:${line}`;
    })
    .sort();
}

test('Test-ProxyLogon checks fire on the same rows in the real HttpProxy shape and the #-first shape; coverage counts both', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-shapes-'));
  try {
    const real = join(dir, 'real');
    const hashFirst = join(dir, 'hash-first');
    cpSync(fixture, real, { recursive: true });
    cpSync(fixture, hashFirst, { recursive: true });
    let proxyFiles = 0;
    for (const f of files(hashFirst)) {
      if (!f.includes('/HttpProxy/')) continue;
      const text = readFileSync(f, 'utf8');
      assert.ok(!text.startsWith('#'), `${relative(hashFirst, f)}: the fixture is not in the real shape`);
      writeFileSync(f, text.slice(text.indexOf('\n') + 1)); // drop the bare header row
      proxyFiles++;
    }
    assert.ok(proxyFiles > 0);
    const a = await huntAll({ inputs: [real], minLevel: 'low' });
    const b = await huntAll({ inputs: [hashFirst], minLevel: 'low' });
    const hitsA = tplHits(a.findings, 0);
    assert.deepEqual(hitsA, tplHits(b.findings, 1));
    for (const r of ['exch_httpproxy_cve_2021_26855_serverinfo_anchor', 'exch_httpproxy_cve_2021_27065_reset_vdir']) {
      assert.ok(hitsA.some((h) => h.startsWith(r)), `${r} did not fire on the real shape`);
    }
    for (const res of [a, b]) {
      const proxy = res.summary.coverage.filter((c) => c.kind.startsWith('exchange:httpproxy'));
      assert.ok(proxy.length > 0 && proxy.every((c) => c.lines > 0 && c.first !== null), JSON.stringify(res.summary.coverage));
      assert.ok(!res.summary.coverageWarnings.some((w) => w.includes('No Exchange HttpProxy logs')));
      assert.equal(res.summary.files.byKind['exchange-csv']?.files, proxyFiles + 2); // + the ECP server and OAB logs
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the OAB generator log, whose header mode the research leaves open, is read in each of the three modes', async () => {
  const fields = ['DateTime', 'ThreadId', 'TraceLevel', 'OabGuid', 'Message'];
  const rows = [
    ['2021-03-02T04:00:01.000Z', '12', 'Information', '8c1f2b9e-4d7a-4e61-9f3c-2a6b7d0e5c41', "OABGenerator started generation of OAB '\\Default Offline Address Book'."],
    ['2021-03-02T04:00:09.000Z', '12', 'Warning', '8c1f2b9e-4d7a-4e61-9f3c-2a6b7d0e5c41', "Download failed and temporary file '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\discover.aspx' needs to be removed."],
  ];
  for (const mode of ['csv-compatible', 'hash-first', 'csv-strict'] as HeaderMode[]) {
    const dir = mkdtempSync(join(tmpdir(), 'exhunt-oab-'));
    try {
      const rel = 'C/Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog/OABGeneratorLog_20210302-1.LOG';
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      const head = { mode, version: '15.01.2176.002', logType: 'OABGenerator Log', date: '2021-03-02T04:00:00.000Z', fields };
      writeFileSync(join(dir, rel), exchangeLogText(head, rows, { requestDetails: false }));
      const res = await huntAll({ inputs: [dir], minLevel: 'low' });
      const hit = res.findings.find((f) => basename(f.rule.source) === 'exch_oab_cve_2021_26858_download_path.yml');
      const firstRow = mode === 'csv-compatible' ? 7 : mode === 'hash-first' ? 6 : 2;
      assert.equal(hit?.evidence.line, firstRow + 1, `${mode}: ${res.findings.map((f) => f.rule.title).join('; ')}`);
      assert.ok(res.summary.coverage.some((c) => c.kind === 'exchange:oab-generator' && c.lines === 2), mode);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
