// Collects the rule-fixture files and the lines each one must raise: a row can carry what it is expected to
// fire, and its line number follows from the header block the testkit writes (so nothing is counted by hand).
import { createHash } from 'node:crypto';
import { exchangeLogHeader, exchangeLogRow, rowOf, type ExchangeLogHeader } from '../../src/readers/exchange/testkit.js';

/** What one row must raise: the rule files that fire, and the CVE / ATT&CK IDs their findings carry. */
export interface Expect {
  rules: string[];
  cves?: string[];
  attack: string[];
  /** Only low-level rules fire (context): checked by pack-logs.test.ts, not listed in expected.json. */
  low?: boolean;
}

export interface FixtureHit {
  path: string;
  line: number;
  rules: string[];
  cves: string[];
  attack: string[];
  low: boolean;
}

export interface Row {
  v: Readonly<Record<string, string>>;
  hit?: Expect;
}

export interface FixtureSet {
  /** Path under test/fixtures/exchange → file text. */
  files: Map<string, string>;
  hits: FixtureHit[];
}

export function newSet(): FixtureSet {
  return { files: new Map(), hits: [] };
}

/** Writes one log: header, then the rows, bound to the header's field names; records the expected hits. */
export function addLog(set: FixtureSet, path: string, header: ExchangeLogHeader, rows: readonly Row[], requestDetails: boolean): void {
  const head = exchangeLogHeader(header);
  const headLines = head.split('\r\n').length - 1;
  const body = rows.map((r) => exchangeLogRow(rowOf(header.fields, r.v), { requestDetails }) + '\r\n').join('');
  set.files.set(path, head + body);
  rows.forEach((r, i) => {
    if (!r.hit) return;
    set.hits.push({ path, line: headLines + 1 + i, rules: r.hit.rules, cves: r.hit.cves ?? [], attack: r.hit.attack, low: r.hit.low ?? false });
  });
}

/** A GUID of our own, stable for a seed (fixtures must not change between runs). */
export function guid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** 32 hex characters (ProxyShell's export names and subject filters look like this). */
export function hex32(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}

export type PsValue = string | null | readonly string[];

/**
 * Rps_Cmdlet's Parameters as the cmdlet logger renders them (research exchange-logs.md §1.2): `-Name "value"`
 * separated by spaces, `$null`, collections `("a","b")` (the comma becomes a space when the row is written),
 * and any single value over 200 characters cut there and marked `[...]`.
 */
export function psParams(params: readonly (readonly [string, PsValue])[]): string {
  const one = (s: string): string => `"${s.length > 200 ? s.slice(0, 200) + '[...]' : s}"`;
  return params
    .map(([name, v]) => `-${name} ${v === null ? '$null' : typeof v === 'string' ? one(v) : `(${v.map(one).join(',')})`}`)
    .join(' ');
}

/** The names of the parameters with their values hidden, as NonPiiParameters shows them (2016+). */
export function nonPii(params: readonly (readonly [string, PsValue])[]): string {
  return params.map(([name]) => `-${name} <SNIP-PII>`).join(' ');
}
