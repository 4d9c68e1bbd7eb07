// Browser test of report.html in real headless Chromium (Debian's chromium via playwright-core): no console
// errors, no network requests, verdict/story/matrix render, hostile payloads in every field execute nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { launchChromium, openRecorded, skipChromium as skip } from './chromium.js';
import { projectRoot } from '../../src/paths.js';
import { writeReports } from '../../src/reporters/index.js';
import { hostileFindings, hostileTaken, sampleFindings, sampleSummary, sampleTaken, HOSTILE } from '../../src/engines/story/testdata/sample-scan.js';

async function openReport(context: BrowserContext, dir: string, shot?: string) {
  const { page, consoleErrors, requests } = await openRecorded(context, pathToFileURL(join(dir, 'report.html')).href);
  const facts = await page.evaluate(() => ({
    verdict: document.querySelector('#verdict h2')?.textContent ?? '',
    episodes: document.querySelectorAll('#story .episode').length,
    steps: document.querySelectorAll('#story .step').length,
    cells: document.querySelectorAll('#attack .matrix .cell').length,
    scripts: document.scripts.length,
    imgs: document.images.length,
    styles: document.querySelectorAll('style').length,
    pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
    bodyVisible: getComputedStyle(document.body).display !== 'none',
    text: document.body.innerText,
  }));
  if (shot) await page.screenshot({ path: shot, fullPage: true });
  await page.close();
  return { facts, consoleErrors, requests };
}

test('report.html renders in Chromium without errors or network, and hostile payloads stay text', { skip }, async () => {
  const { browser, close } = await launchChromium();
  const out = mkdtempSync(join(tmpdir(), 'exhunt-report-'));
  try {
    const clean = join(out, 'clean');
    const f = sampleFindings();
    await writeReports(clean, f, sampleSummary(f), sampleTaken());
    const artifacts = join(projectRoot, 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    const r = await openReport(browser, clean, join(artifacts, 'report.png'));
    assert.deepEqual(r.consoleErrors, []);
    assert.deepEqual(r.requests, []);
    assert.match(r.facts.verdict, /^Compromised/);
    assert.equal(r.facts.episodes, 2);
    assert.ok(r.facts.steps >= 6);
    assert.ok(r.facts.cells >= 5, `matrix cells: ${r.facts.cells}`);
    assert.equal(r.facts.scripts, 0);
    assert.match(r.facts.text, /Initial access through the ProxyLogon SSRF/);

    const bad = join(out, 'hostile');
    const hf = hostileFindings();
    await writeReports(bad, hf, sampleSummary(hf), hostileTaken());
    const h = await openReport(browser, bad, join(artifacts, 'report-hostile.png'));
    assert.deepEqual(h.consoleErrors, []);
    assert.deepEqual(h.requests, []);
    assert.equal(h.facts.pwned, null, 'no payload ran');
    assert.equal(h.facts.scripts, 0, 'no script element was injected');
    assert.equal(h.facts.imgs, 0, 'no img element was injected');
    assert.equal(h.facts.styles, 1, 'no style element was injected');
    assert.ok(h.facts.bodyVisible);
    assert.ok(h.facts.text.includes('<script>window.__pwned=1</script>'), 'the payload is shown as text');
    void HOSTILE;
  } finally {
    await close();
    rmSync(out, { recursive: true, force: true });
  }
});
