// Tests for the file scanner on our fixture collections: every Exchange check with ATT&CK, hashes and
// times; a clean collection with nothing at medium or above; IOC lists; size limit; links; rule folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticCollector } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import { levelRank, type Finding } from '../../finding.js';
import { projectRoot } from '../../paths.js';
import { loadYaraX } from '../yara/index.js';
import { evidenceUnder } from './fixture-evidence.js';
import { createFileScanner } from './scanner.js';

const FIX = join(projectRoot, 'test', 'fixtures', 'files');
const EX = 'C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy';
const skip = (await loadYaraX()) instanceof Error && '@litko/yara-x not installed';

async function scanAll(root: string, opts: Partial<Parameters<typeof createFileScanner>[0]> = {}): Promise<{ findings: Finding[]; diags: DiagnosticCollector; evidence: Evidence[] }> {
  const diags = new DiagnosticCollector();
  const scanner = await createFileScanner({ yara: [], iocs: [], builtin: true, ...opts }, diags.sink);
  const evidence = evidenceUnder(root);
  const findings: Finding[] = [];
  for (const ev of evidence) findings.push(...(await scanner.scan(ev)));
  return { findings, diags, evidence };
}

const key = (f: Finding): string => `${f.rule.id} ${f.evidence.path}`;

test("exhunt's own checks find every planted trace in the compromised fixture", async () => {
  const { findings } = await scanAll(join(FIX, 'compromised'), { builtin: false });
  const got = findings.filter((f) => f.engine === 'file').map((f) => `${f.level} ${key(f)}`).sort();
  assert.deepEqual(got, [
    `critical exhunt-file-process-dump C/Windows/Temp/lsass.dmp`,
    `critical exhunt-file-process-dump C/root/out.bin`,
    `high exhunt-file-compiled-leftover C/Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/1a2b3c4d/5e6f7a8b/gone.aspx.11aa22bb.compiled`,
    `high exhunt-file-compiled-leftover C/Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/root/1a2b3c4d/5e6f7a8b/supp0rt.aspx.4f2e1d0c.compiled`,
    `high exhunt-file-iis-vdir-programdata C/Windows/System32/inetsrv/config/applicationHost.config`,
    `high exhunt-file-staging-archive C/inetpub/wwwroot/aspnet_client/system_web/logs.txt`,
    `high exhunt-file-unexpected-script ${EX}/ecp/auth/yqzbwdra.aspx`,
    `high exhunt-file-unexpected-script ${EX}/owa/auth/Current/themes/xml.ashx`,
    `high exhunt-file-unexpected-script ${EX}/owa/auth/errorEE.aspx`,
    `high exhunt-file-unexpected-script C/inetpub/wwwroot/aspnet_client/mnuvsqfz.aspx`,
    `high exhunt-file-unexpected-script C/inetpub/wwwroot/aspnet_client/supp0rt.aspx`,
    `medium exhunt-file-staging-archive C/ProgramData/COM/data.7z`,
    `medium exhunt-file-staging-archive C/ProgramData/pst/it.zip`,
  ]);
  const byKind = (k: string): Finding[] => findings.filter((f) => f.evidence.kind === k);
  assert.ok(byKind('process-dump').every((f) => f.attack.includes('T1003.001') && f.fields['lsass'] === true));
  assert.ok(byKind('archive').every((f) => f.attack.includes('T1560.001')));
  assert.ok(byKind('webshell').every((f) => f.attack.includes('T1505.003')));
  const vdir = byKind('iis-config')[0]!;
  assert.equal(vdir.fields['physicalPath'], 'C:\\ProgramData\\COM');
  assert.equal(vdir.evidence.line, 12);
  const gone = findings.find((f) => f.evidence.path.endsWith('gone.aspx.11aa22bb.compiled'))!;
  assert.equal(gone.fields['urlPath'], '/owa/auth/gone.aspx');
});

test('every file finding carries hashes of the content, file times and the Windows path', async () => {
  const { findings } = await scanAll(join(FIX, 'compromised'), { builtin: false });
  const f = findings.find((x) => x.evidence.path === 'C/inetpub/wwwroot/aspnet_client/supp0rt.aspx')!;
  const data = readFileSync(join(FIX, 'compromised', f.evidence.path));
  assert.equal(f.fields['md5'], createHash('md5').update(data).digest('hex'));
  assert.equal(f.fields['sha1'], createHash('sha1').update(data).digest('hex'));
  assert.equal(f.fields['sha256'], createHash('sha256').update(data).digest('hex'));
  assert.equal(f.fields['windowsPath'], 'C:\\inetpub\\wwwroot\\aspnet_client\\supp0rt.aspx');
  assert.equal(f.fields['urlPath'], '/aspnet_client/supp0rt.aspx');
  for (const t of ['mtime', 'ctime', 'atime']) assert.match(String(f.fields[t]), /^\d{4}-\d\d-\d\dT.*Z$/);
  assert.equal(f.time, f.fields['mtime']);
});

