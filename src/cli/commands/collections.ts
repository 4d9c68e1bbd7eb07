// Several collections in one `exhunt scan`: archives, collection folders (KAPE or Velociraptor layout), a folder
// of them, or plain folders from distinct hosts are scanned one at a time, each its own verdict (and --out folder).
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { archiveKindOf, collectionFolderLayout, hostOfInputs, shortName } from '../../evidence/index.js';

export interface Collection {
  /** The output folder's name: the host where the collection's name says it, else the file or folder name. */
  name: string;
  inputs: string[];
}

function isArchive(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(512);
      const n = readSync(fd, head, 0, 512, 0);
      return archiveKindOf(head.subarray(0, n), path) !== null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** 'Collection-EXCH01-2021-03-10T10_00_00Z.zip' → 'EXCH01' (Velociraptor's naming); else the name without extensions. */
export function collectionName(file: string): string {
  const b = basename(file);
  const velo = /^Collection-(.+?)-\d{4}-\d{2}-\d{2}T[\d_:.]+Z?(\.zip)?$/i.exec(b);
  if (velo) return velo[1]!;
  return b.replace(/\.(zip|tar|tar\.gz|tgz|tar\.zst|tzst)$/i, '') || b;
}

/** One input as collections: itself (an archive, a collection folder), its entries (a folder of them), or plain. */
type Unit = { path: string; plain: boolean };

function unitsOf(p: string): Unit[] | null {
  let st;
  try {
    st = statSync(p);
  } catch {
    return null; // hunt() reports it
  }
  if (st.isFile()) return isArchive(p) ? [{ path: p, plain: false }] : null;
  if (!st.isDirectory()) return null;
  if (collectionFolderLayout(p) !== null) return [{ path: p, plain: false }];
  // a folder holding only archives and collection folders (hidden files aside) is that many collections
  const entries = readdirSync(p, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  const inner = entries.map((e) => join(p, e.name)).filter((e) => (statSync(e).isFile() ? isArchive(e) : collectionFolderLayout(e) !== null));
  if (inner.length > 0 && inner.length === entries.length) return inner.sort().map((path) => ({ path, plain: false }));
  return [{ path: p, plain: true }];
}

/**
 * The collections among the inputs, or null when they make one collection (scanned as one, as before). Archives
 * and KAPE/Velociraptor folders are collections by their layout; a plain folder is one only when it and every
 * other plain folder given name distinct hosts (read from their logs): else the inputs are one scan, as before.
 */
export async function splitCollections(paths: string[], password: string | null = null): Promise<Collection[] | null> {
  const units: Unit[] = [];
  for (const p of paths) {
    const u = unitsOf(p);
    if (u === null) return null;
    units.push(...u);
  }
  if (units.length < 2) return null;
  const plainHosts = new Set<string>();
  for (const u of units.filter((x) => x.plain)) {
    const host = await hostOfInputs([u.path], { password });
    if (host === null || plainHosts.has(shortName(host.name))) return null;
    plainHosts.add(shortName(host.name));
  }
  const out: Collection[] = units.map((u) => ({ name: collectionName(u.path), inputs: [u.path] }));
  // distinct folder names, whatever the collections are called
  const used = new Map<string, number>();
  for (const c of out) {
    const n = (used.get(c.name.toLowerCase()) ?? 0) + 1;
    used.set(c.name.toLowerCase(), n);
    if (n > 1) c.name = `${c.name}-${n}`;
    c.name = c.name.replace(/[^\w.-]/g, '_');
  }
  return out;
}
