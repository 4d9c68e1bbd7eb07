// Hostile input: log values built to make a backtracking regex explode (long runs that almost match)
// must be matched by every regex of every active SigmaHQ rule in under 10 ms per event; and the native
// (V8) path must answer exactly as re2js on every value of the SigmaHQ regression events and variants.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RE2JS } from 're2js';
import { loadSigma, type SafeRegex } from '../../src/engines/sigma/index.js';
import { compileRegex, NATIVE_INPUT_LIMIT, NATIVE_LINEAR } from '../../src/engines/sigma/regex.js';
import { hasShared, sharedDir } from '../../src/paths.js';
import { splitConcatenatedJson } from './sidecar.js';

const ACTIVE = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'];

// Classic catastrophic-backtracking shapes: a long run of one class followed by a character that makes
// the match fail at the very end, so a backtracking engine retries every split of the run.
const LONG_HOSTILE = [
  'a'.repeat(8000) + '!',
  ' '.repeat(8000) + '\u0000',
  '\\'.repeat(4000) + 'x'.repeat(4000) + '"',
  'A1'.repeat(4000) + '=',
  '-'.repeat(4000) + 'e'.repeat(4000),
  '%'.repeat(2000) + '0'.repeat(6000) + 'g',
  ' ' + 'a0F9'.repeat(2000) + ' ',
  ('\\' + 'a'.repeat(31) + '.').repeat(250),
  '\u{1F600}'.repeat(4000) + '\udc00',
  ('ab ' + 'x'.repeat(20)).repeat(350) + '\n',
  // irregexp rescans a greedy run before a literal from every start without counting backtracks: quadratic
  'cmd/c'.repeat(1600),
  ('a'.repeat(149) + '\n').repeat(54),
  ('/' + '\u{1F600}'.repeat(60)).repeat(66),
  'x@'.repeat(4000),
];
// Native regexes that rely on V8's linear engine only see values up to NATIVE_INPUT_LIMIT (longer ones go
// to re2js): the same shapes at that length, ending in the character that makes the match fail.
const HOSTILE = [...LONG_HOSTILE, ...LONG_HOSTILE.map((h) => h.slice(0, NATIVE_INPUT_LIMIT - 1) + h.at(-1)!)];

// Patterns that hang a plain backtracking engine on the values above; they take the native path, so
// V8 must hand them to its linear engine (the flags regex.ts sets) for this test to finish in time.
const CATASTROPHIC = ['^(a+)+$', '(?i)(\\w+\\s?)+!', '^(\\s|\\s)+$', '(x+x+)+y', '(?:[a-f0-9]+)+g'];

test('every SigmaHQ regex matches hostile values in under 10 ms per event', { skip: !hasShared && 'needs ../shared' }, async () => {
  const { regexes: rules } = await loadSigma(ACTIVE.map((d) => join(sharedDir, 'sigma', d)));
  assert.ok(rules.length > 200, `only ${rules.length} regexes compiled`);
  assert.ok(rules.every((r) => r.engine === 'native' || r.engine === 're2' || r.engine === 'run'), 'every SigmaHQ regex runs native (proven safe), on RE2 or by counting');
  const count = (p: (r: SafeRegex) => boolean): number => rules.filter(p).length;
  const linear = count((r) => r.nativeProof === 'linear-engine');
  const onePath = count((r) => r.nativeProof === 'one-live-path');
  if (NATIVE_LINEAR) assert.ok(linear > 150, `only ${linear} regexes on the native linear-engine path`);
  const counted = count((r) => r.engine === 'run');
  assert.ok(counted >= 4, `only ${counted} bare repetitions (.{1000,}, (.){200,}, .{150}) decided by counting`);
  console.log(`# engines: ${linear} native (linear engine), ${onePath} native (one live path), ${count((r) => r.engine === 're2')} re2js, ${counted} counted; ${count((r) => r.nativeLong === true)} native ones also on values over ${NATIVE_INPUT_LIMIT} characters`);
  const regexes = rules;
  let worst = 0;
  let worstSource = '';
  let worstEvent = 0;
  for (const hostile of HOSTILE) {
    const cpuAll = process.cpuUsage();
    for (const re of regexes) re.test(hostile);
    const all = process.cpuUsage(cpuAll);
    worstEvent = Math.max(worstEvent, (all.user + all.system) / 1000);
    // One event: the hostile value tested against every regex, as a field holding it would be.
    for (const re of regexes) {
      let best = Infinity;
      for (let attempt = 0; attempt < 3 && best >= 10; attempt++) {
        const cpu = process.cpuUsage();
        re.test(hostile);
        const used = process.cpuUsage(cpu);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      if (best > worst) {
        worst = best;
        worstSource = re.source;
      }
    }
  }
  assert.ok(worst < 10, `slowest regex took ${worst.toFixed(2)} ms CPU on a hostile value: ${worstSource}`);
  console.log(`# ${regexes.length} regexes; slowest single regex ${worst.toFixed(2)} ms (${worstSource}); all regexes on one hostile value at most ${worstEvent.toFixed(1)} ms`);
});

// Not rule regexes: proof that the V8 flags regex.ts sets are in force. Without the linear-engine fallback
// each of these takes longer than the age of the universe on a 511-character value; with it, milliseconds.
// (Longer values go to re2js, whose speed the rule test above bounds.) The bound only separates "finishes"
// from "hangs"; it is not a performance figure.
test('catastrophic patterns on the native path finish: V8 hands them to its linear engine', { skip: !NATIVE_LINEAR && 'V8 linear engine unavailable' }, () => {
  const extra = CATASTROPHIC.map((p) => compileRegex(p, { i: false, m: false, s: false }));
  assert.ok(extra.every((r) => r.engine === 'native'), 'the catastrophic patterns take the native path');
  for (const hostile of HOSTILE.filter((h) => h.length < NATIVE_INPUT_LIMIT)) {
    for (const re of extra) {
      const cpu = process.cpuUsage();
      re.test(hostile);
      const used = process.cpuUsage(cpu);
      const ms = (used.user + used.system) / 1000;
      assert.ok(ms < 250, `${re.source} took ${ms.toFixed(1)} ms on a ${hostile.length}-character value: the backtracking fallback is not in force`);
    }
  }
});

function collectStrings(o: unknown, out: Set<string>): void {
  if (typeof o === 'string') out.add(o);
  else if (o && typeof o === 'object') for (const v of Object.values(o)) collectStrings(v, out);
}

function regressionValues(dir: string, out: Set<string>): void {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) regressionValues(p, out);
    else if (p.endsWith('.json')) for (const o of splitConcatenatedJson(readFileSync(p, 'utf8'))) collectStrings(o, out);
  }
}

