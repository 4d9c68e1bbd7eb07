// Tests for compileRegex's native path: every RE2 construct the rewrite handles must give re2js's answer
// on tricky strings (case folding, Unicode spaces, surrogates...), and what it cannot rewrite stays on re2js.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RE2JS } from 're2js';
import { compileRegex, NATIVE_LINEAR, type RegexFlags } from './regex.js';
import { translateRe2 } from './regex-translate.js';

const NONE: RegexFlags = { i: false, m: false, s: false };

function re2(pattern: string, flags: RegexFlags): (v: string) => boolean {
  let f = 0;
  if (flags.i) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.s) f |= RE2JS.DOTALL;
  if (flags.m) f |= RE2JS.MULTILINE;
  const re = RE2JS.compile(pattern, f);
  return (v) => re.test(v);
}

const BASE = [
  '', 'a', 'x', 'xy', 'xay', 'x\ny', 'x\ry', 'x\u2028y', 'x y', 'x\u00a0y', 'x\vy', 'x\ty', 'x\u{1F600}y', 'x\u{1F600}\u{1F600}y',
  'x\ud800y', 'x\udc00y', 'x\udc00\ud800y', 'k', 'K', '\u212a', 's', 'S', '\u017f', 'ab', 'AB', 'aB', 'Ab', 'C', 'c', ']', ']a', 'b',
  'a{,2}', 'a{2', 'aaa', 'a.b', 'A.B', 'axb', 'cmd.exe /c whoami', 'CMD.EXE /C WHOAMI', 'Cmd.Exe /c', '\\\\host\\share',
  'C:\\Windows\\System32\\x.tmp', 'x' + '\u{1F600}'.repeat(20) + 'y', 'x' + '\u{1F600}'.repeat(10) + 'a'.repeat(9) + 'y', 'b/' + 'a'.repeat(19), 'é', 'É', '\u0007', '\u000b', 'x\u{1F600}\u{1F600}\u{1F600}y', 'x\u{1F600}ay', 'x-y', 'k\u212as\u017f',
];
const STRINGS = [...new Set(BASE.flatMap((s) => [s, s.toUpperCase(), s.toLowerCase(), ` ${s} `, `${s}\n${s}`]))];

// [pattern, flags] pairs each exercising one rewrite rule; all must take the native path.
const NATIVE: [string, RegexFlags][] = [
  ['x.y', NONE], ['x..y', NONE], ['x.{2}y', NONE], ['x.{1,3}y', NONE], ['x.*y', NONE], ['x.+y', NONE], ['x.+?y', NONE],
  ['x.[^a]+y', NONE], ['x[^a]y', NONE], ['x\\Sy', NONE], ['x\\Wy', NONE], ['x\\Dy', NONE], ['x\\sy', NONE], ['x[\\s]y', NONE],
  ['x.y', { i: false, m: false, s: true }], ['(?s)x.y', NONE], ['(?s:x.)y', NONE], ['x.y$', NONE], ['^x.*y$', NONE],
  ['k', { i: true, m: false, s: false }], ['(?i)k', NONE], ['(?i)s', NONE], ['(?i)[a-z]', NONE], ['(?i)[^a-z]', NONE],
  ['(?i)[^k]', NONE], ['(?i)\\w', NONE], ['(?i)\\W', NONE], ['(?i)cmd\\.exe /c', NONE], ['(?i:a)b', NONE], ['a(?i)b', NONE],
  ['(?:a(?i)b|c)', NONE], ['(?i)a(?-i)b', NONE], ['[]a]', NONE], ['[^]a]', NONE], ['a{,2}', NONE], ['a{2', NONE], ['a{2}', NONE],
  ['\\x{41}\\x42', NONE], ['\\a', NONE], ['\\v', NONE], ['\\Ax', NONE], ['y\\z', NONE], ['\\bx', NONE], ['(?P<n>a)b', NONE],
  ['(?<n>a)b', NONE], ['(?U)a+b', NONE], ['[-/–]', NONE], ['\\\\\\\\[a-z]+', NONE], ['[a-c-]', NONE], ['[\\d.]+', NONE],
  ['(a|b)*c', NONE], ['^(?:a+)+$', NONE], ['x\\W*y', NONE], ['\\.[^.\\/]', NONE], ['(^|\\/)\\.[^.\\/]', NONE],
  // repetitions at the edges of the match, which the rewrite shortens
  ['.+y.+', NONE], ['a+', NONE], ['(a+|b{2,5})', NONE], ['(?:x.*|.{2,3}y)', NONE], ['a{2,5}', NONE], ['(?i)k+s*', NONE],
  ['.{2,3}$', NONE], ['^.{1,3}', NONE], ['.*', NONE], ['(a)+', NONE], ['[]a]+b', NONE], ['(a)(b+)', NONE], ['\\S+', NONE],
];

