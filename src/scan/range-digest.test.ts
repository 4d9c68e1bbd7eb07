// A range thread's heap bound grows with the rules whose findings it may keep rows of.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeHeapLimits } from './range-digest.js';
import type { ShapeDelta } from '../reporters/index.js';

const shape = (id: string, level: 'low' | 'high' = 'high') => ({ engine: 'sigma' as const, level, rule: { id, title: id, author: null, source: 's' }, cves: [], attack: [], kind: 'evtx' });

test('a range thread is bounded at 256 MB, more where many rules fired (each counted once)', () => {
  const few: ShapeDelta[] = [{ thread: 1, from: 0, shapes: Array.from({ length: 221 }, (_, i) => shape(`r${i}`)) }];
  assert.deepEqual(rangeHeapLimits(few), { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 });
  const many = (n: number): ShapeDelta[] => [
    { thread: 1, from: 0, shapes: Array.from({ length: n }, (_, i) => shape(`r${i}`)) },
    // the same rules again from another thread and at another level: not more rules
    { thread: 2, from: 0, shapes: Array.from({ length: n }, (_, i) => shape(`r${i}`, 'low')) },
  ];
  assert.equal(rangeHeapLimits(many(3141)).maxOldGenerationSizeMb, Math.ceil(64 + (3141 * 50 * 4) / 1024));
  assert.ok(rangeHeapLimits(many(3141)).maxOldGenerationSizeMb > 600);
});
