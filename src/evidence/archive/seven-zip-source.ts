// Disk containers (KAPE's VHDX and VHD, raw NTFS images) through Debian's 7-Zip (`7zz`, package 7zip), which
// reads the NTFS inside (a partitioned disk's NTFS partition via a sparse temp copy): members are listed once, then
// each is streamed from `7zz e -so` into the expander, never extracted under its own name. No 7zz: a diagnostic.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiveUnreadable, StopArchive, type Member, type MemberSource } from './member.js';

let sevenZip: string | null | undefined;
/** The 7-Zip command, or null when it is not installed. */
export function sevenZipCommand(): string | null {
  if (sevenZip === undefined) {
    sevenZip = null;
    for (const cmd of ['7zz', '7z']) {
      if (spawnSync(cmd, ['i'], { stdio: 'ignore' }).status === 0) {
        sevenZip = cmd;
        break;
      }
    }
  }
  return sevenZip;
}

interface Listed {
  path: string;
  folder: boolean;
  stream: boolean;
  size: number | null;
  mtime: Date | null;
}

/** `7zz l -slt -ba` blocks ('Key = value' lines, a blank line between members). */
function parseListing(text: string): Listed[] {
  const out: Listed[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const kv = new Map<string, string>();
    for (const line of block.split(/\r?\n/)) {
      const i = line.indexOf(' = ');
      if (i > 0) kv.set(line.slice(0, i), line.slice(i + 3));
    }
    const path = kv.get('Path');
    if (!path) continue;
    const m = kv.get('Modified');
    const t = m ? Date.parse(m.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1') + 'Z') : NaN;
    out.push({
      path,
      folder: kv.get('Folder') === '+',
      stream: kv.get('Alternate Stream') === '+',
      size: kv.has('Size') && kv.get('Size') !== '' ? Number(kv.get('Size')) : null,
      mtime: Number.isNaN(t) ? null : new Date(t),
    });
  }
  return out;
}

/** `7zz l` of a container or image: its members, NTFS metadata files ([SYSTEM]/$MFT, ...) and streams left out. */
function list(cmd: string, absPath: string): Listed[] {
  const l = spawnSync(cmd, ['l', '-slt', '-ba', '-spd', '--', absPath], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (l.status !== 0) throw new ArchiveUnreadable(`7-Zip cannot list it: ${(l.stderr || l.stdout).trim().split('\n').slice(-2).join(' ')}`);
  return parseListing(l.stdout).filter((e) => !e.path.startsWith('[') && !e.stream);
}

/**
 * The NTFS partitions of a disk with a partition table, or null when the listing is a file system: 7-Zip lists a
 * partitioned disk as its partitions ('0.img', '1.ntfs', '2') and does not open them (one level per command).
 */
function ntfsPartitions(listed: Listed[]): Listed[] | null {
  if (listed.length === 0 || !listed.every((e) => !e.folder && /^\d+(\.[a-z0-9]+)?$/i.test(e.path))) return null;
  const ntfs = listed.filter((e) => /^\d+\.ntfs$/i.test(e.path));
  return ntfs.length > 0 ? ntfs : null;
}

function streamMember(cmd: string, absPath: string, name: string, write: (chunk: Uint8Array) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, ['e', '-so', '-spd', '--', absPath, name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let failed: Error | null = null;
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      if (failed) return;
      try {
        write(c);
      } catch (x) {
        failed = x as Error;
        child.kill();
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (failed) reject(failed);
      else if (code !== 0) reject(new Error(`7-Zip: ${err.trim().split('\n').slice(-1)[0] ?? `exit ${code}`}`));
      else resolve();
    });
  });
}

/**
 * A partition streamed into a private temp file, sparse: runs of zeros (the unused part of a partition) are
 * skipped, so the file takes the space of the data. `maxBytes` bounds the data written (a bomb of a disk).
 */
async function copyPartition(cmd: string, absPath: string, name: string, file: string, maxBytes: number): Promise<void> {
  const fd = openSync(file, 'wx', 0o600);
  let at = 0;
  let data = 0;
  try {
    await streamMember(cmd, absPath, name, (chunk) => {
      const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (!b.equals(ZEROS.subarray(0, Math.min(b.length, ZEROS.length))) || b.length > ZEROS.length) {
        data += b.length;
        if (data > maxBytes) throw new StopArchive(`the disk's NTFS partition holds more than ${maxBytes} bytes of data (limit)`);
        writeSync(fd, b, 0, b.length, at);
      }
      at += b.length;
    });
    ftruncateSync(fd, at);
  } finally {
    closeSync(fd);
  }
}
const ZEROS = Buffer.alloc(1 << 16);

function sourceOf(cmd: string, absPath: string, listed: Listed[], prefix: string): { names: string[]; members: () => AsyncGenerator<Member> } {
  return {
    names: listed.map((e) => prefix + e.path),
    async *members(): AsyncGenerator<Member> {
      for (const e of listed) {
        yield {
          name: prefix + e.path,
          type: e.folder ? 'dir' : 'file',
          size: e.size,
          packed: null,
          mtime: e.mtime,
          encrypted: false,
          read: (write) => streamMember(cmd, absPath, e.path, write),
        };
      }
    },
  };
}

/**
 * A disk container or image. A disk with a partition table has each NTFS partition copied (sparse) into
 * `tempDir`, then read as an NTFS image; with one NTFS partition its members are named as in a folder, with
 * several each is under its partition's name ('2.ntfs/C/...'). The copies are removed once read.
 */
export async function openSevenZip(absPath: string, tempDir: () => string, maxBytes: number): Promise<MemberSource> {
  const cmd = sevenZipCommand();
  if (cmd === null) throw new ArchiveUnreadable('disk container not read: install 7-Zip (Debian: apt-get install 7zip) to read VHDX, VHD and NTFS images');
  const listed = list(cmd, absPath);
  const partitions = ntfsPartitions(listed);
  if (partitions === null) {
    const one = sourceOf(cmd, absPath, listed, '');
    return { consumed: () => null, names: () => one.names, members: one.members };
  }
  const opened: { file: string; source: ReturnType<typeof sourceOf> }[] = [];
  try {
    for (const p of partitions) {
      const file = join(tempDir(), `partition-${randomUUID()}.ntfs`);
      opened.push({ file, source: { names: [], members: async function* () {} } });
      await copyPartition(cmd, absPath, p.path, file, maxBytes);
      opened[opened.length - 1]!.source = sourceOf(cmd, file, list(cmd, file), partitions.length > 1 ? `${p.path}/` : '');
    }
  } catch (err) {
    for (const o of opened) rmSync(o.file, { force: true });
    throw err instanceof ArchiveUnreadable || err instanceof StopArchive ? err : new ArchiveUnreadable(`the disk's NTFS partition is not readable: ${(err as Error).message}`);
  }
  return {
    consumed: () => null,
    names: () => opened.flatMap((o) => o.source.names),
    async *members(): AsyncGenerator<Member> {
      try {
        for (const o of opened) {
          yield* o.source.members();
          rmSync(o.file, { force: true });
        }
      } finally {
        for (const o of opened) rmSync(o.file, { force: true });
      }
    },
  };
}
