// Tests for YARA rule header reading and log/file routing (signature-base conventions and the
// scan_target meta that overrides them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuleHeaders, ruleTarget, stripComments } from './rule-file.js';

const SOURCE = `import "math"
// rule Commented_Out { condition: true }
/* rule Also_Commented { condition: true }
*/
rule WEBSHELL_Example : ASPX WEB {
   meta:
      description = "Detects a web shell // not a comment"
   strings: $a = "rule Fake_In_String {"
   condition: $a
}
private rule Helper { condition: true }
rule LOG_Something_Mar21 : LOG {
   meta: description = "Detects log traces"
   condition: true
}
rule EXPL_Thing {
   meta: description = "Detects successful exploitation attempts in log files"
   condition: true
}
rule Forced_Log {
   meta: description = "anything"
         scan_target = "log"
   condition: true
}
`;

test('parseRuleHeaders finds rules with lines, tags and descriptions, skipping comments and strings', () => {
  const rules = parseRuleHeaders(SOURCE);
  assert.deepEqual(rules.map((r) => [r.name, r.line]), [
    ['WEBSHELL_Example', 5],
    ['Helper', 11],
    ['LOG_Something_Mar21', 12],
    ['EXPL_Thing', 16],
    ['Forced_Log', 20],
  ]);
  assert.deepEqual(rules[0]!.tags, ['ASPX', 'WEB']);
  assert.equal(rules[0]!.description, 'Detects a web shell // not a comment');
  assert.equal(rules[1]!.isPrivate, true);
});

test('routing: LOG names and tags, "in log files" descriptions and scan_target meta go to logs', () => {
  const byName = Object.fromEntries(parseRuleHeaders(SOURCE).map((r) => [r.name, r.target]));
  assert.equal(byName['WEBSHELL_Example'], 'file');
  assert.equal(byName['LOG_Something_Mar21'], 'log');
  assert.equal(byName['EXPL_Thing'], 'log');
  assert.equal(byName['Forced_Log'], 'log');
  assert.equal(ruleTarget('EXPL_LOG_CVE_2021_27065_x', [], null, null), 'log');
  assert.equal(ruleTarget('Backdoor_Logger', [], 'keylogger dropped to disk', null), 'file');
  assert.equal(ruleTarget('LOG_X', ['LOG'], null, 'file'), 'file');
});

test('stripComments keeps line count and string contents', () => {
  const s = 'a /* x\ny */ b // c\n"//d"';
  const out = stripComments(s);
  assert.equal(out.split('\n').length, 3);
  assert.ok(out.includes('"//d"'));
  assert.ok(!out.includes('c'));
});