test('the native rewrite answers like re2js on every tricky string', { skip: !NATIVE_LINEAR && 'no linear engine in this V8' }, () => {
  for (const [pattern, flags] of NATIVE) {
    const r = compileRegex(pattern, flags);
    assert.equal(r.engine, 'native', `${pattern}: ${r.nativeRefused ?? ''}`);
    const want = re2(pattern, flags);
    for (const s of STRINGS) assert.equal(r.test(s), want(s), `${pattern} (${r.jsSource}) on ${JSON.stringify(s)}`);
  }
});

test('what the rewrite cannot express exactly stays on re2js, with the reason', { skip: !NATIVE_LINEAR && 'no linear engine in this V8' }, () => {
  const i = { i: true, m: false, s: false };
  const cases: [string, RegexFlags, RegExp][] = [
    ['\\pL', NONE, /escape \\p/], ['(?m)^a', NONE, /inline flag m/], ['^a', { i: false, m: true, s: false }, /multiline/],
    ['é', i, /non-ASCII/], ['\\Qa.b\\E', NONE, /escape \\Q/], ['x\u{1F600}', NONE, /astral/], ['[[:alpha:]]', NONE, /POSIX/],
    ['a\\Bb', NONE, /escape \\B/], ['[\\S]', NONE, /inside a class/],
  ];
  for (const [pattern, flags, reason] of cases) {
    const r = compileRegex(pattern, flags);
    assert.equal(r.engine, 're2', pattern);
    assert.match(r.nativeRefused ?? '', reason, pattern);
    const want = re2(pattern, flags);
    for (const s of STRINGS) assert.equal(r.test(s), want(s));
  }
});

test('rewrite output: literals stay literals, folding and RE2 classes are spelled out', () => {
  const src = (p: string, f = NONE): string => {
    const t = translateRe2(p, f);
    assert.ok('source' in t, p);
    return t.source;
  };
  assert.equal(src('abc'), 'abc');
  assert.equal(src('(?i)ks'), '[kK\\u212a][sS\\u017f]');
  assert.equal(src('\\s'), '[\\x09-\\x0a\\x0c-\\x0d\\x20]');
  assert.equal(src('x.*y'), 'x[^\\x0a]*y');
  // at the edges of the match only the shortest repetition matters to test()
  assert.equal(src('[a-z]+@[a-z]{2,10}'), '[a-z]\\x40[a-z]{2}');
  assert.equal(src('(a*|b+c)'), '(?:|bc)');
  assert.equal(src('.*'), '');
  assert.equal(src('(a)'), '(?:a)');
});

test('counted repetitions too large for the linear engine go native only with a one-live-path bound', { skip: !NATIVE_LINEAR && 'no linear engine in this V8' }, () => {
  // SNAKE malware indicator and Raspberry Robin: each variable run is followed by a disjoint set.
  const snake = compileRegex('\\s[a-fA-F0-9]{64}\\s[a-fA-F0-9]{16}', NONE);
  assert.equal(snake.engine, 'native');
  assert.equal(snake.nativeProof, 'one-live-path');
  const hex = (n: number): string => 'a1B2'.repeat(n).slice(0, n);
  assert.equal(snake.test(`x ${hex(64)} ${hex(16)}`), true);
  assert.equal(snake.test(`x ${hex(63)} ${hex(16)}`), false);
  const robin = compileRegex('\\\\[a-zA-Z0-9]{1,32}\\.[a-zA-Z0-9]{1,6}\\.[ "\']{1}', NONE);
  assert.equal(robin.nativeProof, 'one-live-path');
  assert.equal(robin.test('x \\abc.de. y'), true);
  assert.equal(robin.test('x \\abc.de.y'), false);
  // Overlapping neighbours, unbounded runs, repeated groups, counted negated atoms: stays on re2js (a bare
  // '.{150}' is counted instead, see the next test).
  for (const p of ['x[a-z]{1,32}[a-z0-9]x', 'x\\d{1,20}\\dx', 'a[a-z]{20}\\s+b', 'x(?:ab){20}', 'x.{1,20}y', 'x.{20}y', '[^/]{20,}$'])
    assert.equal(compileRegex(p, NONE).engine, 're2', p);
  // Small counts stay on the linear-engine proof.
  assert.equal(compileRegex('[a-z]{1,16}x', NONE).nativeProof, 'linear-engine');
});

