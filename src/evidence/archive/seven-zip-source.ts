// Disk containers (KAPE's VHDX and VHD, raw NTFS images) through Debian's 7-Zip (`7zz`, package 7zip), which
// reads the NTFS inside: members are listed once, then each is streamed from `7zz e -so` into the expander,
// never extracted under its own name. Where 7zz is absent the container is a clear diagnostic.
import { spawn, spawnSync } from 'node:child_process';
import { ArchiveUnreadable, type Member, type MemberSource } from './member.js';

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

export function openSevenZip(absPath: string): MemberSource {
  const cmd = sevenZipCommand();
  if (cmd === null) throw new ArchiveUnreadable('disk container not read: install 7-Zip (Debian: apt-get install 7zip) to read VHDX, VHD and NTFS images');
  const l = spawnSync(cmd, ['l', '-slt', '-ba', '-spd', '--', absPath], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (l.status !== 0) throw new ArchiveUnreadable(`7-Zip cannot list it: ${(l.stderr || l.stdout).trim().split('\n').slice(-2).join(' ')}`);
  // NTFS metadata files ([SYSTEM]/$MFT, ...) and alternate data streams are not the collected files
  const listed = parseListing(l.stdout).filter((e) => !e.path.startsWith('[') && !e.stream);
  return {
    consumed: () => null,
    names: () => listed.map((e) => e.path),
    async *members(): AsyncGenerator<Member> {
      for (const e of listed) {
        yield {
          name: e.path,
          type: e.folder ? 'dir' : 'file',
          size: e.size,
          packed: null,
          mtime: e.mtime,
          encrypted: false,
          read: (write) =>
            new Promise<void>((resolve, reject) => {
              const child = spawn(cmd, ['e', '-so', '-spd', '--', absPath, e.path], { stdio: ['ignore', 'pipe', 'pipe'] });
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
            }),
        };
      }
    },
  };
}