const swapCase = (s: string): string => s.replace(/[a-zA-Z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
// Each value as logged, in other cases, with RE2/JS differences planted: Unicode and \v spaces, \r and
// U+2028 line breaks, the non-ASCII letters that fold to k and s, astral characters, lone surrogates.
const variants = (v: string): string[] => [
  v, v.toUpperCase(), v.toLowerCase(), swapCase(v), v.replace(/k/gi, '\u212a').replace(/s/gi, '\u017f'),
  v.replace(/ /g, '\u00a0'), v.replace(/ /g, '\v'), v.replace(/ /g, '\r\n'), v.replace(/ /g, '\u2028'),
  v.replace(/\\/g, '\u{1F600}'), v.replace(/\./g, '\ud800.'), v.replace(/\\/g, '\udc00'), v.replace(/ /g, ' \u{1F600}'),
];

test('every native SigmaHQ regex answers exactly as re2js on the regression values and their variants', { skip: (!hasShared && 'needs ../shared') || (!NATIVE_LINEAR && 'native path off') }, async () => {
  const { regexes } = await loadSigma(ACTIVE.map((d) => join(sharedDir, 'sigma', d)));
  const values = new Set<string>();
  regressionValues(join(sharedDir, 'sigma', 'regression_data'), values);
  assert.ok(values.size > 1000, `only ${values.size} values`);
  const corpus = new Set<string>([...HOSTILE]);
  for (const v of values) for (const x of variants(v)) corpus.add(x);
  let tests = 0;
  let hits = 0;
  const seen = new Set<string>();
  for (const r of regexes) {
    if (r.engine !== 'native' || seen.has(r.source + '/' + r.flags)) continue;
    seen.add(r.source + '/' + r.flags);
    let f = 0;
    if (r.flags.includes('i')) f |= RE2JS.CASE_INSENSITIVE;
    if (r.flags.includes('m')) f |= RE2JS.MULTILINE;
    if (r.flags.includes('s')) f |= RE2JS.DOTALL;
    const re2 = RE2JS.compile(r.source, f);
    for (const v of corpus) {
      const want = re2.test(v);
      assert.equal(r.test(v), want, `${r.source} (as ${r.jsSource}) on ${JSON.stringify(v.slice(0, 200))}`);
      tests++;
      if (want) hits++;
    }
  }
  assert.ok(hits > 1000, `only ${hits} matches: the corpus does not exercise the regexes`);
  console.log(`# ${seen.size} distinct native regexes × ${corpus.size} values: ${tests} tests, ${hits} matches, all as re2js`);
});

test('lookahead regexes run on bounded input; nested quantifiers in them are refused', async () => {
  const { compileRegex, RegexError } = await import('../../src/engines/sigma/regex.js');
  const flags = { i: false, m: false, s: false };
  assert.throws(() => compileRegex('^(a+)+(?!b)$', flags), RegexError);
  const re = compileRegex('a+(?!b)c', flags);
  assert.equal(re.engine, 'fallback');
  assert.equal(re.test('xaac'), true);
  assert.equal(re.test('xaab'), false);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const cpu = process.cpuUsage();
    re.test('a'.repeat(100_000) + '!');
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  assert.ok(best < 10, `${best} ms`);
  // A captureless lookbehind stays on RE2 (linear).
  assert.equal(compileRegex('(?<=x)y', flags).engine, 're2');
});
