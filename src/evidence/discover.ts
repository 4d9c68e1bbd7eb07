// Evidence discovery: walks the given folders and files (KAPE, Velociraptor or plain layouts), never
// following links out of a root, sniffs each file's kind and reports what it skipped and why.
import { readdirSync, type Dirent } from 'node:fs';
import { lstat, open, opendir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { DiagnosticSink } from '../diagnostics.js';
import type { Evidence, EvidenceKind } from './evidence.js';
import { SNIFF_BYTES, sniffKind } from './sniff.js';
import { decodeComponent, isVelociraptorRoot, metadataReason } from './layout.js';
import { archiveKindOf, type ArchiveSession } from './archive/index.js';
import { isUploadResults, type CollectionRecords } from './records.js';

export interface SkippedFile {
  /** Path relative to its root ('/' separators), or the input as given when the input itself failed. */
  path: string;
  reason: string;
}

export interface DiscoverOptions {
  /** Bytes read from each file to sniff its kind (default SNIFF_BYTES). */
  sniffBytes?: number;
  /**
   * Reads archives (ZIP, tar, tar.gz, tar.zst) in place: their members become evidence cited as
   * `<archive>!/<member>`, in the session's temp folder (the caller disposes of it once the scan is done).
   * Without it an archive is skipped with a reason.
   */
  archives?: ArchiveSession;
  /** Collects the collections' own records of the files (KAPE copy logs, Velociraptor upload rows). */
  records?: CollectionRecords;
}

/** The evidence found under `paths`, in a stable order; `skipped()` is complete once iteration ends. */
export interface Discovery extends AsyncIterable<Evidence> {
  skipped(): SkippedFile[];
}

export function discover(paths: string[], sink: DiagnosticSink, opts: DiscoverOptions = {}): Discovery {
  const skipped: SkippedFile[] = [];
  return {
    skipped: () => skipped.slice(),
    [Symbol.asyncIterator]: () => walkAll(paths, sink, skipped, opts)[Symbol.asyncIterator](),
  };
}

async function* walkAll(paths: string[], sink: DiagnosticSink, skipped: SkippedFile[], opts: DiscoverOptions): AsyncGenerator<Evidence> {
  // Overlapping inputs (a folder and a file inside it) must not yield the same file twice. Within one
  // input, a link to another file of the collection is kept: it is cited under its own path.
  const seen = new Set<string>();
  let current = new Set<string>();
  const once = (ev: Evidence | null): ev is Evidence => {
    if (ev === null || seen.has(ev.absPath)) return false;
    current.add(ev.absPath);
    return true;
  };
  for (const input of paths) {
    for (const p of current) seen.add(p);
    current = new Set<string>();
    const abs = resolve(input);
    let st;
    try {
      st = await stat(abs); // an input the user named is followed even if it is a link
    } catch (err) {
      sink({ code: 'IO_ERROR', severity: 'error', message: `cannot read input: ${(err as Error).message}`, location: { path: input } });
      skipped.push({ path: input, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
      continue;
    }
    if (st.isFile()) {
      const real = await realpath(abs);
      for await (const ev of toEvidence(real, basename(abs), dirname(abs), st.size, st.mtime, sink, skipped, opts)) {
        if (once(ev)) yield ev;
      }
    } else if (st.isDirectory()) {
      const root = await realpath(abs);
      for await (const ev of walkDir(root, root, '', insideVelociraptorUploads(root), new Set([root]), sink, skipped, opts)) {
        if (once(ev)) yield ev;
      }
    } else {
      skipped.push({ path: input, reason: 'not a regular file or folder' });
    }
  }
}

/** True when `dir` lies inside a Velociraptor collection's uploads/ tree (the user gave a sub-folder). */
function insideVelociraptorUploads(dir: string): boolean {
  const parts = dir.split(sep);
  const i = parts.lastIndexOf('uploads');
  if (i < 1) return false;
  const collection = parts.slice(0, i).join(sep) || sep;
  try {
    return isVelociraptorRoot(new Set(readdirSync(collection)));
  } catch {
    return false;
  }
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function* walkDir(
  root: string,
  dir: string,
  rel: string,
  velociraptor: boolean,
  visited: Set<string>,
  sink: DiagnosticSink,
  skipped: SkippedFile[],
  opts: DiscoverOptions,
): AsyncGenerator<Evidence> {
  let entries: Dirent[] = [];
  try {
    const d = await opendir(dir);
    for await (const e of d) entries.push(e);
  } catch (err) {
    sink({ code: 'NOT_READABLE', severity: 'warning', message: `cannot list folder: ${(err as Error).message}`, location: { path: rel || '.' } });
    skipped.push({ path: rel || '.', reason: 'folder not readable' });
    return;
  }
  entries = entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set(entries.map((e) => e.name));
  const veloRoot = !velociraptor && isVelociraptorRoot(names);
  for (const e of entries) {
    const abs = join(dir, e.name);
    // Inside a Velociraptor uploads/ tree each component is percent-escaped; show it decoded.
    const shown = velociraptor ? decodeComponent(e.name) : e.name;
    const childRel = rel ? `${rel}/${shown}` : shown;
    const childVelo = velociraptor || (veloRoot && e.name === 'uploads');
    let target = abs;
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        target = await realpath(abs);
      } catch {
        skipped.push({ path: childRel, reason: 'broken symbolic link' });
        continue;
      }
      if (!inside(root, target)) {
        sink({
          code: 'SYMLINK_OUTSIDE',
          severity: 'warning',
          message: `symbolic link points outside the scanned folder (to ${target}); not followed`,
          location: { path: childRel },
        });
        skipped.push({ path: childRel, reason: 'symbolic link out of the scanned folder' });
        continue;
      }
      const ts = await stat(target).catch(() => null);
      isDir = ts?.isDirectory() ?? false;
      isFile = ts?.isFile() ?? false;
    }
    if (isDir) {
      if (veloRoot && e.name === 'results') {
        skipped.push({ path: childRel, reason: 'Velociraptor artifact results (collection metadata, not host evidence)' });
        // the upload rows among them give the files' true times and hashes
        if (opts.records) {
          for (const n of readdirSync(abs).filter(isUploadResults).sort()) opts.records.addFile('velociraptor-uploads', join(abs, n), rel ? `${rel}/` : '', `${childRel}/${n}`, sink);
        }
        continue;
      }
      const real = e.isSymbolicLink() ? target : abs;
      if (visited.has(real)) continue; // a link back into an ancestor: already walked
      visited.add(real);
      yield* walkDir(root, real, childRel, childVelo, visited, sink, skipped, opts);
      continue;
    }
    if (!isFile) {
      skipped.push({ path: childRel, reason: 'not a regular file (device, pipe or socket)' });
      continue;
    }
    const meta = metadataReason(rel, e.name, veloRoot, velociraptor);
    if (meta) {
      skipped.push({ path: childRel, reason: meta });
      if (opts.records && /_copylog\.csv$/i.test(e.name)) opts.records.addFile('kape-copylog', target, rel ? `${rel}/` : '', childRel, sink);
      if (opts.records && veloRoot && e.name === 'client_info.json') opts.records.addClientInfo(target, rel ? `${rel}/` : '', childRel, sink);
      continue;
    }
    let st;
    try {
      st = await lstat(target);
    } catch (err) {
      sink({ code: 'NOT_READABLE', severity: 'warning', message: (err as Error).message, location: { path: childRel } });
      skipped.push({ path: childRel, reason: 'not readable' });
      continue;
    }
    yield* toEvidence(target, childRel, root, st.size, st.mtime, sink, skipped, opts);
  }
}

/** The evidence a file is: itself, or the members of the archive it is (none when skipped). */
async function* toEvidence(
  absPath: string,
  path: string,
  root: string,
  size: number,
  mtime: Date,
  sink: DiagnosticSink,
  skipped: SkippedFile[],
  opts: DiscoverOptions,
): AsyncGenerator<Evidence> {
  if (size === 0) {
    skipped.push({ path, reason: 'empty file' });
    return;
  }
  let head: Buffer;
  try {
    const fh = await open(absPath, 'r');
    try {
      const buf = Buffer.alloc(Math.min(opts.sniffBytes ?? SNIFF_BYTES, size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    sink({ code: 'NOT_READABLE', severity: 'warning', message: `cannot open: ${(err as Error).message}`, location: { path } });
    skipped.push({ path, reason: `not readable: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
    return;
  }
  const kind: EvidenceKind = sniffKind(head);
  // An archive is evidence itself (one staged in ProgramData is a finding), then its members are.
  yield { absPath, path, root, kind, size, mtime: mtime.toISOString() };
  const archive = archiveKindOf(head, path);
  if (archive !== null) {
    if (opts.archives) {
      yield* opts.archives.expand(absPath, path, archive, size, mtime, sink, (p, reason) => skipped.push({ path: p, reason }), opts.records);
    } else {
      skipped.push({ path, reason: `${archive} archive: contents not read here (exhunt scan reads archives in place)` });
    }
  }
}
