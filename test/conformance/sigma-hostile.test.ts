// Hostile input: log values built to make a backtracking regex explode (long runs that almost match)
// must be matched by every regex of every active SigmaHQ rule in under 10 ms per event.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSigma } from '../../src/engines/sigma/index.js';
import { hasShared, sharedDir } from '../../src/paths.js';

const ACTIVE = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'];

// Classic catastrophic-backtracking shapes: a long run of one class followed by a character that makes
// the match fail at the very end, so a backtracking engine retries every split of the run.
const HOSTILE = [
  'a'.repeat(8000) + '!',
  ' '.repeat(8000) + '\u0000',
  '\\'.repeat(4000) + 'x'.repeat(4000) + '"',
  'A1'.repeat(4000) + '=',
  '-'.repeat(4000) + 'e'.repeat(4000),
  '%'.repeat(2000) + '0'.repeat(6000) + 'g',
];

test('every SigmaHQ regex matches hostile values in under 10 ms per event', { skip: !hasShared && 'needs ../shared' }, async () => {
  const { regexes } = await loadSigma(ACTIVE.map((d) => join(sharedDir, 'sigma', d)));
  assert.ok(regexes.length > 200, `only ${regexes.length} regexes compiled`);
  assert.ok(regexes.every((r) => r.engine === 're2'), 'all SigmaHQ regexes run on RE2');
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
  console.log(`# ${regexes.length} regexes; slowest single regex ${worst.toFixed(2)} ms; all regexes on one hostile value at most ${worstEvent.toFixed(1)} ms`);
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
