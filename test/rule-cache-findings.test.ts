// Differential test of the rule cache on the fixtures: the built-in rule packs compiled fresh, read back from
// the cache, and rebuilt from a structured clone of their data (what a worker thread gets) find exactly the same.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from '../src/diagnostics.js';
import { loadSigmaCached, ruleSetFromData, ruleSetToData, type SigmaRuleSet } from '../src/engines/sigma/index.js';
import type { HuntEvent } from '../src/event.js';
import { discover } from '../src/evidence/index.js';
import { projectRoot, rulesDir } from '../src/paths.js';
import { readerFor } from '../src/readers/index.js';

async function fixtureEvents(): Promise<HuntEvent[]> {
  const sink = (_d: Diagnostic): void => {};
  const out: HuntEvent[] = [];
  for await (const ev of discover([join(projectRoot, 'test', 'fixtures', 'exchange'), join(projectRoot, 'test', 'fixtures', 'logs')], sink)) {
    const reader = readerFor(ev.kind);
    if (reader) for await (const e of reader.read(ev, sink)) out.push(e);
  }
  return out;
}

function findings(set: SigmaRuleSet, events: readonly HuntEvent[]): string[] {
  const run = set.createRun();
  return [...events.flatMap((e) => run.match(e)), ...run.finish()].map((f) => JSON.stringify(f));
}

test('built-in rules on the fixtures: fresh, from the cache and from cloned data give identical findings', async () => {
  const events = await fixtureEvents();
  const paths = [join(rulesDir, 'sigma')];
  const cache = mkdtempSync(join(tmpdir(), 'exhunt-cache-'));
  const fresh = await loadSigmaCached(paths, { builtinRoot: rulesDir, cache: false });
  const miss = await loadSigmaCached(paths, { builtinRoot: rulesDir, cache });
  const hit = await loadSigmaCached(paths, { builtinRoot: rulesDir, cache });
  assert.deepEqual([fresh.cache, miss.cache, hit.cache], ['off', 'miss', 'hit']);
  const expected = findings(fresh.ruleSet, events);
  assert.ok(events.length > 100 && expected.length > 20, `the rules ran and fired (${events.length} events, ${expected.length} findings)`);
  assert.deepEqual(findings(hit.ruleSet, events), expected);
  assert.deepEqual(findings(ruleSetFromData(structuredClone(ruleSetToData(hit.ruleSet))), events), expected);
  rmSync(cache, { recursive: true, force: true });
});
