// Meta-filters (Sigma v2.1): a filter document adds its condition to the rules it names with AND,
// only where its logsource fits; bad filters are located problems.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchangeEvent as ev, exchangeRule, firing, ruleSetFromText } from './testkit.js';

const rule = exchangeRule("    sel:\n        UrlStem|startswith: '/ecp/'\n    condition: sel", 'r-ecp');
const filter = (rules: string, ls = 'product: exchange') =>
  `title: ignore the monitoring account\nid: f1\nlogsource:\n    ${ls}\nfilter:\n    rules: ${rules}\n    selection:\n        AuthenticatedUser: 'monitor'\n    condition: not selection\n`;

test('a filter excludes matching events from the rules it names', () => {
  const { set, problems } = ruleSetFromText([rule, filter('[r-ecp]')]);
  assert.deepEqual(problems, []);
  assert.deepEqual(firing(set, [ev({ UrlStem: '/ecp/a', AuthenticatedUser: 'monitor' }), ev({ UrlStem: '/ecp/a', AuthenticatedUser: 'eve' })]), [[], ['r-ecp']]);
});

test('a filter for another rule or another logsource changes nothing', () => {
  for (const f of [filter('[other-rule]'), filter('[r-ecp]', 'product: windows')]) {
    const { set } = ruleSetFromText([rule, f]);
    assert.deepEqual(firing(set, [ev({ UrlStem: '/ecp/a', AuthenticatedUser: 'monitor' })]), [['r-ecp']]);
  }
});

test('rules: any applies the filter to every rule whose logsource fits', () => {
  const { set } = ruleSetFromText([rule, filter('any')]);
  assert.deepEqual(firing(set, [ev({ UrlStem: '/ecp/a', AuthenticatedUser: 'monitor' })]), [[]]);
});

test('a filter without rules or with a bad condition is a located problem', () => {
  const noRules = ruleSetFromText([`title: f\nlogsource:\n    product: exchange\nfilter:\n    selection:\n        A: b\n    condition: selection\n`]);
  assert.equal(noRules.problems[0]?.code, 'SIGMA_BAD_FILTER');
  const badCond = ruleSetFromText([filter('[r-ecp]').replace('not selection', 'not selektion')]);
  assert.equal(badCond.problems[0]?.code, 'SIGMA_BAD_CONDITION');
  assert.equal(badCond.problems[0]?.location?.line, 9);
});
