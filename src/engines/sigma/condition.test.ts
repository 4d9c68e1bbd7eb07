// The condition grammar (spec §2.4): precedence, parentheses, x of pattern / them, and obsolete syntax.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConditionError, parseCondition, resolveCondition } from './condition.js';

test('precedence: or < and < not', () => {
  assert.deepEqual(parseCondition('a or b and not c'), {
    t: 'or',
    args: [{ t: 'id', name: 'a' }, { t: 'and', args: [{ t: 'id', name: 'b' }, { t: 'not', arg: { t: 'id', name: 'c' } }] }],
  });
});

test('parentheses override precedence', () => {
  assert.deepEqual(parseCondition('(a or b) and c'), {
    t: 'and',
    args: [{ t: 'or', args: [{ t: 'id', name: 'a' }, { t: 'id', name: 'b' }] }, { t: 'id', name: 'c' }],
  });
});

test('not binds tighter than and; x of tighter than not', () => {
  assert.deepEqual(parseCondition('not 1 of filter_* and sel'), {
    t: 'and',
    args: [{ t: 'not', arg: { t: 'of', quant: 1, pattern: 'filter_*' } }, { t: 'id', name: 'sel' }],
  });
});

test('1 of / all of / any of with patterns and them', () => {
  const names = ['sel_a', 'sel_b', 'filter', '_hidden'];
  assert.deepEqual(resolveCondition(parseCondition('all of sel_*'), names), { t: 'and', args: [{ t: 'id', name: 'sel_a' }, { t: 'id', name: 'sel_b' }] });
  assert.deepEqual(resolveCondition(parseCondition('any of sel_*'), names), { t: 'or', args: [{ t: 'id', name: 'sel_a' }, { t: 'id', name: 'sel_b' }] });
  // `them` leaves out identifiers starting with an underscore
  assert.deepEqual(resolveCondition(parseCondition('1 of them'), names), {
    t: 'or',
    args: [{ t: 'id', name: 'sel_a' }, { t: 'id', name: 'sel_b' }, { t: 'id', name: 'filter' }],
  });
  assert.deepEqual(resolveCondition(parseCondition('2 of them'), names).t, 'atleast');
  assert.deepEqual(resolveCondition(parseCondition('all of filter'), names), { t: 'id', name: 'filter' });
});

test('keywords are case-insensitive', () => {
  assert.equal(parseCondition('a AND NOT b').t, 'and');
});

test('errors: unknown identifier, pattern matching nothing, dangling operator, unbalanced parentheses', () => {
  assert.throws(() => resolveCondition(parseCondition('nope'), ['sel']), ConditionError);
  assert.throws(() => resolveCondition(parseCondition('1 of x_*'), ['sel']), ConditionError);
  assert.throws(() => parseCondition('sel and'), ConditionError);
  assert.throws(() => parseCondition('(sel or x'), ConditionError);
  assert.throws(() => parseCondition('sel x'), ConditionError);
  assert.throws(() => parseCondition(''), ConditionError);
});

test('pipe aggregations and near are reported as unsupported, not as syntax errors', () => {
  for (const c of ['selection | count() by host > 5', 'a near b']) {
    try {
      parseCondition(c);
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof ConditionError && e.unsupported, c);
    }
  }
});
