// Every value modifier of the Sigma v2.1 appendix, matched end to end (rule text → event), with a
// negative case each. Events are Exchange/W3C records with flat fields, or Windows events where noted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRule } from './compile.js';
import { parseRuleFile } from './rule.js';
import { CompiledRuleSet } from './ruleset.js';
import { exchangeEvent as ev, exchangeRule as rule, fires, ruleSetFromText } from './testkit.js';

const sel = (body: string): string => rule(`    sel:\n${body}\n    condition: sel`);

test('contains / startswith / endswith (case-insensitive)', () => {
  assert.equal(fires(sel("        UrlStem|contains: '/ecp/'"), ev({ UrlStem: '/ECP/x.js' })), true);
  assert.equal(fires(sel("        UrlStem|contains: '/ecp/'"), ev({ UrlStem: '/owa/x.js' })), false);
  assert.equal(fires(sel("        UrlStem|startswith: '/ecp'"), ev({ UrlStem: '/ecp/x' })), true);
  assert.equal(fires(sel("        UrlStem|startswith: '/ecp'"), ev({ UrlStem: '/x/ecp' })), false);
  assert.equal(fires(sel("        UrlStem|endswith: '.js'"), ev({ UrlStem: '/ecp/X.JS' })), true);
  assert.equal(fires(sel("        UrlStem|endswith: '.js'"), ev({ UrlStem: '/ecp/x.jsp' })), false);
});

test('lists are OR; all makes them AND', () => {
  const anyOf = sel("        UrlStem|contains:\n            - 'aaa'\n            - 'bbb'");
  const allOf = sel("        UrlStem|contains|all:\n            - 'aaa'\n            - 'bbb'");
  assert.equal(fires(anyOf, ev({ UrlStem: 'xbbbx' })), true);
  assert.equal(fires(allOf, ev({ UrlStem: 'xbbbx' })), false);
  assert.equal(fires(allOf, ev({ UrlStem: 'bbb-aaa' })), true);
});

test('a map is AND of its fields; a list of maps is OR', () => {
  const text = rule("    sel:\n        - UrlStem: '/a'\n          Method: POST\n        - UrlStem: '/b'\n    condition: sel");
  assert.equal(fires(text, ev({ UrlStem: '/a', Method: 'GET' })), false);
  assert.equal(fires(text, ev({ UrlStem: '/a', Method: 'post' })), true);
  assert.equal(fires(text, ev({ UrlStem: '/b', Method: 'GET' })), true);
});

test('cased makes the match case-sensitive', () => {
  assert.equal(fires(sel("        UrlStem|cased: '/ECP'"), ev({ UrlStem: '/ecp' })), false);
  assert.equal(fires(sel("        UrlStem|cased: '/ECP'"), ev({ UrlStem: '/ECP' })), true);
  assert.equal(fires(sel("        UrlStem|contains|cased: 'Ab'"), ev({ UrlStem: 'xaBx' })), false);
});

test('re: substring match, case-sensitive by default; i, m, s sub-modifiers; (?i) inline flag', () => {
  assert.equal(fires(sel("        UrlStem|re: 'ecp/[a-z]+\\.js'"), ev({ UrlStem: '/x/ecp/abc.js?' })), true);
  assert.equal(fires(sel("        UrlStem|re: 'ecp/[a-z]+\\.js'"), ev({ UrlStem: '/x/ECP/abc.js' })), false);
  assert.equal(fires(sel("        UrlStem|re|i: 'ecp/[a-z]+\\.js'"), ev({ UrlStem: '/x/ECP/ABC.JS' })), true);
  assert.equal(fires(sel("        UrlStem|re: '(?i)^/ecp/'"), ev({ UrlStem: '/EcP/z' })), true);
  assert.equal(fires(sel("        UrlStem|re: '^b$'"), ev({ UrlStem: 'a\nb' })), false);
  assert.equal(fires(sel("        UrlStem|re|m: '^b$'"), ev({ UrlStem: 'a\nb' })), true);
  assert.equal(fires(sel("        UrlStem|re: 'a.b'"), ev({ UrlStem: 'a\nb' })), false);
  assert.equal(fires(sel("        UrlStem|re|s: 'a.b'"), ev({ UrlStem: 'a\nb' })), true);
});

test('re: runs only on values holding a character every match needs; a single letter is never that character', () => {
  // PowerShell token obfuscation: every match holds a backtick, so values without one never reach the regex.
  const text = sel("        UrlStem|re: '\\w+`(?:\\w+|-|.)`[\\w+|\\s]'");
  const rule = compileRule(parseRuleFile(text, 'r.yml').docs[0] as Parameters<typeof compileRule>[0], { placeholders: new Map(), missing: new Set() }, [])!;
  const re = rule.regexes[0]!;
  let runs = 0;
  const test0 = re.test;
  (re as { test: (v: string) => boolean }).test = (v) => (runs++, test0(v));
  const run = new CompiledRuleSet([rule], [], []).createRun();
  assert.equal(run.match(ev({ UrlStem: 'IN`V`o`Ke-eXp`ResSIOn x' })).length, 1);
  assert.equal(runs, 1);
  assert.equal(run.match(ev({ UrlStem: 'Invoke-Expression (New-Object Net.WebClient)' })).length, 0);
  assert.equal(runs, 1, 'a value without a backtick is not given to the regex');
  // RE2 folds s with U+017F (long s) under (?i); lower-casing does not, so a letter must not gate the regex.
  assert.equal(fires(sel("        UrlStem|re: '(?i)s'"), ev({ UrlStem: '\u017f' })), true);
  assert.equal(fires(sel("        UrlStem|re: '(?i)s'"), ev({ UrlStem: 'x' })), false);
});

