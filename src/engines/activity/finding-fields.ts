// Reading facts out of a Finding's loosely shaped `fields` (flat Sigma fields, nested evtx_dump JSON, file
// hashes): client IP, user agent, user, file/URL paths and hashes, whatever the engine that produced it.
import type { Finding, RuleRef } from '../../finding.js';
import { levelRank } from '../../finding.js';
import { clientOf, PROXY_IP } from '../../normalize/index.js';

const IP_NAMES = ['c-ip', 'ClientIpAddress', 'ClientIp', 'original-client-ip', 'IpAddress', 'SourceAddress', 'SourceIp', 'src_ip', 'clientIp', 'ip'];
// Rps_Http logs the User-Agent as ClientInfo, MapiHttp the client program as ClientSoftware (research exchange-logs.md §2.2, §3.3).
const AGENT_NAMES = ['cs-user-agent', 'cs(User-Agent)', 'UserAgent', 'ClientInfo', 'ClientSoftware', 'userAgent', 'user_agent'];
const USER_NAMES = ['cs-username', 'AuthenticatedUser', 'TargetUserName', 'SubjectUserName', 'User', 'user', 'UserName'];
const PATH_NAMES = ['path', 'filePath', 'file', 'TargetFilename', 'TargetFileName', 'FileName', 'cs-uri-stem', 'UrlStem', 'Image', 'CommandLine'];

function scalar(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' || v === '-' ? null : v;
  if (typeof v === 'number') return String(v);
  return null;
}

/** Plain code-unit string order (ISO times, IDs): fast and locale-independent, unlike localeCompare. */
export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A fields object read for names: its keys lower-cased with their scalar values (in key order) and its
 * nested objects, built once per object. Findings of one event share their fields object, and each is
 * asked for several names lists (IP, agent, user, path, hashes) by several reports.
 */
interface FieldsIndex {
  keys: string[];
  scalars: (string | null)[];
  nested: Record<string, unknown>[];
  /** Answers already given, by names list (joined). */
  answers: Map<string, string | null>;
}
const indexes = new WeakMap<object, FieldsIndex>();
// Field names repeat across events: one lower-case string per distinct name (bounded).
const lowerNames = new Map<string, string>();
function lowerName(k: string): string {
  let l = lowerNames.get(k);
  if (l === undefined) {
    l = k.toLowerCase();
    if (lowerNames.size > 65_536) lowerNames.clear();
    lowerNames.set(k, l);
  }
  return l;
}
// The index asked for last: a finding's facts ask for the same fields object several times in a row.
let lastFields: object | null = null;
let lastIndex: FieldsIndex | null = null;
function indexOf(fields: Record<string, unknown>): FieldsIndex {
  if (fields === lastFields) return lastIndex!;
  let ix = indexes.get(fields);
  if (!ix) {
    ix = { keys: [], scalars: [], nested: [], answers: new Map() };
    for (const k in fields) {
      if (!Object.prototype.hasOwnProperty.call(fields, k)) continue;
      const v = fields[k];
      ix.keys.push(lowerName(k));
      ix.scalars.push(scalar(v));
      if (v && typeof v === 'object' && !Array.isArray(v)) ix.nested.push(v as Record<string, unknown>);
    }
    indexes.set(fields, ix);
  }
  lastFields = fields;
  lastIndex = ix;
  return ix;
}

const lowerSets = new Map<string, Set<string>>();

