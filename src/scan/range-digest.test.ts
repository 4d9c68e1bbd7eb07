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

test("a range that would write other than its runs' indexes said (so would overlap the next range's stretch) fails; written as said, it is exact", async () => {
  const { mkdtempSync, rmSync, writeFileSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { JobFindings } = await import('./found.js');
  const { planRanges, rangeOutputBytes } = await import('../spill/index.js');
  const { digestRange } = await import('./range-digest.js');
  const { sampleFindings, hostileFindings } = await import('../engines/story/testdata/sample-scan.js');
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-range-'));
  try {
    const found = new JobFindings({ minLevel: 'informational', spillDir: dir, timelines: true }, 4096);
    for (const f of [...sampleFindings(), ...hostileFindings()]) found.add(f);
    const part = found.part();
    const ranges = planRanges(part.runs.map((r) => r.path), 1);
    const [bytes] = rangeOutputBytes(ranges)!;
    const files = { findings: join(dir, 'findings.jsonl'), csv: join(dir, 'timeline.csv'), sketch: join(dir, 'timeline.jsonl') };
    const job = (said: number[]) => {
      for (const p of Object.values(files)) writeFileSync(p, '');
      return {
        slices: ranges[0]!,
        out: null,
        parts: null,
        place: { placed: true as const, findings: { path: files.findings, at: 0, bytes: said[0]! }, csv: null, sketch: { path: files.sketch, at: 0, bytes: said[2]! }, csvHeader: false },
        shapes: [part.shapes],
        hold: true,
      };
    };
    assert.throws(() => digestRange(job([bytes![0]! + 1, 0, bytes![2]!])), /wrote \d+ bytes of findings\.jsonl where its runs' indexes said/);
    assert.throws(() => digestRange(job([bytes![0]!, 0, bytes![2]! - 1])), /timeline\.jsonl/);
    digestRange(job(bytes!));
    assert.equal(readFileSync(files.findings).length, bytes![0]);
    assert.ok(bytes![0]! > 1000 && readFileSync(files.findings, 'utf8').split('\n').length > 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
