// Folder names for hosts under DIR/hosts/: a host name comes from evidence (hostile), so it becomes a plain ASCII
// name that cannot leave the folder, with a short hash of the true name wherever the two could be confused.
import { createHash } from 'node:crypto';

const MAX = 64;
// Windows device names are not files, whatever the extension (CON.txt is CON).
const RESERVED = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\.|$)/i;

function shortHash(host: string): string {
  return createHash('sha256').update(host, 'utf8').digest('hex').slice(0, 8);
}

/**
 * The folder for one host: letters, digits, '.', '_' and '-' only (so no '/', '\', NUL or Unicode look-alike of
 * them survives), no leading dot (so never '.' or '..'), at most 64 characters before the hash. The name is kept
 * as it is when already safe; otherwise, or when reserved, a hash of the true name is added.
 */
export function safeHostDir(host: string): string {
  let s = host.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, MAX);
  if (s === host && s !== '' && !RESERVED.test(s)) return s;
  s = s.replace(/[._]+$/, '');
  return `${s === '' ? 'host' : s}-${shortHash(host)}`;
}

/**
 * Folders for a fleet's hosts, one each: where two names would share a folder on a case-insensitive file system
 * (EXCH01 and exch01), both get their hash.
 */
export function hostDirs(hosts: readonly string[]): Map<string, string> {
  const dirs = new Map<string, string>();
  const byFolded = new Map<string, number>();
  for (const h of hosts) {
    const d = safeHostDir(h);
    dirs.set(h, d);
    byFolded.set(d.toLowerCase(), (byFolded.get(d.toLowerCase()) ?? 0) + 1);
  }
  for (const [h, d] of dirs) if (byFolded.get(d.toLowerCase())! > 1) dirs.set(h, `${d.replace(/-[0-9a-f]{8}$/, '')}-${shortHash(h)}`);
  return dirs;
}