test('re: lookaround falls back to a bounded engine; a bad regex is a located problem', () => {
  assert.equal(fires(sel("        UrlStem|re: 'foo(?!bar)'"), ev({ UrlStem: 'foobaz' })), true);
  assert.equal(fires(sel("        UrlStem|re: 'foo(?!bar)'"), ev({ UrlStem: 'foobar' })), false);
  const bad = ruleSetFromText([sel("        UrlStem|re: 'a(b'")]);
  assert.equal(bad.set.size, 0);
  assert.equal(bad.problems[0]?.code, 'SIGMA_BAD_REGEX');
  assert.equal(bad.problems[0]?.location?.line, 11);
});

test('windash: - and / (and en/em dash, horizontal bar) are interchangeable at flag starts', () => {
  const text = sel("        CommandLine|contains|windash: ' -enc '");
  for (const d of ['-', '/', '\u2013', '\u2014', '\u2015']) assert.equal(fires(text, ev({ CommandLine: `powershell ${d}enc AAA` })), true, d);
  assert.equal(fires(text, ev({ CommandLine: 'powershell +enc AAA' })), false);
});

test('base64 and base64offset', () => {
  // base64('/ecp/') = 'L2VjcC8='
  assert.equal(fires(sel("        Data|base64|contains: '/ecp/'"), ev({ Data: 'xxL2VjcC8=yy' })), true);
  assert.equal(fires(sel("        Data|base64|contains: '/ecp/'"), ev({ Data: 'L2VjcA' })), false);
  const off = sel("        Data|base64offset|contains: 'http://'");
  for (const prefix of ['', 'a', 'ab']) {
    const enc = Buffer.from(`${prefix}http://evil`).toString('base64');
    assert.equal(fires(off, ev({ Data: enc })), true, prefix);
  }
  assert.equal(fires(off, ev({ Data: Buffer.from('https:/').toString('base64') })), false);
});

test('wide / utf16le / utf16be / utf16 encode before base64', () => {
  const wide = sel("        Data|wide|base64offset|contains: 'ping'");
  assert.equal(fires(wide, ev({ Data: Buffer.from('xx ping yy', 'utf16le').toString('base64') })), true);
  assert.equal(fires(wide, ev({ Data: Buffer.from('xx ping yy', 'utf8').toString('base64') })), false);
  assert.equal(fires(sel("        Data|utf16le|base64: 'ab'"), ev({ Data: Buffer.from('ab', 'utf16le').toString('base64') })), true);
  assert.equal(fires(sel("        Data|utf16be|base64: 'ab'"), ev({ Data: Buffer.from([0, 0x61, 0, 0x62]).toString('base64') })), true);
  assert.equal(fires(sel("        Data|utf16|base64: 'ab'"), ev({ Data: Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0]).toString('base64') })), true);
  assert.equal(fires(sel("        Data|utf16|base64: 'ab'"), ev({ Data: Buffer.from('ab', 'utf16le').toString('base64') })), false);
});

test('cidr: IPv4 and IPv6', () => {
  const v4 = sel("        ClientIpAddress|cidr: '10.0.0.0/8'");
  assert.equal(fires(v4, ev({ ClientIpAddress: '10.1.2.3' })), true);
  assert.equal(fires(v4, ev({ ClientIpAddress: '11.1.2.3' })), false);
  assert.equal(fires(v4, ev({ ClientIpAddress: 'not-an-ip' })), false);
  const v6 = sel("        ClientIpAddress|cidr: '2001:db8::/32'");
  assert.equal(fires(v6, ev({ ClientIpAddress: '2001:DB8:1::5' })), true);
  assert.equal(fires(v6, ev({ ClientIpAddress: '2001:db9::1' })), false);
  assert.equal(fires(sel("        ClientIpAddress|cidr: '::ffff:192.0.2.0/120'"), ev({ ClientIpAddress: '::ffff:192.0.2.9' })), true);
  assert.equal(ruleSetFromText([sel("        ClientIpAddress|cidr: '10.0.0.0/33'")]).problems[0]?.code, 'SIGMA_BAD_MODIFIER');
});

