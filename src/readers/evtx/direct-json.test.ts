// Differential: the JSON rendered straight from templates and values (flat records) equals the JSON of the
// instantiated tree, on every regression record and on many byte-mutated copies (odd shapes that still parse).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../paths.js';
import { parseEvtxTrees } from './parse.js';
import { toEvtxJson } from './json.js';

/** Whether the tree still holds its uninstantiated flat form (read before touching `root`). */
function isFlat(t: unknown): boolean {
  return 'values' in (t as { r: object }).r;
}

test('flat JSON equals the instantiated tree JSON on all regression files and mutations', { skip: !hasShared && 'needs ../shared' }, () => {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as { data_path: string }[];
  let flat = 0;
  let other = 0;
  let mutated = 0;
  for (const [i, m] of manifest.entries()) {
    const orig = new Uint8Array(readFileSync(join(sharedDir, 'sigma', m.data_path)));
    const variants = [orig];
    for (let v = 0; v < 6; v++) {
      const bad = orig.slice();
      for (let k = 0; k < 1 + v; k++) bad[4096 + 512 + ((i * 131 + v * 7919 + k * 977) % Math.max(1, Math.min(orig.length - 4608, 6000)))] ^= [0x01, 0x41, 0xff, 0x20][(v + k) % 4]!;
      variants.push(bad);
    }
    for (const buf of variants) {
      for (const t of parseEvtxTrees(buf, m.data_path, () => undefined)) {
        if (isFlat(t)) flat++;
        else other++;
        const direct = t.json();
        assert.deepStrictEqual(direct, toEvtxJson(t.root), `${m.data_path} record ${t.recordId}`);
        if (buf !== orig) mutated++;
      }
    }
  }
  assert.ok(flat > 200, `flat path used (${flat})`);
  assert.ok(mutated > 0);
  void other;
});