/** First non-empty value of any of `names`, at the top level (any case) or nested up to 3 objects deep. */
const joinedNames = new WeakMap<readonly string[], string>();
export function fieldValue(fields: Record<string, unknown>, names: readonly string[], depth = 0): string | null {
  let key = joinedNames.get(names);
  if (key === undefined) joinedNames.set(names, (key = names.join('\u0000')));
  const ix = indexOf(fields);
  const known = depth === 0 ? ix.answers.get(key) : undefined;
  if (known !== undefined) return known;
  let answer: string | null = null;
  search: {
    for (const n of names) {
      const v = scalar(fields[n]);
      if (v !== null) {
        answer = v;
        break search;
      }
    }
    let lower = lowerSets.get(key);
    if (!lower) {
      lower = new Set(names.map((n) => n.toLowerCase()));
      if (lowerSets.size > 256) lowerSets.clear();
      lowerSets.set(key, lower);
    }
    for (let i = 0; i < ix.keys.length; i++) {
      if (ix.scalars[i] !== null && lower.has(ix.keys[i]!)) {
        answer = ix.scalars[i]!;
        break search;
      }
    }
    if (depth >= 3) break search;
    for (const v of ix.nested) {
      const r = fieldValue(v, names, depth + 1);
      if (r !== null) {
        answer = r;
        break search;
      }
    }
  }
  // A nested object's answer depends on the depth it was reached at: only top-level answers are kept.
  if (depth === 0) ix.answers.set(key, answer);
  return answer;
}

const LOOPBACK = /^(?:127\.|::1$|0\.0\.0\.0$|::ffff:127\.)/;
/** The client IP of a finding (loopback and placeholders excluded). */
interface Facts {
  ip?: string | null;
  agent?: string | null;
  user?: string | null;
  fileKey?: string | null;
  path?: string | null;
  urlStem?: string | null;
  urlHost?: string | null;
  hashes?: FindingHashes;
}
// Findings are read many times (story, model, timeline, STIX); their facts are computed once each.
const factsCache = new WeakMap<Finding, Facts>();
// The finding asked for last, and its facts: a finding's facts are asked for one after another (indicators, digest
// record, sample copy). Findings of one event (the same fields and evidence objects, the same engine) have the same
// facts, since every fact reads only those: they share one Facts object.
let lastFinding: Finding | null = null;
let lastFacts: Facts | null = null;
function factsOf(f: Finding): Facts {
  if (f === lastFinding) return lastFacts!;
  let c = factsCache.get(f);
  if (!c) {
    const l = lastFinding;
    c = l !== null && l.fields === f.fields && l.evidence === f.evidence && l.engine === f.engine ? lastFacts! : {};
    factsCache.set(f, c);
  }
  lastFinding = f;
  lastFacts = c;
  return c;
}
function memo<K extends Exclude<keyof Facts, 'hashes'>>(f: Finding, k: K, compute: () => string | null): string | null {
  const c = factsOf(f);
  const v = c[k];
  if (v !== undefined) return v;
  const r = compute();
  c[k] = r;
  return r;
}

