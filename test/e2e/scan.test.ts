// End-to-end tests of `exhunt scan` through the CLI entry: exit codes, outputs, evidence left
// untouched, hostile input survived. Runs on the bundled example and on tiny evidence made here.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.js';
import { projectRoot } from '../../src/paths.js';

const example = join(projectRoot, 'examples', 'exchange-2021');

const run = runCli;

function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else m.set(p, `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mtimeMs} ${st.size}`);
    }
  };
  walk(dir);
  return m;
}

test('the example collection: attack traces found with CVE and ATT&CK IDs, outputs written, evidence unchanged', { skip: !existsSync(example) && 'examples/exchange-2021 not generated' }, async () => {
  const before = snapshot(example);
  const out = mkdtempSync(join(tmpdir(), 'exhunt-e2e-'));
  const r = await run(['scan', example, '--out', out, '--quiet']);
  assert.equal(r.code, 1, r.err);
  const findings = readFileSync(join(out, 'findings.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(findings.length > 0);
  for (const f of findings) {
    for (const k of ['time', 'level', 'rule', 'cves', 'attack', 'host', 'evidence', 'fields']) assert.ok(k in f, `finding lacks ${k}`);
    const ev = f['evidence'] as { path: string; line?: number; record?: number; kind: string };
    assert.ok(!ev.path.includes('\\') && !ev.path.startsWith('/'), `evidence path ${ev.path} is relative with / separators`);
  }
  const cves = new Set(findings.flatMap((f) => f['cves'] as string[]));
  for (const cve of ['CVE-2021-26855', 'CVE-2021-27065']) assert.ok(cves.has(cve), `no finding for ${cve}`);
  const attack = new Set(findings.flatMap((f) => f['attack'] as string[]));
  for (const t of ['T1190', 'T1505.003']) assert.ok(attack.has(t), `no finding mapped to ${t}`);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { files: { total: number }; coverage: unknown[]; exposure: { builds: { build: string }[] } | null };
  assert.ok(summary.files.total > 5);
  assert.ok(summary.coverage.length > 0);
  assert.ok(summary.exposure && summary.exposure.builds.some((b) => b.build.startsWith('15.1.2176')), 'build 15.1.2176.x discovered');
  for (const name of ['report.html', 'timeline.csv', 'timeline.jsonl', 'attack-layer.json', 'stix.json']) {
    assert.ok(existsSync(join(out, name)), `${name} written`);
  }
  assert.deepEqual(snapshot(example), before, 'evidence files unchanged (content, size, mtime)');
});

test('--jsonl prints one finding object per line and --min-level filters', { skip: !existsSync(example) && 'examples/exchange-2021 not generated' }, async () => {
  const all = await run(['scan', example, '--jsonl', '--quiet', '--min-level', 'low']);
  const crit = await run(['scan', example, '--jsonl', '--quiet', '--min-level', 'critical']);
  const lines = all.out.trim().split('\n').map((l) => JSON.parse(l) as { level: string });
  const critLines = crit.out.trim() === '' ? [] : crit.out.trim().split('\n').map((l) => JSON.parse(l) as { level: string });
  assert.ok(lines.length > critLines.length);
  assert.ok(critLines.every((f) => f.level === 'critical'));
  assert.ok(lines.every((f) => f.level !== 'informational'));
});

test('benign traffic yields nothing at medium or above and exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-benign-'));
  mkdirSync(join(dir, 'W3SVC1'));
  const lines = ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', '#Date: 2021-03-01 00:00:00',
    '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken'];
  for (let i = 0; i < 200; i++) {
    const t = `2021-03-01 ${String(8 + (i % 10)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`;
    lines.push(`${t} 10.0.0.5 GET /owa/ &ClientId=ABC&ex=OWA 443 CONTOSO\\alice 10.0.1.${i % 50} Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 15`);
    lines.push(`${t} 10.0.0.5 POST /Microsoft-Server-ActiveSync/default.eas Cmd=Sync&User=bob&DeviceId=X 443 CONTOSO\\bob 10.0.2.${i % 50} Apple-iPhone12C1/1805.114 - 200 0 0 30`);
  }
  writeFileSync(join(dir, 'W3SVC1', 'u_ex210301.log'), lines.join('\r\n') + '\r\n');
  const r = await run(['scan', dir, '--jsonl', '--quiet']);
  assert.equal(r.out, '');
  assert.equal(r.code, 0, r.err);
});

test('hostile input: binary garbage, invalid UTF-8, a 10 MB line and a truncated file are survived and counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-hostile-'));
  const header = '#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n';
  const good = '2021-03-03 10:00:00 10.0.0.5 POST /ecp/y.js - 443 - 203.0.113.77 ExchangeServicesClient/0.0.0.0 - 200 0 0 10\n';
  writeFileSync(join(dir, 'u_ex210303.log'), header + 'x'.repeat(10 * 1024 * 1024) + '\n' + Buffer.from([0xff, 0xfe, 0xc3, 0x28]).toString('latin1') + ' bad utf8\n' + good + '2021-03-03 10:00');
  writeFileSync(join(dir, 'garbage.log'), Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919) % 256)));
  writeFileSync(join(dir, 'Security.evtx'), Buffer.concat([Buffer.from('ElfFile\0'), Buffer.alloc(5000, 0x41)]));
  writeFileSync(join(dir, 'events.jsonl'), '{"Event":{"System":{"EventID":1}}}\n{not json\n');
  const r = await run(['scan', dir, '--out', join(dir, '..', 'hostile-out-' + Date.now()), '--quiet', '--min-level', 'low']);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.err}`);
  const outDir = readdirSync(join(dir, '..')).filter((n) => n.startsWith('hostile-out-')).map((n) => join(dir, '..', n)).sort().pop()!;
  const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as { diagnostics: { total: number; byCode: Record<string, number> } };
  assert.ok(summary.diagnostics.total >= 3, JSON.stringify(summary.diagnostics.byCode));
  assert.ok((summary.diagnostics.byCode['LOG_LINE_TOO_LONG'] ?? 0) >= 1, 'the 10 MB line is reported');
  assert.ok((summary.diagnostics.byCode['JSON_BAD_RECORD'] ?? 0) >= 1, 'the broken JSON line is reported');
});

test('usage errors and unreadable input exit 2', async () => {
  assert.equal((await run(['scan'])).code, 2);
  assert.equal((await run(['scan', '/nonexistent/path/for/exhunt'])).code, 2);
  assert.equal((await run(['scan', projectRoot, '--since', 'yesterday'])).code, 2);
  assert.equal((await run(['scan', projectRoot, '--min-level', 'severe'])).code, 2);
  const empty = mkdtempSync(join(tmpdir(), 'exhunt-empty-'));
  assert.equal((await run(['scan', empty, '--quiet'])).code, 2);
});
