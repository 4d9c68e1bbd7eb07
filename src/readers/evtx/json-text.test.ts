// Differential: the direct JSON text writer (worker path) and the object builder agree on every regression
// record and on mutated records; the packed WinEvent fields equal toWinEvent's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../paths.js';
import { parseEvtxTrees } from './parse.js';
import { toEvtxJson } from './json.js';
import { toEvtxJsonText } from './json-text.js';
import { toWinEvent, treeToPacked, treeToRecord } from './records.js';

test('JSON text equals the JSON objects, and packed fields equal the WinEvent, on all regression files', { skip: !hasShared && 'needs ../shared' }, () => {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as { data_path: string }[];
  let n = 0;
  let mutated = 0;
  for (const [i, m] of manifest.entries()) {
    const orig = new Uint8Array(readFileSync(join(sharedDir, 'sigma', m.data_path)));
    // Each file as is, and once with a few record bytes flipped (odd shapes that still parse).
    const bad = orig.slice();
    for (let k = 0; k < 6; k++) bad[4096 + 600 + ((i * 131 + k * 977) % 3000)] ^= 0x41;
    for (const buf of [orig, bad]) {
      for (const t of parseEvtxTrees(buf, m.data_path, () => undefined)) {
        const text = toEvtxJsonText(t.root);
        assert.deepStrictEqual(JSON.parse(text), toEvtxJson(t.root), m.data_path);
        const ev = toWinEvent(treeToRecord(t), m.data_path);
        const p = treeToPacked(t);
        assert.deepStrictEqual([p.time, p.host, p.channel, p.eventId, p.provider], [ev.time, ev.host, ev.channel, ev.eventId, ev.provider]);
        if (buf === bad) mutated++;
        else n++;
      }
    }
  }
  assert.equal(n, 238);
  assert.ok(mutated > 0);
});
