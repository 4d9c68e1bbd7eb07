// Triage-collection layouts (research/formats.md §6): Velociraptor's percent-escaped uploads/ tree and
// its metadata files, KAPE's drive folders and copy logs, and the mapping back to original Windows paths.

/** Velociraptor's accessors (the first folder under uploads/): a tar stream's only clue before its metadata files pass. */
export const ACCESSORS = new Set(['auto', 'ntfs', 'mft', 'lazy_ntfs', 'ntfs_vss', 'file', 'raw_ntfs', 'fat', 'data', 'ntfs_ads']);

const VELO_MARKERS = ['uploads.json', 'client_info.json', 'collection_context.json', 'log.json'];

/** A folder holding `uploads/` plus one of Velociraptor's top-level metadata files. */
export function isVelociraptorRoot(names: Set<string>): boolean {
  return names.has('uploads') && VELO_MARKERS.some((m) => names.has(m));
}

/**
 * Percent-decodes one path component to bytes, then reads them as UTF-8 leniently ('%F0%F2' does not throw,
 * unlike decodeURIComponent). '+' stays '+'.
 */
export function decodeComponent(name: string): string {
  if (name.indexOf('%') === -1) return name;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(name.slice(i + 1, i + 3))) {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Why a collection's own bookkeeping file is not evidence, or null. `dirRel` is the folder's path
 * relative to the root; `veloRoot` says the folder is a Velociraptor collection root.
 */
export function metadataReason(dirRel: string, name: string, veloRoot: boolean, inUploads: boolean): string | null {
  if (inUploads) return null;
  const lower = name.toLowerCase();
  if (veloRoot && (VELO_MARKERS.includes(name) || name === 'requests.json' || name === 'metadata.json' || lower.endsWith('.index'))) {
    return 'Velociraptor collection metadata';
  }
  if (/(^|\/)results$/.test(dirRel) && lower.endsWith('.json.index')) return 'Velociraptor collection metadata';
  if (/_copylog\.csv$|_skiplog\.csv$|_consolelog\.txt$/i.test(name)) return 'KAPE collection log';
  return null;
}

/**
 * The original Windows path of a collected file, when the layout says it: KAPE 'C/Windows/x' →
 * 'C:\Windows\x', Velociraptor 'uploads/auto/C:/Windows/x' → 'C:\Windows\x'; else null.
 */
export function windowsPath(path: string): string | null {
  const parts = path.split('/');
  const up = parts.indexOf('uploads');
  if (up >= 0 && up + 2 < parts.length) {
    let drive = parts[up + 2]!;
    const dev = /^\\\\\.\\([A-Za-z]:)$/.exec(drive);
    if (dev) drive = dev[1]!;
    if (/^[A-Za-z]:$/.test(drive)) return [drive.toUpperCase(), ...parts.slice(up + 3)].join('\\');
  }
  for (let i = 0; i < parts.length - 1; i++) {
    if (/^[A-Za-z]$/.test(parts[i]!)) return [`${parts[i]!.toUpperCase()}:`, ...parts.slice(i + 1)].join('\\');
  }
  return null;
}
