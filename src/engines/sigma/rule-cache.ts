// The compiled rule set cached on disk (data only, never code): keyed by the rule files' contents, exhunt's
// version and every option that changes compilation; validated on load, written atomically, rebuilt when bad.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Diagnostic } from '../../diagnostics.js';
import { version } from '../../version.js';
import { compileRuleSources, readRuleSources, type RuleSources, type SigmaLoadOptions, type SigmaLoadResult } from './load.js';
import { NATIVE_LINEAR } from './regex.js';
import { ruleSetFromData, ruleSetToData, RULESET_DATA_FORMAT, type SigmaRuleSetData } from './ruleset-data.js';

const MAGIC = Buffer.from('EXHRULES', 'latin1');
/** The file layout below; bump when it changes. */
const CACHE_FORMAT = 1;

export interface SigmaCachedLoadOptions extends SigmaLoadOptions {
  /** true (the default): the user's cache directory; a string: that directory; false: no cache. */
  cache?: boolean | string;
}

/** A load through the cache: the rule set, the load's report, and what the cache did. */
export type SigmaCachedLoad = Omit<SigmaLoadResult, 'regexes'> & {
  /** hit: read from the cache; miss: compiled (and written); off: compiled, cache not used. */
  cache: 'hit' | 'miss' | 'off';
  /** SHA-256 over the rule files' labels and bytes and the placeholders file (the chain of custody's rule-set hash). */
  rulesSha256: string;
  /** The cache file used, when the cache is on. */
  cacheFile: string | null;
};

/** What the cache file holds after its header: the rule set as data and the load's report. */
export interface Payload {
  data: SigmaRuleSetData;
  report: Omit<SigmaLoadResult, 'ruleSet' | 'regexes'>;
}

/** $XDG_CACHE_HOME/exhunt, else %LOCALAPPDATA%\exhunt on Windows, else ~/.cache/exhunt (Linux and macOS). */
export function ruleCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg) return join(xdg, 'exhunt');
  if (platform === 'win32' && env['LOCALAPPDATA']) return join(env['LOCALAPPDATA'], 'exhunt');
  return join(homedir(), '.cache', 'exhunt');
}

function sha256(): ReturnType<typeof createHash> {
  return createHash('sha256');
}

/**
 * The key: everything the compiled set depends on. Rule texts and labels (findings carry the label), read
 * errors, the placeholders file's text, and the regex engine choice (EXHUNT_REGEX_NATIVE, V8's linear
 * engine, V8's version: regex.ts decides per regex what runs natively). The version and formats are in the
 * header and checked there, so a cache of another version is reported as such.
 */
function contentKey(src: RuleSources, builtinRoot: string | undefined): string {
  const h = sha256();
  // Each field length-prefixed, so that no two different inputs give the same stream.
  const field = (s: string | Buffer): void => {
    h.update(`${typeof s === 'string' ? Buffer.byteLength(s) : s.length}:`);
    h.update(s);
  };
  field(`v8 ${process.versions.v8}; linear ${String(NATIVE_LINEAR)}; native ${process.env['EXHUNT_REGEX_NATIVE'] ?? ''}; builtin ${builtinRoot ?? ''}`);
  const bytes = (b: Buffer | Error): void => {
    field(b instanceof Error ? 'error' : 'bytes');
    field(b instanceof Error ? b.message : b);
  };
  field(src.placeholders ? src.placeholders.path : '-');
  if (src.placeholders) bytes(src.placeholders.bytes);
  for (const p of src.problems) field(`${p.code} ${p.message} ${p.location?.path ?? ''}`);
  for (const f of src.files) {
    field(f.path);
    field(f.label);
    bytes(f.bytes);
  }
  return h.digest('hex');
}

/** The rule set's own hash: what the rules say, whatever the machine (unlike the cache key, which adds V8's version). */
function rulesHash(src: RuleSources): string {
  const h = sha256();
  const field = (b: string | Buffer): void => {
    h.update(`${typeof b === 'string' ? Buffer.byteLength(b) : b.length}:`);
    h.update(b);
  };
  if (src.placeholders) field(src.placeholders.bytes instanceof Error ? 'unreadable' : src.placeholders.bytes);
  for (const f of src.files) {
    field(f.label);
    field(f.bytes instanceof Error ? 'unreadable' : f.bytes);
  }
  return h.digest('hex');
}

/** The file for this load: named by what was asked (paths, options), so another rule selection has its own. */
function cacheFileFor(dir: string, paths: readonly string[], opts: SigmaLoadOptions): string {
  const id = sha256()
    .update(JSON.stringify([paths.map((p) => resolve(p)), opts.builtinRoot ?? null, opts.placeholdersFile ? resolve(opts.placeholdersFile) : null]))
    .digest('hex')
    .slice(0, 20);
  return join(dir, `sigma-${id}.bin`);
}

interface Header {
  exhunt: string;
  dataFormat: number;
  key: string;
}

/**
 * The cache file's bytes: magic (8), layout version (u32), header length (u32), payload length (u32), sha256
 * of header and payload (32), header (JSON: exhunt version, data format, key), payload (V8-serialised data).
 */
