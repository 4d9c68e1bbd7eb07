// Tests for the ATT&CK catalogue, tag mapping (old IDs, retired tactics, unknown tags) and actor overlap.
// The catalogue must agree with ../shared/attack when it is present (the generator is then re-checkable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../paths.js';
import type { Diagnostic } from '../diagnostics.js';
import { attackCatalog, mapAttackTags, sortByTactic, actorOverlap } from './index.js';

const cat = attackCatalog();

test('catalogue is ATT&CK v19 with 15 tactics in matrix order and MITRE terms', () => {
  assert.equal(cat.version, '19');
  assert.equal(cat.tactics.length, 15);
  assert.equal(cat.tactics[0]!.shortname, 'reconnaissance');
  assert.ok(cat.tacticIndex('initial-access') < cat.tacticIndex('persistence'));
  assert.ok(cat.tacticIndex('credential-access') < cat.tacticIndex('collection'));
  assert.equal(cat.tacticIndex('defense-evasion'), cat.tacticIndex('stealth'));
  assert.match(cat.attribution, /MITRE Corporation/);
  assert.match(cat.license, /non-exclusive, royalty-free license/);
  assert.equal(cat.technique('T1505.003')?.name, 'Web Shell');
});

test('tags map to techniques and tactics; revoked IDs follow their successor; unknown tags are reported', () => {
  const diags: Diagnostic[] = [];
  const m = mapAttackTags(
    ['attack.initial-access', 'attack.t1190', 'attack.T1505.003', 'attack.defense-evasion', 'attack.t1562.001', 'attack.t9999', 'attack.bogus-tactic', 'cve.2021-26855', 'attack.g0125'],
    cat,
    (d) => diags.push(d),
    { path: 'rules/x.yml', line: 3 },
  );
  assert.deepEqual(m.techniques, ['T1190', 'T1505.003', 'T1685']);
  assert.deepEqual(m.tactics, ['initial-access', 'stealth']);
  assert.deepEqual(m.unknown, ['attack.t9999', 'attack.bogus-tactic']);
  assert.equal(diags.length, 2);
  assert.equal(diags[0]!.code, 'ATTACK_UNKNOWN_TAG');
  assert.deepEqual(diags[0]!.location, { path: 'rules/x.yml', line: 3 });
});

test('sortByTactic orders the kill chain', () => {
  assert.deepEqual(sortByTactic(['T1560.001', 'T1003.001', 'T1505.003', 'T1190'], cat), ['T1190', 'T1505.003', 'T1003.001', 'T1560.001']);
});

test('actor overlap: HAFNIUM techniques overlap G0125, parent matching for sub-techniques, caveat present', () => {
  const r = actorOverlap(['T1190', 'T1505.003', 'T1003.001', 'T1114.002', 'T1505.004'], cat);
  const haf = r.entries.find((e) => e.id === 'G0125')!;
  assert.deepEqual(haf.shared, ['T1003.001', 'T1114.002', 'T1190', 'T1505.003']);
  const zir = r.entries.find((e) => e.id === 'G0128')!;
  assert.deepEqual(zir.shared, []);
  const adv = r.entries.find((e) => e.id === 'AA21-200B')!;
  // AA21-200B lists T1505 (parent) so T1505.004 counts as well.
  assert.ok(adv.shared.includes('T1505.004'));
  assert.match(r.caveat, /not attribution/);
});

test('catalogue matches ../shared/attack', { skip: !hasShared && 'needs ../shared' }, () => {
  const v19 = JSON.parse(readFileSync(join(sharedDir, 'attack', 'enterprise-attack-v19-techniques.json'), 'utf8')) as { techniques: { id: string; name: string }[]; revoked: Record<string, string> };
  assert.equal(cat.techniques().length, v19.techniques.length);
  for (const t of v19.techniques) assert.equal(cat.technique(t.id)?.name, t.name);
  for (const [from, to] of Object.entries(v19.revoked)) assert.equal(cat.resolve(from), to);
  const haf = cat.groups.find((g) => g.id === 'G0125')!;
  assert.equal(haf.techniques.length, 44);
  assert.ok(haf.techniques.includes('T1685.005'), 'T1070.001 mapped to its v19 successor');
  assert.equal(cat.advisories.find((a) => a.id === 'AA21-200B')!.techniques.length, 68);
});
