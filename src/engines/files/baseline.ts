// The clean-install baseline of Exchange web folders (rules/baselines/exchange-web-files.json): judges
// whether a script page at a Windows path, or at a URL path from a log or a .compiled file, is expected.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesDir } from '../../paths.js';
import { findSegments, segmentsOf } from './locate.js';

export interface BaselineFolder {
  id: string;
  segments: string[];
  url: string;
  allowed: string[];
  subfolders: 'unexpected' | 'ignore';
}

export interface Baseline {
  scriptExtensions: string[];
  folders: BaselineFolder[];
}

export interface Judgement {
  folder: BaselineFolder;
  /** 'expected' = on the clean-install list; 'unexpected' = a script page a clean install does not have. */
  verdict: 'expected' | 'unexpected';
  /** The script extension found ('.aspx'), and whether it is the last one (x.aspx) or inner (x.aspx.req). */
  extension: string;
  executable: boolean;
}

let cached: Baseline | null = null;

export function loadBaseline(): Baseline {
  if (cached) return cached;
  const raw = JSON.parse(readFileSync(join(rulesDir, 'baselines', 'exchange-web-files.json'), 'utf8')) as Baseline;
  cached = {
    scriptExtensions: raw.scriptExtensions.map((e) => e.toLowerCase()),
    // most specific (longest) folder first
    folders: [...raw.folders].sort((a, b) => b.segments.length - a.segments.length),
  };
  return cached;
}

/** '.aspx' for x.aspx (executable) or x.aspx.req (not executable by IIS); null for other files. */
function scriptExtension(name: string, b: Baseline): { extension: string; executable: boolean } | null {
  const parts = name.toLowerCase().split('.');
  for (let i = parts.length - 1; i >= 1; i--) {
    const ext = '.' + parts[i];
    if (b.scriptExtensions.includes(ext)) return { extension: ext, executable: i === parts.length - 1 };
  }
  return null;
}

function judge(folder: BaselineFolder, depth: number, name: string, b: Baseline): Judgement | null {
  const ext = scriptExtension(name, b);
  if (!ext) return null;
  if (depth > 0 && folder.subfolders === 'ignore') return null;
  const allowed = depth === 0 && folder.allowed.some((a) => a.toLowerCase() === name.toLowerCase());
  return { folder, verdict: allowed ? 'expected' : 'unexpected', ...ext };
}

/** Judges a file by its Windows path; null when it is not a script page in a baseline folder. */
export function judgePath(windowsPath: string, b: Baseline = loadBaseline()): Judgement | null {
  const segs = segmentsOf(windowsPath);
  const name = segs[segs.length - 1];
  if (name === undefined) return null;
  const dirs = segs.slice(0, -1);
  for (const folder of b.folders) {
    const want = folder.segments.map((s) => s.toLowerCase());
    const at = findSegments(dirs, want);
    if (at < 0) continue;
    const depth = dirs.length - (at + want.length);
    const original = windowsPath.split('\\').pop() ?? name;
    return judge(folder, depth, original, b);
  }
  return null;
}

/**
 * Could judgeUrl find a script page at this URL path? false when its last segment (query, trailing slashes
 * and either slash kind considered, as judgeUrl sees it) names no script extension. A path with a %-escape
 * may decode to anything: true. Cheap, no allocation but the name.
 */
export function mayBeScriptPage(urlPath: string, b: Baseline = loadBaseline()): boolean {
  return b === cached ? remembered(pageMemo, urlPath, () => scriptPageTest(urlPath, b)) : scriptPageTest(urlPath, b);
}

// Logs repeat the same few hundred URL paths: the answers for the shipped baseline are remembered per
// path (bounded: the memory starts afresh past MEMO_MAX paths). Judgements handed out are read-only.
const MEMO_MAX = 4096;
const pageMemo = new Map<string, boolean>();
const judgeMemo = new Map<string, Judgement | null>();
function remembered<T>(memo: Map<string, T>, key: string, compute: () => T): T {
  let v = memo.get(key);
  if (v === undefined) {
    v = compute();
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key, v);
  }
  return v;
}

function scriptPageTest(urlPath: string, b: Baseline): boolean {
  if (urlPath.indexOf('%') !== -1) return true;
  let end = urlPath.indexOf('?');
  if (end === -1) end = urlPath.length;
  let c = 0;
  while (end > 0 && ((c = urlPath.charCodeAt(end - 1)) === 47 || c === 92)) end--;
  let start = end;
  while (start > 0 && (c = urlPath.charCodeAt(start - 1)) !== 47 && c !== 92) start--;
  const name = urlPath.slice(start, end);
  return name.indexOf('.') !== -1 && scriptExtension(name, b) !== null;
}

const urlSegmentsCache = new WeakMap<BaselineFolder, string[]>();
/** A folder's URL as lower-case segments ('/owa/auth' → ['owa', 'auth']), computed once. */
function urlSegments(folder: BaselineFolder): string[] {
  let s = urlSegmentsCache.get(folder);
  if (!s) {
    s = folder.url.split('/').filter(Boolean).map((x) => x.toLowerCase());
    urlSegmentsCache.set(folder, s);
  }
  return s;
}

/** Judges a URL path from a request or a .compiled file ('/owa/auth/x.aspx'); null when out of scope. */
export function judgeUrl(urlPath: string, b: Baseline = loadBaseline()): Judgement | null {
  return b === cached ? remembered(judgeMemo, urlPath, () => judgeUrlNow(urlPath, b)) : judgeUrlNow(urlPath, b);
}

function judgeUrlNow(urlPath: string, b: Baseline): Judgement | null {
  const segs = urlPath.split('?')[0]!.split('/').filter(Boolean);
  const name = segs.pop();
  if (name === undefined) return null;
  // Not a script page: no folder can judge it (every log request comes here, nearly all of them static or service URLs).
  if (name.indexOf('.') === -1 || scriptExtension(name, b) === null) return null;
  const dirs = segs.map((s) => s.toLowerCase());
  for (const folder of b.folders) {
    const want = urlSegments(folder);
    if (want.length > dirs.length || want.some((w, i) => dirs[i] !== w)) continue;
    // '/' (wwwroot) only judges pages directly at the top
    return judge(folder, dirs.length - want.length, name, b);
  }
  return null;
}
