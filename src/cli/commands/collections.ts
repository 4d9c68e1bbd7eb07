// Several collections in one `exhunt scan --out`: archives given one by one, or a folder holding only archives
// (a CERT's folder of Collection-<host>-<time>.zip), are scanned one at a time, each into its own folder.
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { archiveKindOf } from '../../evidence/index.js';

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
  const velo = /^Collection-(.+?)-\d{4}-\d{2}-\d{2}T[\d_:.]+Z?\.zip$/i.exec(b);
  if (velo) return velo[1]!;
  return b.replace(/\.(zip|tar|tar\.gz|tgz|tar\.zst|tzst)$/i, '') || b;
}

/** The collections among the inputs, or null when they make one collection (scanned as one, as before). */
export function splitCollections(paths: string[]): Collection[] | null {
  const out: Collection[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      return null; // hunt() reports it
    }
    if (st.isFile()) {
      if (!isArchive(p)) return null;
      out.push({ name: collectionName(p), inputs: [p] });
      continue;
    }
    // a folder is split only when it holds archives and nothing else; any other input keeps one scan, as before
    const entries = st.isDirectory() ? readdirSync(p, { withFileTypes: true }) : [];
    const archives = entries.filter((e) => e.isFile() && isArchive(join(p, e.name)));
    if (archives.length === 0 || archives.length !== entries.length) return null;
    for (const a of archives.sort((x, y) => (x.name < y.name ? -1 : 1))) out.push({ name: collectionName(a.name), inputs: [join(p, a.name)] });
  }
  if (out.length < 2) return null;
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