test('expand: placeholders from the placeholders file; without values the rule is inactive', () => {
  const text = sel("        AnchorMailbox|expand: '%admins%'");
  assert.equal(fires(text, ev({ AnchorMailbox: 'boss' }), { admins: ['root', 'boss'] }), true);
  assert.equal(fires(text, ev({ AnchorMailbox: 'intern' }), { admins: ['root', 'boss'] }), false);
  const none = ruleSetFromText([text]);
  assert.deepEqual(none.inactive, ['r1']);
  assert.equal(none.set.size, 0);
  // %name% without expand is literal text
  assert.equal(fires(sel("        Path: '%APPDATA%\\x'"), ev({ Path: '%appdata%\\x' })), true);
});

test('fieldref compares two fields of the same event; neq negates', () => {
  assert.equal(fires(sel('        AuthenticatedUser|fieldref: AnchorMailbox'), ev({ AuthenticatedUser: 'A', AnchorMailbox: 'a' })), true);
  assert.equal(fires(sel('        AuthenticatedUser|fieldref: AnchorMailbox'), ev({ AuthenticatedUser: 'a', AnchorMailbox: 'b' })), false);
  assert.equal(fires(sel('        AuthenticatedUser|fieldref|neq: AnchorMailbox'), ev({ AuthenticatedUser: 'a', AnchorMailbox: 'b' })), true);
  assert.equal(fires(sel("        Method|neq: GET"), ev({ Method: 'POST' })), true);
  assert.equal(fires(sel("        Method|neq: GET"), ev({ Method: 'get' })), false);
});

test('exists', () => {
  assert.equal(fires(sel('        Cookie|exists: true'), ev({ Cookie: '' })), true);
  assert.equal(fires(sel('        Cookie|exists: true'), ev({})), false);
  assert.equal(fires(sel('        Cookie|exists: false'), ev({})), true);
});

test('gt / gte / lt / lte compare numbers', () => {
  assert.equal(fires(sel('        StatusCode|gte: 500'), ev({ StatusCode: '500' })), true);
  assert.equal(fires(sel('        StatusCode|gt: 500'), ev({ StatusCode: '500' })), false);
  assert.equal(fires(sel('        StatusCode|lt: 300'), ev({ StatusCode: '200' })), true);
  assert.equal(fires(sel('        StatusCode|lte: 199'), ev({ StatusCode: '200' })), false);
  assert.equal(fires(sel('        StatusCode|lt: 300'), ev({ StatusCode: 'abc' })), false);
});

test('time modifiers: minute, hour, day, week, month, year (UTC)', () => {
  const e = ev({ DateTime: '2021-03-02T23:59:10.123Z' });
  assert.equal(fires(sel('        DateTime|minute: 59'), e), true);
  assert.equal(fires(sel('        DateTime|hour: 23'), e), true);
  assert.equal(fires(sel('        DateTime|hour: 22'), e), false);
  assert.equal(fires(sel('        DateTime|day: 2'), e), true);
  assert.equal(fires(sel('        DateTime|week: 9'), e), true);
  assert.equal(fires(sel('        DateTime|month: 3'), e), true);
  assert.equal(fires(sel('        DateTime|year: 2021'), e), true);
  assert.equal(fires(sel('        DateTime|hour|gte: 20'), e), true);
  assert.equal(fires(sel('        DateTime|hour|lt: 20'), e), false);
});

test('null means absent (or empty); empty string means empty', () => {
  assert.equal(fires(sel('        Cookie: null'), ev({})), true);
  assert.equal(fires(sel('        Cookie: null'), ev({ Cookie: 'x' })), false);
  assert.equal(fires(sel("        Cookie: ''"), ev({ Cookie: '' })), true);
  assert.equal(fires(sel("        Cookie: ''"), ev({ Cookie: 'x' })), false);
});

test('keyword lists search every value (substring); |all keywords must all occur', () => {
  const kw = rule("    keywords:\n        - 'mimikatz'\n        - 'sekurlsa'\n    condition: keywords");
  assert.equal(fires(kw, ev({ A: 'x', B: 'run MIMIKATZ now' })), true);
  assert.equal(fires(kw, ev({ A: 'x', B: 'y' })), false);
  const all = rule("    keywords:\n        '|all':\n            - 'alpha'\n            - 'beta'\n    condition: keywords");
  assert.equal(fires(all, ev({ A: 'alpha', B: 'beta' })), true);
  assert.equal(fires(all, ev({ A: 'alpha', B: 'gamma' })), false);
});

test('numbers and booleans match their text', () => {
  assert.equal(fires(sel('        StatusCode: 200'), ev({ StatusCode: '200' })), true);
  assert.equal(fires(sel('        StatusCode: 200'), ev({ StatusCode: '2000' })), false);
  assert.equal(fires(sel('        IsProxy: true'), ev({ IsProxy: 'True' })), true);
});

test('an unknown modifier is a located problem and the rule is skipped; the others load', () => {
  const r = ruleSetFromText([sel("        UrlStem|bogus: 'x'"), rule("    sel:\n        UrlStem: 'x'\n    condition: sel", 'r2')]);
  assert.equal(r.set.size, 1);
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0]!.code, 'SIGMA_UNKNOWN_MODIFIER');
  assert.equal(r.problems[0]!.location?.path, 'rule0.yml');
  assert.equal(r.problems[0]!.location?.line, 11);
});