test('a counted repetition of any character is decided by counting, with re2js answers on every string', () => {
  const DOTALL: RegexFlags = { i: false, m: false, s: true };
  const cases: [string, RegexFlags][] = [];
  for (const n of [0, 1, 2, 3, 5])
    for (const form of [`.{${n},}`, `(.){${n},}`, `(?:.){${n},}`, `.{${n}}`, `.{${n},${n + 2}}`, `.{${n},}?`, `(?s).{${n},}`, `(?i).{${n},}`])
      for (const flags of [NONE, DOTALL]) cases.push([form, flags]);
  // Strings of newlines, CRs, surrogate pairs and lone surrogates around each run length.
  const units = ['a', '\n', '\r', '\u{1F600}', '\ud800', '\udc00', 'é', ' '];
  let seed = 7;
  const rnd = (k: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % k;
  const inputs = [...STRINGS];
  for (let i = 0; i < 400; i++) inputs.push(Array.from({ length: rnd(9) }, () => units[rnd(units.length)]!).join(''));
  for (const [pattern, flags] of cases) {
    const r = compileRegex(pattern, flags);
    assert.equal(r.engine, 'run', pattern);
    const want = re2(pattern, flags);
    for (const v of inputs) assert.equal(r.test(v), want(v), `${pattern} ${flags.s ? 's' : ''} on ${JSON.stringify(v)}`);
  }
  // SigmaHQ's long command line rule: a 1,500-character line matches, 999 characters per line do not.
  const long = compileRegex('.{1000,}', NONE);
  assert.equal(long.test('a'.repeat(1500)), true);
  assert.equal(long.test(`${'a'.repeat(999)}\n${'b'.repeat(999)}`), false);
  assert.equal(compileRegex('.{1000,}', DOTALL).test(`${'a'.repeat(999)}\n${'b'.repeat(999)}`), true);
  // Anything else is not a bare repetition and keeps its engine.
  for (const p of ['^.{3,}', '.{3,}$', 'a.{3,}', '.{3,}a', '[^/]{3,}', '(.){3,}x', '.+'] as const) assert.notEqual(compileRegex(p, NONE).engine, 'run', p);
});

test('a native regex whose matches are short runs natively on long values too, with re2js answers', { skip: !NATIVE_LINEAR && 'no linear engine in this V8' }, () => {
  const bounded = ['https?://[0-9]{1,3}\\.[0-9]{1,3}\\.0[0-9]{3,4}', ' [0-7]{7,13}', '(?i)\\$\\{`?e`?n`?v`?:`?p`?a`?t`?h`?\\}', '(?i)cmd\\.exe /c', 'x[^a]y', '(?i)[^k]s'];
  for (const p of bounded) assert.equal(compileRegex(p, NONE).nativeLong, true, p);
  for (const p of ['x.*y', 'a+', '(?i)(set).*&&']) assert.equal(compileRegex(p, NONE).nativeLong ?? false, false, p);
  // Long values (over NATIVE_INPUT_LIMIT) from the tricky strings, the match at the start, middle or end.
  const pad = 'A'.repeat(700);
  const long = STRINGS.flatMap((s) => [pad + s, s + pad, pad + s + pad, `${pad} 0123456701 ${s}`, `${pad}http://1.2.0123${s}`, `${pad}\${e\`nv:path}${s}`]);
  for (const p of [...bounded, ...NATIVE.map(([q]) => q)]) {
    const r = compileRegex(p, NONE);
    const want = re2(p, NONE);
    for (const v of long) assert.equal(r.test(v), want(v), `${p} on a ${v.length}-character value`);
  }
});