test('the built-in YARA pack names each shell imitation, with exhunt as author', { skip }, async () => {
  const { findings } = await scanAll(join(FIX, 'compromised'));
  const yara = findings.filter((f) => f.engine === 'yara');
  const has = (rule: string, path: string): boolean => yara.some((f) => f.rule.id === rule && f.evidence.path === path);
  assert.ok(has('EXHUNT_WEBSHELL_ChinaChopper_OneLiner', `${EX}/owa/auth/errorEE.aspx`));
  assert.ok(has('EXHUNT_WEBSHELL_PST_Export_As_Script', 'C/inetpub/wwwroot/aspnet_client/mnuvsqfz.aspx'));
  assert.ok(has('EXHUNT_WEBSHELL_CertRequest_As_Script', `${EX}/ecp/auth/yqzbwdra.aspx`));
  assert.ok(has('EXHUNT_WEBSHELL_ASPX_Obfuscated', `${EX}/owa/auth/Current/themes/xml.ashx`));
  assert.ok(yara.every((f) => f.rule.author === 'exhunt project' && f.rule.source.startsWith('builtin:yara/')));
  assert.ok(!yara.some((f) => /logon|errorFE|signout|TimeoutLogout/.test(f.evidence.path)), 'clean pages do not match');
});

test('a clean collection yields nothing at medium or above', async () => {
  const { findings, diags } = await scanAll(join(FIX, 'clean'));
  const serious = findings.filter((f) => levelRank(f.level) >= levelRank('medium'));
  assert.deepEqual(serious.map(key), []);
  // the WER crash dump and the Defender cab are still seen, just not alarming
  assert.deepEqual(findings.map((f) => `${f.level} ${f.evidence.kind}`).sort(), ['informational process-dump', 'low archive']);
  assert.equal(diags.kept.filter((d) => d.severity !== 'info').length, 0);
});

test('IOC lists: file-name and hash IOCs become ioc findings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-ioc-'));
  try {
    const shell = readFileSync(join(FIX, 'compromised', 'C/inetpub/wwwroot/aspnet_client/supp0rt.aspx'));
    const sha256 = createHash('sha256').update(shell).digest('hex');
    writeFileSync(join(dir, 'my-hash-iocs.txt'), `# test\n${sha256};90;imitation shell\n`);
    writeFileSync(join(dir, 'my-filename-iocs.txt'), `# out.bin dumps\n(?i)\\\\root\\\\out\\.bin$;70\n`);
    const { findings } = await scanAll(join(FIX, 'compromised'), { builtin: false, iocs: [join(dir, 'my-hash-iocs.txt'), join(dir, 'my-filename-iocs.txt')] });
    const ioc = findings.filter((f) => f.engine === 'ioc').map((f) => `${f.level} ${f.evidence.kind} ${f.evidence.path}`).sort();
    assert.deepEqual(ioc, [
      `high ioc-hash ${EX}/owa/auth/errorEE.aspx`, // same imitation content, same hash
      'high ioc-hash C/inetpub/wwwroot/aspnet_client/supp0rt.aspx',
      'medium ioc-filename C/root/out.bin',
    ]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('size limit: FILE_TOO_LARGE, no hashes, header checks still find the dump', async () => {
  const { findings, diags } = await scanAll(join(FIX, 'compromised'), { builtin: false, maxFileSize: 300 });
  assert.ok((diags.counts.get('FILE_TOO_LARGE') ?? 0) >= 2);
  const dump = findings.find((f) => f.evidence.path === 'C/Windows/Temp/lsass.dmp')!;
  assert.equal(dump.fields['md5'], null);
  assert.equal(dump.level, 'critical', 'named lsass: still critical from header and name');
});

test('links out of the collection are not followed; exhunt rule files are never scanned', { skip }, async () => {
  const outside = mkdtempSync(join(tmpdir(), 'exhunt-outside-'));
  const root = mkdtempSync(join(tmpdir(), 'exhunt-root-'));
  const rules = mkdtempSync(join(tmpdir(), 'exhunt-rules-'));
  try {
    writeFileSync(join(outside, 'secret.aspx'), 'selfmatch-marker');
    mkdirSync(join(root, 'C', 'inetpub', 'wwwroot', 'aspnet_client'), { recursive: true });
    symlinkSync(join(outside, 'secret.aspx'), join(root, 'C', 'inetpub', 'wwwroot', 'aspnet_client', 'link.aspx'));
    writeFileSync(join(rules, 'self.yar'), 'rule Self_Match { strings: $a = "selfmatch-marker" condition: $a }\n');
    const diags = new DiagnosticCollector();
    const scanner = await createFileScanner({ yara: [rules], iocs: [], builtin: true }, diags.sink);
    const evs = evidenceUnder(root);
    assert.equal(evs.length, 1);
    assert.deepEqual(await scanner.scan(evs[0]!), []);
    assert.equal(diags.counts.get('SYMLINK_OUTSIDE'), 1);
    // the rule file itself, and exhunt's built-in pack, handed in as evidence
    for (const ev of [...evidenceUnder(rules), ...evidenceUnder(join(projectRoot, 'rules'))]) assert.deepEqual(await scanner.scan(ev), []);
    assert.ok(scanner.stats.skipped >= 3);
  } finally {
    for (const d of [outside, root, rules]) rmSync(d, { recursive: true });
  }
});

test('log signatures run on IIS logs, with the line of the match', { skip }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'exhunt-logs-'));
  const rules = mkdtempSync(join(tmpdir(), 'exhunt-logrules-'));
  try {
    const logDir = join(root, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(join(logDir, 'u_ex210303.log'), '#Fields: date time cs-method cs-uri-stem\n2021-03-03 02:00:00 GET /owa/\n2021-03-03 02:01:00 POST /ecp/y.js\n');
    writeFileSync(join(rules, 'logs.yar'), 'rule LOG_Test_Ecp_Js { meta: author = "Tester" strings: $a = "POST /ecp/y.js" condition: $a }\nrule WEBSHELL_Same { strings: $a = "POST /ecp/y.js" condition: $a }\n');
    const { findings } = await scanAll(root, { yara: [rules], builtin: false });
    assert.deepEqual(findings.map((f) => [f.rule.id, f.evidence.kind, f.evidence.line, f.rule.author, f.attack.join()]), [
      ['LOG_Test_Ecp_Js', 'yara-log-match', 3, 'Tester', 'T1190'],
    ]);
  } finally {
    for (const d of [root, rules]) rmSync(d, { recursive: true });
  }
});

