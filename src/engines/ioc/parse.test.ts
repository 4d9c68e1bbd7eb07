// Tests for LOKI IOC parsing and matching: formats, (?i), false-positive regexes, bad lines with their
// line numbers, and the literal prefilter agreeing with running every regex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticCollector } from '../../diagnostics.js';
import { hasShared, sharedDir } from '../../paths.js';
import { createIocSet, iocListKind } from './ioc-set.js';
import { requiredLiteral } from './literal.js';
import { parseFilenameIocs, parseHashIocs } from './parse.js';

const NAMES = `# header comment
#
# HAFNIUM web shells
\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\[^\\\\]{1,20}\\.aspx;90
(?i)\\\\owa\\\\auth\\\\shell\\.aspx;80;(?i)\\\\backup\\\\
not-a-number-score;abc
(?=lookahead)x;50

# procdump
\\\\procdump(64)?\\.exe;50;SysInternals\\\\
a;b;c;d
`;

test('file-name IOCs: score, description block, FP regex, (?i), and IOC_BAD_LINE with line numbers', () => {
  const diags = new DiagnosticCollector();
  const iocs = parseFilenameIocs(NAMES, 'names.txt', diags.sink);
  assert.deepEqual(iocs.map((i) => [i.line, i.score]), [[4, 90], [5, 80], [10, 50]]);
  assert.equal(iocs[0]!.description, 'HAFNIUM web shells');
  assert.equal(iocs[2]!.description, 'procdump');
  assert.deepEqual(diags.kept.map((d) => [d.code, d.location?.line]), [['IOC_BAD_LINE', 6], ['IOC_BAD_LINE', 7], ['IOC_BAD_LINE', 11]]);
  const set = createIocSet(iocs, []);
  assert.deepEqual(set.matchPath('C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx').map((i) => i.line), [4]);
  assert.deepEqual(set.matchPath('C:\\X\\OWA\\AUTH\\SHELL.ASPX').map((i) => i.line), [5]);
  assert.deepEqual(set.matchPath('C:\\backup\\owa\\auth\\shell.aspx'), [], 'FP regex cancels');
  assert.deepEqual(set.matchPath('C:\\tools\\procdump64.exe').map((i) => i.line), [10]);
  assert.deepEqual(set.matchPath('C:\\SysInternals\\procdump.exe'), []);
  assert.deepEqual(set.matchPath('C:\\INETPUB\\wwwroot\\aspnet_client\\x.aspx'), [], 'case-sensitive without (?i)');
});

test('hash IOCs: with and without score, type by length, bad digests reported', () => {
  const diags = new DiagnosticCollector();
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
  const sha256 = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';
  const text = `# c\n${md5};empty file\n${sha256};75;HAFNIUM; web shell\nzzzz;bad\n1234;short\n`;
  const hashes = parseHashIocs(text, 'hash.txt', diags.sink);
  assert.deepEqual(hashes.map((h) => [h.kind, h.score, h.comment, h.line]), [
    ['md5', 100, 'empty file', 2],
    ['sha256', 75, 'HAFNIUM; web shell', 3],
  ]);
  assert.equal(hashes[1]!.hash, sha256.toLowerCase());
  assert.deepEqual(diags.kept.map((d) => d.location?.line), [4, 5]);
  const set = createIocSet([], hashes);
  assert.deepEqual(set.matchDigests({ md5, sha1: 'x', sha256: sha256.toLowerCase() }).map((h) => h.line), [2, 3]);
});

test('iocListKind: by file name words, else by the first entry', () => {
  assert.equal(iocListKind('/x/hash-iocs.txt', ''), 'hash');
  assert.equal(iocListKind('/x/filename-iocs.txt', ''), 'filename');
  assert.equal(iocListKind('/x/c2-iocs.txt', ''), 'unsupported');
  assert.equal(iocListKind('/x/mine.txt', '# c\nd41d8cd98f00b204e9800998ecf8427e;x\n'), 'hash');
  assert.equal(iocListKind('/x/mine.txt', '# c\n\\\\evil\\.exe;80\n'), 'filename');
});

test('requiredLiteral: longest must-have run, none under alternation or optional parts', () => {
  assert.equal(requiredLiteral('\\\\inetpub\\\\wwwroot\\\\[a-z]+\\.aspx'), '\\inetpub\\wwwroot\\');
  assert.equal(requiredLiteral('(?i)\\\\Temp\\\\x\\.exe'), '\\temp\\x.exe');
  assert.equal(requiredLiteral('abc|defgh'), null);
  assert.equal(requiredLiteral('abcd?e'), 'abc');
  assert.equal(requiredLiteral('ab(cd|ef)gh'), null);
  assert.equal(requiredLiteral('x{0,3}yyyy'), 'yyyy');
  assert.equal(requiredLiteral('\\dabcd\\w'), 'abcd');
});

test('prefiltered matching agrees with running every regex (signature-base list)', { skip: !hasShared && 'needs ../shared' }, () => {
  const file = join(sharedDir, 'signature-base', 'iocs', 'filename-iocs.txt');
  const iocs = parseFilenameIocs(readFileSync(file, 'utf8'), file, () => {});
  const set = createIocSet(iocs, []);
  const paths = [
    'C:\\inetpub\\wwwroot\\aspnet_client\\supp0rt.aspx',
    'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\errorEE.aspx',
    'C:\\Windows\\Temp\\lsass.dmp',
    'C:\\ProgramData\\COM\\1.exe',
    'C:\\Users\\Public\\opera\\Opera_browser.exe',
    'C:\\Windows\\System32\\svchost.exe',
    'C:\\PerfLogs\\cm.exe',
  ];
  let hits = 0;
  for (const p of paths) {
    const brute = iocs.filter((i) => i.pattern.test(p) && !(i.falsePositive?.test(p) ?? false)).map((i) => i.line);
    const fast = set.matchPath(p).map((i) => i.line);
    assert.deepEqual(fast, brute, p);
    hits += fast.length;
  }
  assert.ok(hits >= 5, 'the sample paths must hit several IOCs');
});