export function findingIp(f: Finding): string | null {
  return memo(f, 'ip', () => ipOf(f));
}
function ipOf(f: Finding): string | null {
  // Behind a trusted proxy the client is the one the proxy named, or unknown: never the proxy (see normalize/).
  if (typeof f.fields[PROXY_IP] === 'string') {
    const c = clientOf(f.fields);
    return c !== null && !LOOPBACK.test(c) ? c : null;
  }
  // The Exchange Back End site (W3SVC2) logs the front end as its client, not the attacker.
  if (f.evidence.kind === 'iis-w3c' && /(?:^|\/)W3SVC2\//i.test(f.evidence.path)) return null;
  const v = fieldValue(f.fields, IP_NAMES);
  if (!v) return null;
  const ip = v.split(/[,\s]/)[0]!.replace(/^\[|\]$/g, '');
  if (LOOPBACK.test(ip) || !/^[0-9a-f.:]+$/i.test(ip)) return null;
  return ip;
}
export function findingAgent(f: Finding): string | null {
  return memo(f, 'agent', () => fieldValue(f.fields, AGENT_NAMES));
}
export function findingUser(f: Finding): string | null {
  return memo(f, 'user', () => userOf(f));
}
function userOf(f: Finding): string | null {
  const u = fieldValue(f.fields, USER_NAMES);
  if (!u) return null;
  // machine accounts and service identities link everything to everything: not a useful actor key
  if (u.endsWith('$') || /^(?:nt authority\\|system$|local service$|network service$)/i.test(u)) return null;
  return u.toLowerCase();
}

const SCRIPT_OR_LOOT = /([^\\/?#\s"']+\.(?:aspx|asp|ashx|asmx|php|jsp|dmp|zip|7z|rar|cab|pst))(?=$|[?#\s"'])/i;
const COMMON = new Set(['exchange.asmx', 'logon.aspx', 'default.aspx', 'owa.aspx', 'errorfe.aspx']);
/** The web-shell/dump/archive file name a finding is about (lower case), used to link findings. */
export function findingFileKey(f: Finding): string | null {
  return memo(f, 'fileKey', () => fileKeyOf(f));
}
function fileKeyOf(f: Finding): string | null {
  const candidates = [fieldValue(f.fields, PATH_NAMES), f.engine === 'sigma' || f.engine === 'correlation' || f.engine === 'exposure' ? null : f.evidence.path];
  for (const c of candidates) {
    if (!c) continue;
    const m = SCRIPT_OR_LOOT.exec(c);
    if (m) {
      const name = m[1]!.toLowerCase();
      if (!COMMON.has(name)) return name;
    }
  }
  return null;
}
/** A display path: the file or URL path a finding concerns. */
const DISPLAY_PATH_NAMES = PATH_NAMES.slice(0, 8);
export function findingPath(f: Finding): string | null {
  return memo(f, 'path', () => fieldValue(f.fields, DISPLAY_PATH_NAMES));
}

const URL_STEM_NAMES = ['cs-uri-stem', 'UrlStem'];
const HASH_NAMES = { md5: ['md5', 'MD5'], sha1: ['sha1', 'SHA1', 'SHA-1'], sha256: ['sha256', 'SHA256', 'SHA-256'], sysmon: ['Hashes', 'hashes'] } as const;
const URL_HOST_NAMES = ['cs-host', 'UrlHost'];
export interface FindingHashes {
  md5?: string;
  sha1?: string;
  sha256?: string;
}
export function findingHashes(f: Finding): FindingHashes {
  const c = factsOf(f);
  return (c.hashes ??= hashesOf(f));
}
/** The URL path and host a finding names (the STIX export's URL indicators). */
export function findingUrlStem(f: Finding): string | null {
  return memo(f, 'urlStem', () => fieldValue(f.fields, URL_STEM_NAMES));
}
export function findingUrlHost(f: Finding): string | null {
  return memo(f, 'urlHost', () => fieldValue(f.fields, URL_HOST_NAMES));
}

/**
 * A finding as the report's tallies read it (the digest, the verdict, remediation and STIX): without its fields,
 * with the facts they read from them — the client IP always; the hashes and URL only where STIX may make an
 * indicator of them (wantsHashes, wantsUrl), else null — and the whole finding on demand, for the few that a
 * capped sample keeps. A worker sends these facts instead of the fields (reporters' digest records).
 */
export interface FindingView extends Pick<Finding, 'engine' | 'time' | 'level' | 'rule' | 'cves' | 'attack' | 'host'> {
  evidence: { path: string; kind: string };
  ip: string | null;
  hashes: FindingHashes | null;
  urlStem: string | null;
  urlHost: string | null;
  whole(): Finding;
  /** The finding as a capped sample keeps it (slimFinding), sharing `rule`... */
  sample(rule: RuleRef): Finding;
  /** ...and that copy as text (slimText; slimFromText makes it again): what the digest keeps, a few hundred bytes. */
  sampleText(): string;
}
/** STIX reads a finding's hashes and URL only at these levels (and never an exposure finding's). */
export const wantsHashes = (f: Pick<Finding, 'engine' | 'level'>): boolean => f.engine !== 'exposure' && levelRank(f.level) >= levelRank('medium');
export const wantsUrl = (f: Pick<Finding, 'engine' | 'level' | 'attack' | 'cves'>): boolean =>
  f.engine !== 'exposure' && levelRank(f.level) >= levelRank('high') && (f.attack.includes('T1505.003') || f.cves.length > 0);
/** The story samples findings of level low and up, exposure aside (FindingsDigest): only they need a sample copy. */
export const wantsSample = (f: Pick<Finding, 'engine' | 'level'>): boolean => f.engine !== 'exposure' && levelRank(f.level) >= levelRank('low');
export function findingView(f: Finding): FindingView {
  const url = wantsUrl(f);
  return {
    engine: f.engine, time: f.time, level: f.level, rule: f.rule, cves: f.cves, attack: f.attack, host: f.host, evidence: f.evidence,
    ip: findingIp(f), hashes: wantsHashes(f) ? findingHashes(f) : null, urlStem: url ? findingUrlStem(f) : null, urlHost: url ? findingUrlHost(f) : null,
    whole: () => f,
    sample: (rule) => slimFinding(f, rule),
    sampleText: () => slimText(f),
  };
}

const HEX = { 32: /^[0-9a-f]{32}$/i, 40: /^[0-9a-f]{40}$/i, 64: /^[0-9a-f]{64}$/i } as const;
function hashesOf(f: Finding): FindingHashes {
  const out: FindingHashes = {};
  const take = (k: keyof FindingHashes, v: string | null, len: 32 | 40 | 64): void => {
    if (v && HEX[len].test(v)) out[k] = v.toLowerCase();
  };
  take('md5', fieldValue(f.fields, HASH_NAMES.md5), 32);
  take('sha1', fieldValue(f.fields, HASH_NAMES.sha1), 40);
  take('sha256', fieldValue(f.fields, HASH_NAMES.sha256), 64);
  const sysmon = fieldValue(f.fields, HASH_NAMES.sysmon);
  if (sysmon) {
    for (const part of sysmon.split(',')) {
      const [k, v] = part.split('=');
      if (!k || !v) continue;
      const key = k.trim().toUpperCase();
      if (key === 'MD5') take('md5', v.trim(), 32);
      else if (key === 'SHA1') take('sha1', v.trim(), 40);
      else if (key === 'SHA256') take('sha256', v.trim(), 64);
    }
  }
  return out;
}

const SLIM_PATH = 400;

/**
 * A copy of a finding without its event fields (and with `rule`, the one RuleRef of its rule a sample shares) that still answers findingIp/Agent/User/FileKey/Path as the
 * original did (the answers are computed now and remembered for the copy): what a bounded sample keeps.
 */
export function slimFinding(f: Finding, rule: Finding['rule'] = f.rule): Finding {
  // A path fact can be a whole command line (PATH_NAMES ends with CommandLine): the sample keeps its head only.
  const [ip, agent, user, fileKey, path] = slimFacts(f);
  const facts: Facts = { ip, agent, user, fileKey, path };
  const slim: Finding = { ...f, rule, fields: {} };
  factsCache.set(slim, facts);
  return slim;
}

/** slimFinding's copy and facts as JSON, its rule left out (the sample gives its own): for a finding sampled elsewhere. */
export function slimText(f: Finding): string {
  // slimFinding's copy with its rule left out, made in one step: the same keys in the same order, the same facts.
  return JSON.stringify([{ ...f, rule: 0, fields: {} }, ...slimFacts(f)]);
}
/** The facts slimFinding keeps for its copy: IP, agent, user, file key and the path's head. */
export function slimFacts(f: Finding): [string | null, string | null, string | null, string | null, string | null] {
  const path = findingPath(f);
  return [findingIp(f), findingAgent(f), findingUser(f), findingFileKey(f), path !== null && path.length > SLIM_PATH ? path.slice(0, SLIM_PATH) : path];
}
/** The copy slimText wrote, with `rule`: what slimFinding(finding, rule) gave where the text was made. */
export function slimFromText(text: string, rule: RuleRef): Finding {
  const [slim, ip, agent, user, fileKey, path] = JSON.parse(text) as [Finding, ...(string | null)[]];
  slim.rule = rule;
  factsCache.set(slim, { ip: ip ?? null, agent: agent ?? null, user: user ?? null, fileKey: fileKey ?? null, path: path ?? null });
  return slim;
}
