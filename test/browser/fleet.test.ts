// Browser test of fleet.html in real headless Chromium: no console errors, no requests, the charts render, the
// links open the per-host reports, and script/HTML payloads in host names and values execute nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium, openRecorded, skipChromium } from './chromium.js';
import { projectRoot } from '../../src/paths.js';
import { ensureSchema, openStore, writeFleet } from '../../src/stores/index.js';
import { insertCollections, type StoredCollection } from '../../src/stores/clickhouse/testkit.js';
import { fleetCollections, hostileCollection, syntheticServer } from '../fleet/fleet-fixture.js';

let skip: string | false = skipChromium;
try {
  await import('chdb');
} catch {
  skip = 'needs the optional dependency chdb';
}

/** A fresh embedded store in `dir` holding `cols`, and the fleet's outputs in `dir`/out. */
async function fleetOf(dir: string, cols: StoredCollection[], hostReports: boolean): Promise<void> {
  const store = await openStore(join(dir, 'store'));
  try {
    await ensureSchema(store);
    await insertCollections(store, cols);
    await writeFleet(store, join(dir, 'out'), { scope: { hosts: [], since: null, until: null }, hostReports });
  } finally {
    await store.close();
  }
}

test('fleet.html renders in Chromium without errors or network, charts drawn, hostile names stay text', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-fleet-browser-'));
  const { browser, close } = await launchChromium();
  try {
    await fleetOf(dir, [...fleetCollections(), hostileCollection()], true);
    const artifacts = join(projectRoot, 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    const url = pathToFileURL(join(dir, 'out', 'fleet.html')).href;
    const { page, consoleErrors, requests } = await openRecorded(browser, url);
    const facts = await page.evaluate(() => ({
      counts: Array.from(document.querySelectorAll('.fleetcounts .fc b')).map((b) => b.textContent),
      rows: Array.from(document.querySelectorAll('#servers tbody tr')).map((tr) => (tr.querySelector('td:nth-child(2) a') as HTMLAnchorElement | null)?.href ?? ''),
      rowText: Array.from(document.querySelectorAll('#servers tbody tr')).map((tr) => tr.querySelector('td:nth-child(2)')?.textContent ?? ''),
      bars: document.querySelectorAll('#campaign svg rect').length,
      barHeights: Array.from(document.querySelectorAll('#campaign svg rect')).map((r) => r.getBoundingClientRect().height),
      indicators: document.querySelectorAll('#indicators tbody tr').length,
      techniques: document.querySelectorAll('#attack tbody tr').length,
      scripts: document.scripts.length,
      imgs: document.images.length,
      styles: document.querySelectorAll('style').length,
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      text: document.body.innerText,
    }));
    await page.screenshot({ path: join(artifacts, 'fleet.png'), fullPage: true });
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(requests, []);
    assert.deepEqual(facts.counts, ['3', '0', '1', '1', '0']);
    assert.equal(facts.rows.length, 5);
    // the servers in the order they fell: EX01 (03-03), the hostile one (03-04), EX02 (03-05)
    assert.match(facts.rowText[0]!, /^EX01/);
    assert.match(facts.rowText[1]!, /^\.\.\/\.\.\/"><script>/);
    assert.match(facts.rowText[2]!, /^EX02/);
    for (const href of facts.rows) assert.ok(existsSync(fileURLToPath(href)), `link ${href} opens a report`);
    assert.ok(facts.bars >= 4, `bars: ${facts.bars}`);
    assert.ok(facts.barHeights.every((h) => h > 0));
    assert.ok(facts.indicators >= 3);
    assert.ok(facts.techniques >= 4);
    assert.equal(facts.pwned, null, 'no payload ran');
    assert.equal(facts.scripts, 0);
    assert.equal(facts.imgs, 0);
    assert.equal(facts.styles, 1);
    assert.ok(facts.text.includes('<script>window.__pwned=1</script>'), 'the payload is shown as text');
    await page.close();

    // the hostile server's own report, through the fleet's link
    const hostile = await openRecorded(browser, facts.rows[1]!);
    const h = await hostile.page.evaluate(() => ({ pwned: (window as unknown as { __pwned?: number }).__pwned ?? null, scripts: document.scripts.length, verdict: document.querySelector('#verdict h2')?.textContent ?? '' }));
    assert.deepEqual(hostile.consoleErrors, []);
    assert.deepEqual(hostile.requests, []);
    assert.equal(h.pwned, null);
    assert.equal(h.scripts, 0);
    assert.match(h.verdict, /^Compromised/);
    await hostile.page.screenshot({ path: join(artifacts, 'fleet-hostile-host.png') });
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fleet.html of 1,000 servers stays one usable page: urgent groups open, long quiet groups folded', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-fleet-browser-'));
  const { browser, close } = await launchChromium();
  try {
    await fleetOf(dir, Array.from({ length: 1000 }, (_, i) => syntheticServer(i)), false);
    const { page, consoleErrors, requests } = await openRecorded(browser, pathToFileURL(join(dir, 'out', 'fleet.html')).href);
    const facts = await page.evaluate(() => ({
      counts: Array.from(document.querySelectorAll('.fleetcounts .fc b')).map((b) => b.textContent),
      groups: Array.from(document.querySelectorAll('#servers details.group')).map((d) => [d.id, (d as HTMLDetailsElement).open]),
      firstRows: Array.from(document.querySelectorAll('#servers tbody tr')).slice(0, 3).map((tr) => tr.closest('details')?.id ?? ''),
      bars: document.querySelectorAll('#campaign svg rect').length,
    }));
    await page.screenshot({ path: join(projectRoot, 'test-artifacts', 'fleet-1000.png') });
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(requests, []);
    assert.deepEqual(facts.counts, ['100', '200', '100', '400', '200']);
    assert.deepEqual(facts.groups, [['g-compromised', true], ['g-exploitation-attempted', true], ['g-blind', false], ['g-exposed', false], ['g-no-evidence', false]]);
    assert.deepEqual(facts.firstRows, ['g-compromised', 'g-compromised', 'g-compromised']);
    assert.ok(facts.bars >= 30, `bars: ${facts.bars}`);
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
});
