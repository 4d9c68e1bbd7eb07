// Where a collected file lived on the Exchange server: its Windows path rebuilt from the collection
// layout (KAPE 'C\', Velociraptor 'C%3A\', or a partial copy), and the kind of folder that is.

/** Top-level Windows folders that anchor a path when the collection has no drive folder. */
const TOP_FOLDERS = new Set(['program files', 'program files (x86)', 'windows', 'inetpub', 'programdata', 'users', 'root', 'perflogs', 'documents and settings']);

function driveOf(seg: string): string | null {
  const m = /^([A-Za-z])(?::|%3A)$/i.exec(seg);
  return m ? m[1]!.toUpperCase() : null;
}

/**
 * The file's path as Windows saw it, e.g. 'C:\inetpub\wwwroot\aspnet_client\x.aspx'. The drive folder
 * of the collection decides ('C', 'C:', 'C%3A'); else the first well-known top folder in the path
 * below the scanned root is taken as being on C:; else the root's own last top folder (never 'Users',
 * which is also macOS's home folder); else '\' + the relative path.
 */
export function windowsPathOf(root: string, relPath: string): string {
  const rootSegs = root.split(/[\\/]+/).filter(Boolean);
  const relSegs = relPath.split('/').filter(Boolean);
  const all = [...rootSegs, ...relSegs];
  const firstRel = rootSegs.length;
  const isLetterDrive = (i: number): boolean =>
    /^[A-Za-z]$/.test(all[i]!) && i + 1 < all.length && TOP_FOLDERS.has(all[i + 1]!.toLowerCase());
  // 1. a drive folder: the last one at or above the file
  for (let i = all.length - 2; i >= 0; i--) {
    const d = driveOf(all[i]!) ?? (isLetterDrive(i) ? all[i]!.toUpperCase() : null);
    if (d) return `${d}:\\${all.slice(i + 1).join('\\')}`;
  }
  // 2. a top folder inside the collection
  for (let i = firstRel; i < all.length - 1; i++) {
    if (TOP_FOLDERS.has(all[i]!.toLowerCase())) return `C:\\${all.slice(i).join('\\')}`;
  }
  // 3. a top folder in the scanned root itself (the user pointed at e.g. .../inetpub/wwwroot)
  for (let i = firstRel - 1; i >= 0; i--) {
    const s = all[i]!.toLowerCase();
    if (TOP_FOLDERS.has(s) && s !== 'users' && s !== 'root') return `C:\\${all.slice(i).join('\\')}`;
  }
  // 4. an Exchange folder in the root (e.g. .../V15/FrontEnd/HttpProxy)
  for (let i = 0; i < firstRel; i++) {
    const s = all[i]!.toLowerCase();
    if (s === 'frontend' || s === 'clientaccess' || s === 'v15') return `\\${all.slice(i).join('\\')}`;
  }
  return `\\${relSegs.join('\\')}`;
}

/** Lower-case segments of a Windows path, without the drive. */
export function segmentsOf(windowsPath: string): string[] {
  return windowsPath.replace(/^[A-Za-z]:/, '').split('\\').filter(Boolean).map((s) => s.toLowerCase());
}

/** Index where `needle` occurs as consecutive segments in `hay`, or -1. */
export function findSegments(hay: string[], needle: string[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * The URL path IIS serves the file under, for the Exchange and Default Web Site folders:
 * FrontEnd\HttpProxy\owa\auth\x.aspx → /owa/auth/x.aspx, ClientAccess\ecp\x.aspx → /ecp/x.aspx,
 * inetpub\wwwroot\aspnet_client\x.aspx → /aspnet_client/x.aspx. Null for other folders.
 */
export function urlPathOf(windowsPath: string): string | null {
  const orig = windowsPath.replace(/^[A-Za-z]:/, '').split('\\').filter(Boolean);
  const segs = orig.map((s) => s.toLowerCase());
  let i = findSegments(segs, ['frontend', 'httpproxy']);
  if (i >= 0 && segs.length > i + 2) return '/' + orig.slice(i + 2).join('/');
  i = segs.indexOf('clientaccess');
  if (i >= 0 && segs.length > i + 1) return '/' + orig.slice(i + 1).join('/');
  i = findSegments(segs, ['inetpub', 'wwwroot']);
  if (i >= 0 && segs.length > i + 2) return '/' + orig.slice(i + 2).join('/');
  return null;
}

/** Folders where files land for staging or credential dumping (Test-ProxyLogon: C:\root, %WINDIR%\Temp). */
export type PlaceKind = 'web' | 'staging' | 'programdata' | 'crash-dumps' | 'temporary-aspnet' | 'other';

export function placeOf(windowsPath: string): PlaceKind {
  const segs = segmentsOf(windowsPath);
  const dirs = segs.slice(0, -1);
  if (findSegments(dirs, ['temporary asp.net files']) >= 0) return 'temporary-aspnet';
  if (urlPathOf(windowsPath) !== null) return 'web';
  if (findSegments(dirs, ['microsoft', 'windows', 'wer']) >= 0 || dirs.includes('crashdumps') || dirs.includes('minidump')) return 'crash-dumps';
  if (dirs.length === 0 && /^[A-Za-z]:/.test(windowsPath)) return 'staging'; // the drive root itself
  const top = dirs[0];
  if (top === 'root' || top === 'perflogs' || dirs.includes('temp') || dirs.includes('tmp') || findSegments(dirs, ['users', 'public']) === 0) return 'staging';
  if (top === 'programdata' || findSegments(dirs, ['users', 'all users']) === 0) return 'programdata';
  return 'other';
}

/** Log files routed to YARA log signatures: under Logging\, inetpub\logs\, LogFiles\ or a *Logs folder. */
export function isLogPath(windowsPath: string): boolean {
  const segs = segmentsOf(windowsPath);
  const name = segs[segs.length - 1] ?? '';
  if (!/\.(log|txt|csv)$/.test(name)) return false;
  return segs.slice(0, -1).some((s) => s === 'logging' || s === 'logs' || s === 'logfiles' || s.endsWith('log') || s.endsWith('logs'));
}
