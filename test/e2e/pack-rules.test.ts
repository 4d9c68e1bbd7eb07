// Checks the Exchange rule pack as data: every rule carries the metadata the report and the licence
// need (uuid, author, level, ATT&CK and CVE tags, references), uses an agreed logsource, and is listed in the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { rulesDir } from '../../src/paths.js';
import { isLevel } from '../../src/finding.js';

const packDir = join(rulesDir, 'sigma', 'exchange');
const files = readdirSync(packDir).filter((f) => f.endsWith('.yml')).sort();

interface RuleDoc {
  id?: unknown; title?: unknown; status?: unknown; description?: unknown; author?: unknown; date?: unknown;
  references?: unknown; level?: unknown; tags?: unknown; falsepositives?: unknown;
  logsource?: { category?: string; product?: string; service?: string };
  detection?: Record<string, unknown>;
}
const rules = files.map((f) => ({ file: f, doc: parse(readFileSync(join(packDir, f), 'utf8')) as RuleDoc }));

const LOGSOURCES = new Set([
  'category=webserver',
  'product=exchange service=httpproxy',
  'product=exchange service=ecp-server',
  'product=exchange service=ecp-activity',
  'product=exchange service=oab-generator',
  'product=exchange service=rps-cmdlet',
  'product=exchange service=rps-http',
  'product=exchange service=ews',
  'product=exchange service=message-tracking',
  'product=exchange service=unified-audit',
  'product=windows service=msexchange-management',
  'product=windows service=application',
]);
const TACTICS = new Set(['initial-access', 'execution', 'persistence', 'privilege-escalation', 'stealth', 'defense-impairment',
  'credential-access', 'discovery', 'lateral-movement', 'collection', 'command-and-control', 'exfiltration', 'impact']);

test('the pack has a rule for every family the issue names', () => {
  assert.ok(files.length >= 30, `only ${files.length} rules`);
  const cves = new Set(rules.flatMap((r) => (r.doc.tags as string[]).filter((t) => t.startsWith('cve.'))));
  for (const c of ['2021-26855', '2021-26857', '2021-26858', '2021-27065', '2021-34473', '2021-34523', '2021-31207',
    '2022-41040', '2022-41082', '2022-41080', '2020-0688', '2021-33766', '2021-28480', '2021-42321']) {
    assert.ok(cves.has(`cve.${c}`), `no rule tagged cve.${c}`);
  }
});

test('every rule carries complete metadata', () => {
  const ids = new Set<string>();
  for (const { file, doc } of rules) {
    assert.match(String(doc.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `${file}: id`);
    assert.ok(!ids.has(String(doc.id)), `${file}: duplicate id`);
    ids.add(String(doc.id));
    assert.equal(doc.author, 'exhunt project', `${file}: author`);
    assert.equal(doc.status, 'experimental', `${file}: status`);
    assert.ok(typeof doc.title === 'string' && doc.title.length > 10 && doc.title.length <= 256, `${file}: title`);
    assert.ok(typeof doc.description === 'string' && doc.description.length > 60, `${file}: description`);
    assert.match(String(doc.date), /^2026-\d\d-\d\d$/, `${file}: date`);
    assert.ok(isLevel(String(doc.level)), `${file}: level`);
    assert.ok(Array.isArray(doc.references) && doc.references.length > 0 && doc.references.every((u) => /^https:\/\//.test(String(u))), `${file}: references`);
    assert.ok(Array.isArray(doc.falsepositives) && doc.falsepositives.length > 0, `${file}: falsepositives`);
    const tags = doc.tags as string[];
    assert.ok(Array.isArray(tags), `${file}: tags`);
    assert.ok(tags.some((t) => /^attack\.t\d{4}(\.\d{3})?$/.test(t)), `${file}: no technique tag`);
    for (const t of tags) {
      assert.match(t, /^(attack\.t\d{4}(\.\d{3})?|attack\.g\d{4}|attack\.[a-z-]+|cve\.\d{4}-\d{4,7})$/, `${file}: tag ${t}`);
      const tactic = /^attack\.([a-z-]+)$/.exec(t)?.[1];
      if (tactic) assert.ok(TACTICS.has(tactic), `${file}: unknown tactic ${t}`);
    }
    const ls = doc.logsource ?? {};
    const key = [ls.category && `category=${ls.category}`, ls.product && `product=${ls.product}`, ls.service && `service=${ls.service}`].filter(Boolean).join(' ');
    assert.ok(LOGSOURCES.has(key), `${file}: logsource ${key}`);
    assert.equal(typeof doc.detection?.['condition'], 'string', `${file}: condition`);
  }
});

test('the README lists every rule file and nothing else', () => {
  const readme = readFileSync(join(packDir, 'README.md'), 'utf8');
  const listed = new Set([...readme.matchAll(/`([a-z0-9_]+\.yml)`/g)].map((m) => m[1]!));
  assert.deepEqual([...listed].sort(), files);
});
