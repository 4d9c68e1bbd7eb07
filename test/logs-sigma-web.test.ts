// The W3C reader's field names meet SigmaHQ's webserver rules: ProxyShell lines in the IIS fixture fire
// SigmaHQ's own ProxyShell rules, and benign lines (health probes, Outlook) fire none of rules/web.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigma } from '../src/engines/sigma/index.js';
import type { HuntEvent } from '../src/event.js';
import { hasShared, projectRoot, sharedDir } from '../src/paths.js';
import { readerFor } from '../src/readers/index.js';

const FILE = 'kape/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log';

async function events(): Promise<HuntEvent[]> {
  const absPath = join(projectRoot, 'test', 'fixtures', 'logs', FILE);
  const ev = { absPath, path: FILE, root: '/', kind: 'iis-w3c' as const, size: statSync(absPath).size, mtime: '' };
  const out: HuntEvent[] = [];
  for await (const e of readerFor('iis-w3c')!.read(ev, () => {})) out.push(e);
  return out;
}

test('SigmaHQ webserver rules run on IIS events with our field names', { skip: !hasShared && 'needs ../shared' }, async () => {
  const sigma = await loadSigma([
    join(sharedDir, 'sigma', 'rules', 'web'),
    join(sharedDir, 'sigma', 'rules-emerging-threats', '2021', 'Exploits', 'ProxyShell-Exploit'),
  ]);
  assert.ok(sigma.loaded > 20, `rules loaded: ${sigma.loaded}`);
  const run = sigma.ruleSet.createRun();
  const hits = new Map<number, string[]>();
  for (const e of await events()) {
    const ids = run.match(e).map((f) => f.rule.id);
    if (ids.length) hits.set(e.ref.line!, ids);
  }
  // Line 7: GET /autodiscover/autodiscover.json with '@evil.example/mapi/nspi/ ... Email=autodiscover/autodiscover.json' → 401.
  assert.ok(hits.get(7)?.includes('23eee45e-933b-49f9-ae1b-df706d2d52ef'), JSON.stringify([...hits]));
  // Health probe (line 5) and an ordinary OWA logon (line 12) match nothing.
  assert.equal(hits.get(5), undefined);
  assert.equal(hits.get(12), undefined);
});
