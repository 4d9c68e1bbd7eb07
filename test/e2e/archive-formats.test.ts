// Archive formats read in place, member for member: ZIP64 (forced), stored and deflated members, plain tar and
// tar.zst (made with the zstd tool where it is installed) give the folder's files, bytes and hashes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack as tarPack } from 'tar-stream';
import { ArchiveSession, discover, type Evidence } from '../../src/evidence/index.js';
import { projectRoot } from '../../src/paths.js';
import { filesOf, kapeEntries, zipOf, type PackEntry } from './archive-packs.js';

const work = mkdtempSync(join(tmpdir(), 'exhunt-archive-formats-'));
const temp = join(work, 'tmp');
mkdirSync(temp);
after(() => rmSync(work, { recursive: true, force: true }));
const example = join(projectRoot, 'examples', 'exchange-2021');
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
// The collection's copy log is read as its records, not yielded as evidence.
const expected = new Map(filesOf(example).filter((f) => !/_CopyLog\.csv$/i.test(f.rel)).map((f) => [f.rel, sha(readFileSync(f.abs))]));

/** Every member read: its path inside the archive → the SHA-256 of the temp copy's bytes and the one recorded. */
async function members(file: string): Promise<Map<string, string>> {
  const session = new ArchiveSession({ tempParent: temp });
  const out = new Map<string, string>();
  const diags: unknown[] = [];
  try {
    for await (const e of discover([file], (d) => diags.push(d), { archives: session }) as AsyncIterable<Evidence>) {
      if (!e.path.includes('!/')) continue;
      const got = sha(readFileSync(e.absPath));
      assert.equal(e.sha256, got, 'hashed while inflating = the bytes written');
      out.set(e.path.slice(e.path.indexOf('!/') + 2), got);
    }
  } finally {
    session.dispose();
  }
  assert.deepEqual(diags, []);
  assert.deepEqual(readdirSync(temp), []);
  return out;
}

const onlyFiles = (entries: PackEntry[]): PackEntry[] => entries.filter((e) => !/_CopyLog\.csv$/.test(e.name));

test('ZIP64 (forced), stored and deflated members: the folder, byte for byte', async () => {
  const file = join(work, 'zip64.zip');
  const entries = onlyFiles(kapeEntries(example)).map((e, i) => ({ ...e, options: { zip64: true, ...(i % 2 ? { level: 0 } : {}) } }));
  writeFileSync(file, await zipOf(entries));
  assert.deepEqual(await members(file), expected);
});

async function tarOf(entries: PackEntry[]): Promise<Buffer> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const e of entries) p.entry({ name: e.name, size: e.data.length }, Buffer.from(e.data));
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

test('plain tar: the folder, byte for byte', async () => {
  const file = join(work, 'c.tar');
  writeFileSync(file, await tarOf(onlyFiles(kapeEntries(example))));
  assert.deepEqual(await members(file), expected);
});

const zstd = spawnSync('zstd', ['--version']).status === 0;
test('tar.zst: the folder, byte for byte', { skip: !zstd && 'the zstd tool is not installed (it only makes the test archive)' }, async () => {
  const file = join(work, 'c.tar.zst');
  const z = spawnSync('zstd', ['-q', '-c', '-19'], { input: await tarOf(onlyFiles(kapeEntries(example))), maxBuffer: 64 << 20 });
  assert.equal(z.status, 0);
  writeFileSync(file, z.stdout);
  assert.deepEqual(await members(file), expected);
});
