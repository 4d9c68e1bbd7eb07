// A KAPE VHDX (NTFS inside), built here from an NTFS image (mkntfs, ntfs-3g, qemu-img from Debian) and read
// through 7-Zip: the same findings as the folder. Skipped with the reason where the machine lacks the tools.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { Finding } from '../../src/finding.js';
import type { ScanSummary } from '../../src/summary.js';
import { huntAll } from './hunt-all.js';

const work = mkdtempSync(join(tmpdir(), 'exhunt-vhdx-'));
after(() => {
  spawnSync('umount', [join(work, 'mnt')], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
});
const example = join(projectRoot, 'examples', 'exchange-2021');
const ok = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const missing = [
  ['7zz', ['i']],
  ['mkntfs', ['--version']],
  ['ntfs-3g', ['--version']],
  ['qemu-img', ['--version']],
].filter(([c, a]) => !ok(c as string, a as string[]) && spawnSync(c as string, a as string[]).error !== undefined).map(([c]) => c);
const canMount = existsSync('/dev/fuse') && process.getuid?.() === 0;
const skip = missing.length > 0 ? `not installed: ${missing.join(', ')} (Debian: 7zip, ntfs-3g, qemu-utils)` : !canMount ? 'cannot mount an NTFS image here (needs root and /dev/fuse)' : false;

const key = (f: Finding): string => {
  const ev = f.evidence as { path?: string; line?: number; record?: number };
  const p = ev.path ?? '';
  const bang = p.lastIndexOf('!/');
  return JSON.stringify([f.rule.id, bang >= 0 ? p.slice(bang + 2) : p, ev.line ?? null, ev.record ?? null]);
};

/** An NTFS image holding the example's C/ folder, made once. */
let ntfsImage: string | null = null;
function exampleNtfs(): string {
  if (ntfsImage !== null) return ntfsImage;
  const img = join(work, 'ntfs.img');
  const mnt = join(work, 'mnt');
  mkdirSync(mnt);
  assert.equal(spawnSync('truncate', ['-s', '48M', img]).status, 0);
  assert.equal(spawnSync('mkntfs', ['-F', '-Q', '-q', img]).status, 0);
  assert.equal(spawnSync('ntfs-3g', [img, mnt]).status, 0);
  try {
    cpSync(join(example, 'C'), join(mnt, 'C'), { recursive: true });
  } finally {
    assert.equal(spawnSync('umount', [mnt]).status, 0);
  }
  return (ntfsImage = img);
}

/** A disk with an MBR: a 1 MiB partition of zeros (as Windows' reserved partitions), then the NTFS image. */
function partitionedDisk(ntfs: string, out: string): void {
  const part = readFileSync(ntfs);
  const first = 2048;
  const second = first + 2048;
  const disk = Buffer.alloc(second * 512 + part.length + 4096);
  part.copy(disk, second * 512);
  for (const [i, start, sectors] of [[0, first, 2048], [1, second, part.length / 512]] as const) {
    const e = 446 + 16 * i;
    disk[e + 4] = 0x07; // NTFS/exFAT type
    disk.writeUInt32LE(start, e + 8);
    disk.writeUInt32LE(sectors, e + 12);
  }
  disk[510] = 0x55;
  disk[511] = 0xaa;
  writeFileSync(out, disk);
}

test('a VHDX whose disk has a partition table: the NTFS partition is read, the same findings as the folder', { skip }, async () => {
  const raw = join(work, 'disk.img');
  partitionedDisk(exampleNtfs(), raw);
  const vhdx = join(work, 'EXCH01-disk.vhdx');
  assert.equal(spawnSync('qemu-img', ['convert', '-O', 'vhdx', raw, vhdx]).status, 0);
  rmSync(raw);
  const folder = await huntAll({ inputs: [example], workers: 1 });
  const tmp = join(work, 'tmp-disk');
  mkdirSync(tmp);
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = tmp;
  try {
    const r = await huntAll({ inputs: [vhdx], workers: 1 });
    assert.deepEqual(r.findings.map(key).sort(), folder.findings.map(key).sort());
    const inside = r.findings.filter((f) => f.evidence.path.includes('!/'));
    assert.ok(inside.length > 100 && inside.every((f) => f.evidence.path.startsWith('EXCH01-disk.vhdx!/C/')), 'one NTFS partition: paths as in the folder');
    assert.deepEqual(readdirSync(tmp), [], 'the partition copy and the temp folder are gone');
  } finally {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
});

test('KAPE VHDX read through 7-Zip: the same findings as the folder, each naming the container', { skip }, async () => {
  const img = exampleNtfs();
  const vhdx = join(work, 'EXCH01.vhdx');
  assert.equal(spawnSync('qemu-img', ['convert', '-O', 'vhdx', img, vhdx]).status, 0);
  assert.ok(statSync(vhdx).size > 0);
  const folder = await huntAll({ inputs: [example], workers: 1 });
  const tmp = join(work, 'tmp');
  mkdirSync(tmp);
  const saved = process.env['TMPDIR'];
  process.env['TMPDIR'] = tmp;
  try {
    const r = await huntAll({ inputs: [vhdx], workers: 1 });
    assert.deepEqual(r.findings.map(key).sort(), folder.findings.map(key).sort());
    const inside = r.findings.filter((f) => f.evidence.path.includes('!/'));
    assert.ok(inside.length > 100 && inside.every((f) => f.evidence.path.startsWith('EXCH01.vhdx!/C/')));
    assert.deepEqual(readdirSync(tmp), [], 'the temp folder is gone');
  } finally {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
  }
});

test('without 7-Zip a VHDX is a clear diagnostic ("install 7-Zip"), the other inputs still read', () => {
  const fake = join(work, 'nozip');
  mkdirSync(fake, { recursive: true });
  const vhdx = join(fake, 'KAPE.vhdx');
  writeFileSync(vhdx, Buffer.concat([Buffer.from('vhdxfile', 'latin1'), Buffer.alloc(4096)]));
  cpSync(join(example, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1', 'u_ex210303.log'), join(fake, 'u_ex210303.log'));
  const out = join(work, 'nozip-out');
  // a PATH with nothing on it: no 7zz, no 7z (node is started by its full path)
  const emptyBin = join(work, 'empty-bin');
  mkdirSync(emptyBin);
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'exhunt.js'), 'scan', fake, '--out', out, '-q', '--workers', '1'], {
    env: { ...process.env, PATH: emptyBin },
    encoding: 'utf8',
  });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ScanSummary;
  const d = s.diagnostics.items.find((x) => x.code === 'ARCHIVE_UNREADABLE');
  assert.equal(d?.location?.path, 'KAPE.vhdx');
  assert.match(d!.message, /install 7-Zip \(Debian: apt-get install 7zip\) to read VHDX/);
  assert.ok(s.coverage.some((c) => c.kind === 'iis-w3c:unknown' || c.kind.startsWith('iis-w3c')), 'the log beside it is read');
});
