// Conformance: the staged Neo23x0 signature-base rules and IOC lists (../shared/signature-base) load and
// run through exhunt's file scan: all compile, log signatures route to logs, authors travel (DRL 1.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticCollector } from '../../src/diagnostics.js';
import { createFileScanner } from '../../src/engines/files/index.js';
import { evidenceUnder } from '../../src/engines/files/fixture-evidence.js';
import { loadYaraX } from '../../src/engines/yara/index.js';
import { levelRank, type Finding } from '../../src/finding.js';
import { hasShared, projectRoot, sharedDir } from '../../src/paths.js';

const SB = join(sharedDir, 'signature-base');
const noYara = (await loadYaraX()) instanceof Error;
const skip = (!hasShared && 'needs ../shared') || (noYara && '@litko/yara-x not installed');
const FIX = join(projectRoot, 'test', 'fixtures', 'files');

async function scan(root: string, diags: DiagnosticCollector): Promise<{ findings: Finding[]; rules: { file: number; log: number } }> {
  const scanner = await createFileScanner(
    { yara: [join(SB, 'yara')], iocs: [join(SB, 'iocs', 'filename-iocs.txt'), join(SB, 'iocs', 'hash-iocs.txt')], builtin: true },
    diags.sink,
  );
  const findings: Finding[] = [];
  for (const ev of evidenceUnder(root)) findings.push(...(await scanner.scan(ev)));
  return { findings, rules: scanner.stats.yaraRules };
}

test('all staged signature-base rule files compile; 15 log signatures are routed to logs', { skip }, async () => {
  const diags = new DiagnosticCollector();
  const { rules } = await scan(join(FIX, 'clean'), diags);
  assert.equal(diags.counts.get('YARA_COMPILE') ?? 0, 0, JSON.stringify(diags.kept.filter((d) => d.code === 'YARA_COMPILE')));
  assert.equal(rules.log, 15);
  assert.ok(rules.file >= 875, `file rules: ${rules.file}`);
  assert.equal(diags.counts.get('IOC_BAD_LINE') ?? 0, 0);
});

test('the clean fixture stays below medium with signature-base rules and IOCs', { skip }, async () => {
  const { findings } = await scan(join(FIX, 'clean'), new DiagnosticCollector());
  const serious = findings.filter((f) => levelRank(f.level) >= levelRank('medium'));
  assert.deepEqual(serious.map((f) => `${f.rule.id} ${f.evidence.path}`), []);
});

test('signature-base rules and IOCs fire on the shell imitations, each YARA finding with its author', { skip }, async () => {
  const { findings } = await scan(join(FIX, 'compromised'), new DiagnosticCollector());
  const sb = findings.filter((f) => f.engine === 'yara' && !f.rule.source.startsWith('builtin:'));
  assert.ok(sb.length >= 5, `signature-base YARA findings: ${sb.length}`);
  assert.ok(sb.every((f) => typeof f.rule.author === 'string' && f.rule.author.length > 0));
  assert.ok(sb.some((f) => f.rule.id === 'WEBSHELL_Mailbox_Export_PST_ProxyShell_Aug26'));
  assert.ok(sb.some((f) => f.rule.id === 'ChinaChopper_Generic'));
  assert.ok(findings.some((f) => f.engine === 'ioc' && f.evidence.path === 'C/inetpub/wwwroot/aspnet_client/supp0rt.aspx'));
});

test('a signature-base log signature fires on an IIS log imitation and not on the web root', { skip }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'exhunt-sb-logs-'));
  try {
    const dir = join(root, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
    mkdirSync(dir, { recursive: true });
    const q = '@evil.example/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.example&CorrelationID=<empty>;&cafeReqId=0f0f0f0f-1111-2222-3333-444444444444;';
    const line = `2021-08-12 10:00:00 10.0.0.5 POST /autodiscover/autodiscover.json ${q} 443 - 203.0.113.77 python-requests/2.26.0 - 200 0 0 120`;
    const log = `#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n${line}\n`;
    writeFileSync(join(dir, 'u_ex210812.log'), log);
    // the same text copied into a web folder must not trigger log signatures there
    mkdirSync(join(root, 'C', 'inetpub', 'wwwroot'), { recursive: true });
    writeFileSync(join(root, 'C', 'inetpub', 'wwwroot', 'notes.htm'), log);
    const { findings } = await scan(root, new DiagnosticCollector());
    const logHits = findings.filter((f) => f.evidence.kind === 'yara-log-match');
    assert.ok(logHits.some((f) => f.rule.id === 'EXPL_Exchange_ProxyShell_Successful_Aug21_1' && f.evidence.line === 3));
    assert.ok(logHits.every((f) => f.evidence.path.endsWith('u_ex210812.log')));
    assert.ok(logHits.every((f) => f.attack.includes('T1190') && f.rule.author === 'Florian Roth (Nextron Systems)'));
  } finally {
    rmSync(root, { recursive: true });
  }
});