export function encodeCache(key: string, payload: Payload, exhunt: string = version): Buffer {
  const body = serialize(payload);
  const header: Header = { exhunt, dataFormat: RULESET_DATA_FORMAT, key };
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const fixed = Buffer.alloc(FIXED);
  MAGIC.copy(fixed, 0);
  fixed.writeUInt32LE(CACHE_FORMAT, 8);
  fixed.writeUInt32LE(h.length, 12);
  fixed.writeUInt32LE(body.length, 16);
  sha256().update(h).update(body).digest().copy(fixed, 20);
  return Buffer.concat([fixed, h, body]);
}

const FIXED = 52;

/** The payload, or why these bytes are not a valid cache for this key (stale: valid, but for something else). */
export function decodeCache(buf: Buffer, key: string): { payload: Payload; header: Header } | { reason: string; stale: boolean } {
  const bad = (reason: string): { reason: string; stale: boolean } => ({ reason, stale: false });
  if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) return bad('not an exhunt rule cache (bad magic)');
  const layout = buf.readUInt32LE(8);
  if (layout !== CACHE_FORMAT) return { reason: `cache layout ${layout}, this exhunt reads ${CACHE_FORMAT}`, stale: true };
  if (buf.length < FIXED) return bad('truncated header');
  const hl = buf.readUInt32LE(12);
  const bl = buf.readUInt32LE(16);
  if (buf.length !== FIXED + hl + bl) return bad(`${buf.length} bytes where the header says ${FIXED + hl + bl} (truncated or half-written)`);
  const rest = buf.subarray(FIXED);
  if (!sha256().update(rest).digest().equals(buf.subarray(20, FIXED))) return bad('checksum mismatch (corrupt)');
  let header: Header;
  try {
    header = JSON.parse(rest.subarray(0, hl).toString('utf8')) as Header;
  } catch {
    return bad('unreadable header');
  }
  if (header.exhunt !== version) return { reason: `written by exhunt ${String(header.exhunt)}, this is ${version}`, stale: true };
  if (header.dataFormat !== RULESET_DATA_FORMAT) return { reason: `rule data format ${String(header.dataFormat)}`, stale: true };
  if (header.key !== key) return { reason: 'the rule files or options changed', stale: true };
  try {
    return { payload: deserialize(rest.subarray(hl)) as Payload, header };
  } catch (e) {
    return bad(`undecodable payload: ${(e as Error).message}`);
  }
}

/** The key a cache file was written for (tests rewrite a cache as another version would have). */
export function cacheKeyOf(buf: Buffer): string {
  return (JSON.parse(buf.subarray(FIXED, FIXED + buf.readUInt32LE(12)).toString('utf8')) as Header).key;
}

/**
 * Write atomically: a temporary file in the same directory, flushed to disk, then renamed over the cache
 * file. Two scans starting together each write their own temporary file; the last rename wins, and both
 * are the same set. A reader sees the old file or the new one, never half of one.
 */
function writeAtomic(file: string, bytes: Buffer): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function cacheProblem(severity: Diagnostic['severity'], message: string, path: string): Diagnostic {
  return { code: 'SIGMA_CACHE', severity, message, location: { path } };
}

/**
 * loadSigma through the rule cache. A hit rebuilds the set from data (closures compiled on first use); a
 * missing, stale or corrupt cache is compiled and written again. Cache problems never stop the load: a
 * stale or corrupt file is reported (info / warning) and rebuilt, an unwritable directory is a warning.
 */
export async function loadSigmaCached(paths: string[], opts: SigmaCachedLoadOptions = {}): Promise<SigmaCachedLoad> {
  const src = await readRuleSources(paths, opts);
  if (opts.cache === false) {
    const { regexes: _regexes, ...rest } = compileRuleSources(src);
    return { ...rest, cache: 'off', cacheFile: null, rulesSha256: rulesHash(src) };
  }
  const dir = typeof opts.cache === 'string' ? opts.cache : ruleCacheDir();
  const file = cacheFileFor(dir, paths, opts);
  const key = contentKey(src, opts.builtinRoot);
  const notes: Diagnostic[] = [];
  let bytes: Buffer | null = null;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') notes.push(cacheProblem('warning', `rule cache unreadable, rules compiled: ${(e as Error).message}`, file));
  }
  if (bytes) {
    const got = decodeCache(bytes, key);
    let reason = 'reason' in got ? got.reason : '';
    if ('payload' in got) {
      const { data, report } = got.payload;
      try {
        return { ...report, ruleSet: ruleSetFromData(data), cache: 'hit', cacheFile: file, rulesSha256: rulesHash(src) };
      } catch (e) {
        // Only a file that passed the checksum yet holds other data gets here (written by hand?): rebuild it.
        reason = `unusable rule data: ${(e as Error).message}`;
      }
    }
    notes.push(cacheProblem('stale' in got && got.stale ? 'info' : 'warning', `rule cache ignored and rebuilt: ${reason}`, file));
  }
  const result = compileRuleSources(src);
  try {
    const { ruleSet, regexes: _regexes, ...report } = result;
    const payload: Payload = { data: ruleSetToData(ruleSet), report };
    mkdirSync(dir, { recursive: true });
    writeAtomic(file, encodeCache(key, payload));
  } catch (e) {
    notes.push(cacheProblem('warning', `rule cache not written (${(e as Error).message}); rules are compiled on every scan`, file));
  }
  const { regexes: _regexes, ...rest } = result;
  return { ...rest, problems: [...notes, ...rest.problems], cache: 'miss', cacheFile: file, rulesSha256: rulesHash(src) };
}
