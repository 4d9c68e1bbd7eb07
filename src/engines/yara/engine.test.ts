// Tests for the YARA engine: compile once, LOKI external variables, author in every hit, log routing,
// one bad rule file not disabling the others, and switching off with YARA_UNAVAILABLE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticCollector } from '../../diagnostics.js';
import { rulesDir } from '../../paths.js';
import { createYaraEngine, externalVariables } from './engine.js';
import { loadYaraX } from './loader.js';

const available = !((await loadYaraX()) instanceof Error);
const skip = !available && '@litko/yara-x not installed';

function tempRules(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-yara-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('externalVariables follows LOKI: base name, directory part, lower-case extension with dot', () => {
  const v = externalVariables('C:\\inetpub\\wwwroot\\aspnet_client\\Shell.ASPX', 'ASP', 'abc');
  assert.equal(v.filename, 'Shell.ASPX');
  assert.equal(v.filepath, 'C:\\inetpub\\wwwroot\\aspnet_client');
  assert.equal(v.extension, '.aspx');
  assert.equal(v.filetype, 'ASP');
  assert.equal(v.md5, 'abc');
  assert.equal(externalVariables('\\noext', '', '').extension, '');
});

test('YARA_UNAVAILABLE once and engine off when the package is missing', async () => {
  const diags = new DiagnosticCollector();
  const e = await createYaraEngine({ paths: [], builtinDir: join(rulesDir, 'yara'), yaraPackage: 'exhunt-no-such-yara-package' }, diags.sink);
  assert.equal(e, null);
  assert.equal(diags.counts.get('YARA_UNAVAILABLE'), 1);
  // what is missing and how to add it
  assert.match(diags.kept.find((d) => d.code === 'YARA_UNAVAILABLE')!.message, /exhunt-no-such-yara-package cannot be loaded.*npm install -g @litko\/yara-x/);
});

test('rules see per-file variables and hits carry author, score and source', { skip }, async () => {
  const dir = tempRules({
    'a.yar': `rule Ext_Rule { meta: author = "Alice" score = 65 description = "aspx only" strings: $a = "marker" condition: $a and extension == ".aspx" and filepath contains "\\\\aspnet_client" }`,
  });
  try {
    const diags = new DiagnosticCollector();
    const e = (await createYaraEngine({ paths: [dir], builtinDir: null }, diags.sink))!;
    assert.equal(diags.total, 0);
    const data = Buffer.from('xx marker xx');
    const hits = e.scan(data, 'file', externalVariables('C:\\inetpub\\wwwroot\\aspnet_client\\a.aspx', '', ''));
    assert.equal(hits.length, 1);
    assert.equal(hits[0]!.author, 'Alice');
    assert.equal(hits[0]!.score, 65);
    assert.equal(hits[0]!.source, join(dir, 'a.yar'));
    assert.equal(e.scan(data, 'file', externalVariables('C:\\inetpub\\wwwroot\\aspnet_client\\a.php', '', '')).length, 0);
    assert.equal(e.scan(data, 'file', externalVariables('C:\\other\\a.aspx', '', '')).length, 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('log signatures only run on the log target, file rules only on files', { skip }, async () => {
  const dir = tempRules({
    'mixed.yar': `rule LOG_Trace { strings: $a = "/ecp/y.js" condition: $a }
rule WEBSHELL_Thing { strings: $a = "/ecp/y.js" condition: $a }`,
  });
  try {
    const e = (await createYaraEngine({ paths: [dir], builtinDir: null }, () => {}))!;
    assert.deepEqual(e.ruleCount, { file: 1, log: 1 });
    const data = Buffer.from('POST /ecp/y.js 200');
    const vars = externalVariables('\\x.log', '', '');
    assert.deepEqual(e.scan(data, 'log', vars).map((h) => h.rule), ['LOG_Trace']);
    assert.deepEqual(e.scan(data, 'file', vars).map((h) => h.rule), ['WEBSHELL_Thing']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a broken rule file is reported at its own file:line and the others still load; duplicate names split', { skip }, async () => {
  const dir = tempRules({
    '1-good.yar': 'rule Good_One { strings: $a = "good" condition: $a }\n',
    '2-bad.yar': 'rule Fine_Before { condition: false }\n\nrule Broken { condition: no_such_identifier }\n',
    '3-dup.yar': 'rule Good_One { strings: $a = "again" condition: $a }\n',
  });
  try {
    const diags = new DiagnosticCollector();
    const e = (await createYaraEngine({ paths: [dir], builtinDir: null }, diags.sink))!;
    const d = diags.kept.find((x) => x.code === 'YARA_COMPILE');
    assert.ok(d, 'YARA_COMPILE expected');
    assert.equal(d.location?.path, join(dir, '2-bad.yar'));
    assert.equal(d.location?.line, 3);
    const hits = e.scan(Buffer.from('good again'), 'file', externalVariables('\\x', '', ''));
    assert.deepEqual(hits.map((h) => h.source).sort(), [join(dir, '1-good.yar'), join(dir, '3-dup.yar')]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('the built-in pack compiles and every rule names exhunt as author, a level and ATT&CK', { skip }, async () => {
  const diags = new DiagnosticCollector();
  const e = (await createYaraEngine({ paths: [], builtinDir: join(rulesDir, 'yara') }, diags.sink))!;
  assert.equal(diags.total, 0, JSON.stringify(diags.kept));
  assert.ok(e.ruleCount.file >= 6);
  const pst = Buffer.concat([Buffer.from('!BDN'), Buffer.alloc(60)]);
  const hits = e.scan(pst, 'file', externalVariables('C:\\inetpub\\wwwroot\\aspnet_client\\a.aspx', 'PST', ''));
  assert.deepEqual(hits.map((h) => h.rule), ['EXHUNT_WEBSHELL_PST_Export_As_Script']);
  assert.equal(hits[0]!.author, 'exhunt project');
  assert.equal(hits[0]!.level, 'critical');
  assert.deepEqual(hits[0]!.attack, ['T1505.003', 'T1190']);
  assert.equal(e.scan(pst, 'file', externalVariables('C:\\x\\mail.pst', 'PST', '')).length, 0);
  // a binary (DER) certificate request written as a page
  const der = Buffer.concat([Buffer.from([0x30, 0x82, 0x02, 0x5a, 0x30, 0x82]), Buffer.from('CN=exhunt imitation')]);
  assert.deepEqual(e.scan(der, 'file', externalVariables('C:\\inetpub\\wwwroot\\aspnet_client\\r.aspx', 'DER', '')).map((h) => h.rule), ['EXHUNT_WEBSHELL_CertRequest_As_Script']);
  assert.equal(e.scan(der, 'file', externalVariables('C:\\certs\\r.req', 'DER', '')).length, 0);
});