test('without YARA-X the file checks still run and YARA_UNAVAILABLE is said once', async () => {
  const { findings, diags } = await scanAll(join(FIX, 'compromised'), { yaraPackage: 'exhunt-no-such-yara-package' });
  assert.equal(diags.counts.get('YARA_UNAVAILABLE'), 1);
  assert.equal(findings.filter((f) => f.engine === 'yara').length, 0);
  assert.ok(findings.filter((f) => f.engine === 'file').length >= 10);
});

test('a script page is scanned as a page even when its content was sniffed as another kind', { skip }, async () => {
  const diags = new DiagnosticCollector();
  const scanner = await createFileScanner({ yara: [], iocs: [], builtin: true }, diags.sink);
  const ev = evidenceUnder(join(FIX, 'compromised')).find((e) => e.path.endsWith('aspnet_client/supp0rt.aspx'))!;
  const asJson = await scanner.scan({ ...ev, kind: 'json' });
  assert.ok(asJson.some((f) => f.rule.id === 'EXHUNT_WEBSHELL_ChinaChopper_OneLiner'));
  const evtx = evidenceUnder(join(FIX, 'compromised')).find((e) => e.path.endsWith('TimeoutLogout.aspx'))!;
  const other = { ...evtx, absPath: evtx.absPath, path: 'C/Windows/System32/winevt/Logs/Application.evtx', kind: 'evtx' as const };
  assert.deepEqual(await scanner.scan(other), [], 'event logs get no YARA and no content checks');
  assert.equal(scanner.stats.yaraScanned.file, 1);
});

test('stats for the scan summary: rules and IOC entries in use, null when none were asked for', async () => {
  const none = await createFileScanner({ yara: [], iocs: [], builtin: false }, () => {});
  assert.equal(none.stats.yara, null);
  assert.equal(none.stats.iocs, null);
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-stats-'));
  try {
    writeFileSync(join(dir, 'hash-iocs.txt'), 'd41d8cd98f00b204e9800998ecf8427e;empty\n');
    const off = await createFileScanner({ yara: [], iocs: [join(dir, 'hash-iocs.txt')], builtin: true, yaraPackage: 'exhunt-no-such-yara-package' }, () => {});
    assert.deepEqual(off.stats.yara, { loaded: 0, available: false });
    assert.deepEqual(off.stats.iocs, { loaded: 1 });
  } finally {
    rmSync(dir, { recursive: true });
  }
  if (!skip) {
    const on = await createFileScanner({ yara: [], iocs: [], builtin: true }, () => {});
    assert.equal(on.stats.yara?.available, true);
    assert.ok((on.stats.yara?.loaded ?? 0) >= 6);
  }
});
