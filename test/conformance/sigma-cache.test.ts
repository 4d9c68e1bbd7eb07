// Differential test of the rule cache on SigmaHQ: every active rule compiled fresh and read back from the
// cache (and rebuilt from cloned data, as a worker gets it) finds exactly the same on the regression samples.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSigmaCached, ruleSetFromData, ruleSetToData, type SigmaRuleSet } from '../../src/engines/sigma/index.js';
import type { WinEvent } from '../../src/event.js';
import { hasShared, sharedDir } from '../../src/paths.js';
import { readSidecar } from './sidecar.js';

const ACTIVE = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'];

function findings(set: SigmaRuleSet, events: readonly WinEvent[]): string[] {
  const run = set.createRun();
  return [...events.flatMap((e) => run.match(e)), ...run.finish()].map((f) => JSON.stringify(f));
}

test('all SigmaHQ rules on the regression samples: fresh, cached and cloned data find the same', { skip: !hasShared && 'needs ../shared' }, async () => {
  const sigma = join(sharedDir, 'sigma');
  const manifest = JSON.parse(readFileSync(join(sigma, 'regression_manifest.json'), 'utf8')) as { json_path: string }[];
  const events = manifest.flatMap((m) => readSidecar(join(sigma, m.json_path), m.json_path));
  const paths = ACTIVE.map((d) => join(sigma, d));
  const cache = mkdtempSync(join(tmpdir(), 'exhunt-cache-'));
  const fresh = await loadSigmaCached(paths, { cache: false });
  await loadSigmaCached(paths, { cache });
  const hit = await loadSigmaCached(paths, { cache });
  assert.equal(hit.cache, 'hit');
  assert.deepEqual([hit.loaded, hit.failed, hit.inactive.length, hit.problems.length], [fresh.loaded, fresh.failed, fresh.inactive.length, fresh.problems.length]);
  const expected = findings(fresh.ruleSet, events);
  assert.ok(expected.length > 200, `the rules fired (${expected.length} findings on ${events.length} events)`);
  assert.deepEqual(findings(hit.ruleSet, events), expected);
  assert.deepEqual(findings(ruleSetFromData(structuredClone(ruleSetToData(hit.ruleSet))), events), expected);
  rmSync(cache, { recursive: true, force: true });
});
