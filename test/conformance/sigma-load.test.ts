// All active SigmaHQ rules load with 0 failures; unsupported/ and deprecated/ are loaded too and what
// fails there is reported with its reason (obsolete aggregation syntax), never silently dropped.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSigma } from '../../src/engines/sigma/index.js';
import { hasShared, sharedDir } from '../../src/paths.js';

const sigma = join(sharedDir, 'sigma');
const skip = !hasShared && 'needs ../shared';

test('all 3,780 active SigmaHQ rules load with 0 failures', { skip }, async () => {
  const dirs = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'];
  const r = await loadSigma(dirs.map((d) => join(sigma, d)));
  const errors = r.problems.filter((p) => p.severity === 'error');
  assert.deepEqual(errors, []);
  assert.equal(r.failed, 0);
  assert.equal(r.loaded, 3780);
  // Loaded but inactive: placeholder rules without values and Kernel-File ETW categories, each said.
  const placeholders = r.inactive.filter((i) => i.reason.includes('placeholder'));
  const noSource = r.inactive.filter((i) => i.reason.includes('no Windows event log'));
  assert.equal(placeholders.length + noSource.length, r.inactive.length);
  assert.ok(placeholders.length >= 20 && noSource.length === 15, `${placeholders.length} placeholder, ${noSource.length} no-source`);
  assert.equal(r.ruleSet.size, 3780 - r.inactive.length + noSource.length);
  assert.equal(r.regexFallbacks.length, 0);
  console.log(`# active: ${r.loaded} loaded, ${r.failed} failed, ${placeholders.length} inactive for placeholders, ${noSource.length} without an event source`);
});

test('unsupported/ is reported honestly: obsolete aggregations and near fail with reasons', { skip }, async () => {
  const r = await loadSigma([join(sigma, 'unsupported')]);
  assert.ok(r.failed > 50, `${r.failed} failed`);
  for (const p of r.problems.filter((x) => x.severity === 'error')) {
    assert.ok(p.code === 'SIGMA_UNSUPPORTED' || p.code === 'SIGMA_BAD_CONDITION', `${p.code}: ${p.message}`);
    assert.ok(p.location?.path && p.location.line, 'located');
  }
  const unsupported = r.problems.filter((p) => p.code === 'SIGMA_UNSUPPORTED').length;
  console.log(`# unsupported/: ${r.loaded} loaded, ${r.failed} failed (${unsupported} obsolete syntax: pipe aggregation, near, timeframe)`);
});

test('deprecated/ loads except the one rule using timeframe aggregation', { skip }, async () => {
  const r = await loadSigma([join(sigma, 'deprecated')]);
  const errors = r.problems.filter((p) => p.severity === 'error');
  assert.equal(r.failed, errors.length);
  assert.ok(errors.every((p) => p.code === 'SIGMA_UNSUPPORTED'), errors.map((p) => p.message).join('\n'));
  assert.ok(r.loaded > 160);
  console.log(`# deprecated/: ${r.loaded} loaded, ${r.failed} failed`);
});
