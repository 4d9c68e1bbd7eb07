// The build catalogue data file: every row classifies as itself (product, CU, SU), SUs named in the CVE map exist
// as builds, and the file is what scripts/gen-exchange-builds.mjs makes from ../shared/research/exchange.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hasShared, projectRoot } from '../../paths.js';
import { classifyBuild, defaultCatalogue, parseBuild, productOf } from './index.js';

test('every catalogue row classifies as its own product, CU and SU', () => {
  const cat = defaultCatalogue();
  assert.ok(cat.file.builds.length > 300);
  for (const row of cat.file.builds) {
    const b = parseBuild(row.build);
    assert.equal(productOf(b), row.product, row.build);
    const i = classifyBuild(b, cat);
    assert.deepEqual([i.known, i.guessed, i.cu, i.su], [true, false, row.cu, row.su], row.build);
  }
});

test('builds of each product rise with their CU; every mapped SU has builds; CVE notes name mapped CVEs', () => {
  const cat = defaultCatalogue();
  for (const [product, builds] of cat.builds) {
    // Sorted by build number, each CU's builds form one run: a CU never reappears after the next one began.
    const runs = builds.map((b) => b.row.cu).filter((cu, i, all) => i === 0 || all[i - 1] !== cu);
    assert.equal(new Set(runs).size, runs.length, `${product}: ${runs.join(' ')}`);
  }
  for (const [su, entry] of Object.entries(cat.file.securityUpdates)) {
    assert.ok(cat.suBuilds.has(su), `${su} has no build`);
    for (const [cve, products] of Object.entries(entry.cves)) {
      assert.match(cve, /^(CVE-\d{4}-\d{4,7}|ADV\d{6})$/);
      for (const p of products) assert.ok(['2013', '2016', '2019', 'SE'].includes(p), `${su} ${cve} ${p}`);
    }
  }
  const mapped = new Set(Object.values(cat.file.securityUpdates).flatMap((e) => Object.keys(e.cves)));
  for (const [cve, meta] of Object.entries(cat.file.cves)) {
    assert.ok(mapped.has(cve) || meta.configuration !== undefined, `${cve} has metadata but no SU and no configuration`);
  }
  assert.ok(cat.file.notes.some((n) => /15\.1\.1415\.8.*15\.1\.1415\.10/.test(n)), 'the CU8 Mar21SU disagreement is noted');
});

test('rules/data/exchange-builds.json is what the generator makes from the research text', { skip: !hasShared && 'needs ../shared' }, () => {
  const r = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'gen-exchange-builds.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
