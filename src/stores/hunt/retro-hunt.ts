// Retro-hunt: Sigma rules run over the stored events in SQL (one SELECT per logsource group, its rules'
// conditions in one array), the few in-process-only rules by the closure compiler over the rows their
// placement selects, and correlations over both paths' base matches — findings in the usual shape.
import type { EvidenceRef } from '../../event.js';
import type { Finding, Level } from '../../finding.js';
import { levelRank } from '../../finding.js';
import { evaluateGroup, planSql, subsetRuleSet, type CorrRecord, type InProcessRule, type SigmaRuleSet, type SqlGroup, type SqlPlan, type SqlRule, type HotField } from '../../engines/sigma/index.js';
import { eventColumnNames, HOT_FIELDS, HOT_MASK, hotBit, hotColumn, hotMaskOf, keepsHotColumns, KEY_REPEATS, PLACE_CHANNEL, PLACE_EXPRS, PLACE_KEY, stringLiteral, visibleEvents, type StoreClient } from '../clickhouse/index.js';
import { huntTrace, huntValueSets, traceMark, partitionForValueSets, type ValueSetLimits } from './value-sets.js';
import { evidenceOf, fieldsOf, fieldText, huntEventOf, MATCHED_COLUMN_NAMES, MATCHED_EVENT_COLUMNS, msOf, STORED_COLUMN_NAMES, STORED_EVENT_COLUMNS, timeOf, type MatchedEvent, type StoredEvent } from './stored-event.js';

export interface StoreHuntOptions {
  ruleSet: SigmaRuleSet;
  /** Only these hosts (the store's host column). */
  hosts?: readonly string[];
  /** Only events at or after / before this time (events without a time are kept out when either is set). */
  since?: Date | null;
  until?: Date | null;
  /** Findings below this level are dropped. */
  minLevel?: Level;
  onFinding(f: Finding): void;
  /** Read the fields the store keeps as columns from there (hotFields); default true. false: from keys/vals. */
  hotColumns?: boolean;
  /** With hot columns, evaluate each logsource's rules once per distinct value set (value-sets.ts); default true. */
  valueSets?: boolean;
  /** How many value sets a logsource may have (value-sets.ts; smaller in tests). */
  valueSetLimits?: ValueSetLimits;
  /** Whether the store has isValidASCII (default: asked of it); false makes the SQL of a server without it (tests). */
  validAscii?: boolean;
}

export interface StoreHuntSummary {
  /** Rules placed (SQL and in-process together). */
  rules: number;
  sqlRules: number;
  /** Rules SQL cannot express exactly, each with its reason: matched in-process over the stored rows. */
  inProcess: readonly InProcessRule[];
  /** SELECTs run for the SQL rules. */
  queries: number;
  /** Fields read from their own columns (hotFields) rather than from keys/vals. */
  hotFields: number;
  /**
   * Logsources whose rules ran over distinct value sets (value-sets.ts), those sets, and the events they stand for;
   * leads: the logsources whose events pass tested one column alone first (value-sets.ts leadingColumn).
   */
  valueSets: { logsources: number; sets: number; events: number; leads: number };
  /** Base matches (rule, event) found by SQL and by the in-process path. */
  sqlMatches: number;
  inProcessMatches: number;
  /** Events read for the in-process rules (their placement and prefilters passed). */
  inProcessEvents: number;
  findings: number;
}

/** The scope condition of a hunt (hosts, times) and visible (completely ingested) events only. */
export function scopeSql(o: Pick<StoreHuntOptions, 'hosts' | 'since' | 'until'>): string {
  const parts = [visibleEvents()];
  if (o.hosts && o.hosts.length > 0) parts.push(`host IN (${o.hosts.map(stringLiteral).join(', ')})`);
  if (o.since) parts.push(`(has_time = 1 AND t >= toDateTime(${Math.floor(o.since.getTime() / 1000)}))`);
  if (o.until) parts.push(`(has_time = 1 AND t < toDateTime(${Math.ceil(o.until.getTime() / 1000)}))`);
  return parts.join(' AND ');
}

/** Regexes the store's RE2 refuses (asked one by one; a refused one sends its rules in-process). */
async function rejectedRegexes(client: StoreClient, plan: SqlPlan): Promise<Set<string>> {
  const out = new Set<string>();
  for (const re of plan.regexes) {
    try {
      await client.rows(`SELECT match('', ${stringLiteral(re)}) AS m`);
    } catch {
      out.add(re);
    }
  }
  return out;
}

/**
 * Fields some event in scope names more than once (multi-valued): only those are tested as arrays; every other
 * field is read as one value per event, which ClickHouse plans far faster (no lambda per test). One pass over keys:
 * a hashed count of distinct keys per event, and the quadratic search for the repeated ones only where it is short.
 */
export async function multiValuedFields(client: StoreClient, scope: string, keyRepeats = false): Promise<Set<string>> {
  // Where the store keeps KEY_REPEATS, only the events it flags have their keys read, and only with the flag in an
  // explicit PREWHERE: left to ClickHouse, it moved the scope there and read every event's keys (settled 10 M
  // bench store, 34,569 flagged events in 238 granules: 2.1 -> 0.19 CPU-s).
  const from = keyRepeats ? `events PREWHERE ${KEY_REPEATS} = 1 WHERE` : 'events WHERE';
  const rows = await client.rows<{ k: string }>(
    `SELECT DISTINCT arrayJoin(arrayFilter((k, i) -> indexOf(keys, k) != i, keys, arrayEnumerate(keys))) AS k FROM ${from} ${scope} AND length(keys) > 1 AND arrayUniq(keys) < length(keys)`,
  );
  return new Set(rows.map((r) => r.k));
}

/**
 * The SELECT of one group: its events with the indices (1-based) of the rules that match each. The inner
 * SELECT computes each field's values once (SqlGroup.columns); `extra` ends the query (SETTINGS).
 */
export function groupQuery(g: Pick<SqlGroup, 'where' | 'conds' | 'columns'>, scope: string, extra = ''): string {
  const hits = `arrayFilter(i -> i > 0, [${g.conds.map((c, i) => `if(${c}, ${i + 1}, 0)`).join(', ')}])`;
  const cols = g.columns.map(([n, e]) => `, ${e} AS ${n}`).join('');
  const inner = `SELECT ${MATCHED_EVENT_COLUMNS}${cols} FROM events WHERE ${scope} AND ${g.where}`;
  return `SELECT ${MATCHED_COLUMN_NAMES}, ${hits} AS hits FROM (${inner}) WHERE notEmpty(hits)${extra}`;
}

/**
 * The SETTINGS of a group's SELECT. From 21.9 ClickHouse evaluates and/or/if/multiIf arguments lazily
 * (short_circuit_function_evaluation): for a group's ~120 conditions of cheap tests over one value each, the
 * masks it filters and expands every argument with cost more than the tests skipped: 'disable' halves the
 * hunt's CPU (bench:store-hunt, 220,000 events: 59.2 → 30.2 CPU-s with the new analyzer, which evaluates these
 * conditions faster than the old one and so is kept; a 120-rule process_creation group at 1 M events:
 * 11.7 CPU-s → 3.9). Before 21.9 the setting does not exist and evaluation was never lazy.
 */
export function huntSettings(info: { major: number; minor: number }): string {
  return info.major > 21 || (info.major === 21 && info.minor >= 9) ? " SETTINGS short_circuit_function_evaluation = 'disable'" : '';
}

/** The sort-key columns after host whose values a placement's events have (events' ORDER BY, schema.ts EVENT_ORDER). */
const KEY_COLUMNS = ['source', 'service', 'channel', 'event_id'] as const;
/** A placement's narrowing names at most this many values of a column (else leaves that column out). */
const NARROW_MAX = 64;

/**
 * Which placements (SqlGroup.where) select some event in scope, from one GROUP BY over the columns placements read
 * (a few hundred distinct rows): a logsource no event has costs nothing then, where its passes cost a scan of the
 * sort key each (41 of the bench's 80 placements, 3.8 of its 70 CPU-s at 10 M events). null where it cannot tell.
 *
 * Each placement in scope maps to its narrowing: the values its events in scope have in the sort key's columns
 * after host (source, service, channel, event_id), as `col IN (...)` tests — exact, since the GROUP BY saw every
 * event in scope, so `where AND narrowing` selects the same events. A placement reads the lower-cased channel
 * columns (place_key, place_channel: MATERIALIZED, not in the sort key), so without it every pass read them for
 * every Windows event of every host; with it ClickHouse's primary key keeps each pass to the granules of its
 * channels and event ids.
 */
export async function placementsInScope(client: StoreClient, wheres: readonly string[], scope: string, placeColumns: boolean): Promise<Map<string, string> | null> {
  if (wheres.length === 0) return new Map();
  // The placement columns are computed from channel and event_id after the GROUP BY, not grouped by: reading and
  // hashing them for every event cost as much as the rest (10 M bench events: 1.14-1.19 -> 0.60-0.65 CPU-s).
  const cols = 'source, product, service, category, channel, event_id';
  const place = placeColumns ? `, ${PLACE_EXPRS[PLACE_KEY]} AS ${PLACE_KEY}, ${PLACE_EXPRS[PLACE_CHANNEL]} AS ${PLACE_CHANNEL}` : '';
  const aggs = wheres.flatMap((w, i) => [`sumIf(n, ${w}) AS w${i}`, ...KEY_COLUMNS.map((c, j) => `groupUniqArrayIf(${c}, ${w}) AS k${i}_${j}`)]);
  let r: Record<string, unknown> | undefined;
  try {
    [r] = await client.rows<Record<string, unknown>>(`SELECT ${aggs.join(', ')} FROM (SELECT *${place} FROM (SELECT ${cols}, count() AS n FROM events WHERE ${scope} GROUP BY ${cols}))`);
  } catch {
    // A placement reading another column: every logsource is hunted.
    return null;
  }
  if (!r) return null;
  const out = new Map<string, string>();
  wheres.forEach((w, i) => {
    if (Number(r[`w${i}`]) > 0) out.set(w, narrowing(KEY_COLUMNS.map((c, j) => [c, r[`k${i}_${j}`]])));
  });
  return out;
}

/** `col IN (...)` for each column whose values are few and well formed (a string, or an integer for event_id), AND-ed. */
function narrowing(values: readonly (readonly [string, unknown])[]): string {
  const tests: string[] = [];
  for (const [col, vs] of values) {
    if (!Array.isArray(vs) || vs.length === 0 || vs.length > NARROW_MAX) continue;
    const lits = col === 'event_id' ? vs.map((v) => (/^-?\d+$/.test(String(v)) ? String(v) : null)) : vs.map((v) => (typeof v === 'string' ? stringLiteral(v) : null));
    if (lits.some((l) => l === null)) continue;
    tests.push(`${col} IN (${[...new Set(lits)].sort().join(', ')})`);
  }
  return tests.join(' AND ');
}

/** The fields this store keeps as their own columns (schema.ts HOT_FIELDS), as the SQL plan reads them. */
export async function hotFields(client: StoreClient, columns?: ReadonlySet<string>): Promise<Map<string, HotField>> {
  const out = new Map<string, HotField>();
  if (!keepsHotColumns(client.info)) return out;
  const have = columns ?? (await eventColumnNames(client));
  if (!have.has(HOT_MASK) || !have.has(PLACE_KEY) || !have.has(PLACE_CHANNEL)) return out;
  HOT_FIELDS.forEach((f, i) => {
    const mask = hotMaskOf(i);
    if (have.has(hotColumn(i)) && have.has(mask)) out.set(f, { column: hotColumn(i), mask, bit: hotBit(i) });
  });
  return out;
}

export async function huntStore(client: StoreClient, o: StoreHuntOptions): Promise<StoreHuntSummary> {
  const multiSearch = client.info.major >= 20;
  const scope = scopeSql(o);
  let t0 = traceMark();
  const columns = keepsHotColumns(client.info) ? await eventColumnNames(client) : new Set<string>();
  const multiValued = await multiValuedFields(client, scope, columns.has(KEY_REPEATS));
  const hot = o.hotColumns === false ? new Map<string, HotField>() : await hotFields(client, columns);
  huntTrace('fields', t0);
  const place = hot.size > 0 ? { key: PLACE_KEY, channel: PLACE_CHANNEL } : undefined;
  const validAscii =
    o.validAscii ??
    (await client.rows(`SELECT isValidASCII('') AS a`).then(
      () => true,
      () => false,
    ));
  const opts = { multiSearch, validAscii, multiValued, hot, ...(place ? { place } : {}) };
  t0 = traceMark();
  let plan = planSql(o.ruleSet, stringLiteral, opts);
  huntTrace('plan', t0);
  t0 = traceMark();
  const rejected = await rejectedRegexes(client, plan);
  huntTrace(`regexes (${plan.regexes.size})`, t0);
  if (rejected.size > 0) plan = planSql(o.ruleSet, stringLiteral, { ...opts, rejected });
  const settings = huntSettings(client.info);
  const min = o.minLevel ? levelRank(o.minLevel) : 0;
  const corr = new Map<number, Map<string, { group: Record<string, string | null>; recs: CorrRecord[] }>>();
  let findings = 0;
  const emit = (f: Finding): void => {
    if (levelRank(f.level) < min) return;
    findings++;
    o.onFinding(f);
  };
  // One base match: a finding when the rule generates one, a record for each correlation counting it.
  // An event's rules come one after another: its time and evidence are made once for all of them (its findings
  // share its evidence, as the in-process engine's share the event's ref).
  let last: MatchedEvent | null = null;
  let lastTime: string | null = null;
  let lastRef: EvidenceRef | null = null;
  const matched = (rule: SqlRule, r: MatchedEvent): void => {
    if (rule.emit) {
      const m = rule.meta;
      if (r !== last) [last, lastTime, lastRef] = [r, timeOf(r), evidenceOf(r)];
      emit({ engine: 'sigma', time: lastTime, level: m.level, rule: m.ref, cves: m.cves, attack: m.attack, host: r.host, evidence: lastRef!, fields: fieldsOf(r) });
    }
    if (rule.links.length === 0 || Number(r.has_time) !== 1) return;
    for (const { corr: ci, pos } of rule.links) {
      const c = plan.correlations[ci]!;
      const group: Record<string, string | null> = {};
      for (const g of c.groupBy) {
        const alias = c.aliases.get(g);
        group[g] = fieldText(r, alias?.get(rule.meta.name ?? '') ?? alias?.get(rule.meta.id) ?? g);
      }
      // Per host, as `exhunt scan` correlates within one collection.
      const key = JSON.stringify([r.host, group]);
      const byGroup = corr.get(ci) ?? corr.set(ci, new Map()).get(ci)!;
      const slot = byGroup.get(key) ?? byGroup.set(key, { group, recs: [] }).get(key)!;
      slot.recs.push({ t: msOf(r), time: timeOf(r)!, rule: pos, value: c.field ? fieldText(r, c.field) : null, host: r.host, evidence: evidenceOf(r) });
    }
  };
  let sqlMatches = 0;
  const sets = { logsources: 0, sets: 0, events: 0, leads: 0 };
  // A logsource's SELECTs share their placement: over its distinct value sets where the store keeps hot columns
  // (value-sets.ts), else (or where it has too many) event by event.
  const byWhere = new Map<string, SqlGroup[]>();
  for (const g of plan.groups) (byWhere.get(g.where) ?? byWhere.set(g.where, []).get(g.where)!).push(g);
  t0 = traceMark();
  const placed = await placementsInScope(client, [...byWhere.keys()], scope, hot.size > 0);
  huntTrace(`placements (${placed ? `${placed.size} of ${byWhere.size} with events` : 'not known'})`, t0);
  // A placement's narrowing as indexHint: the primary key reads it, rows do not. Tested on every row it cost more
  // than it saved where a channel is most of the events (10 M bench events, FORMAT Null, the events passes: as
  // written 18.6 CPU-s, without it 17.5, as indexHint 16.5). Only from 23.x (chDB is 26.x): 18.16 has indexHint
  // but refuses an IN inside it ("Set for IN is not created yet"), and the versions between are untested.
  const hint = placed !== null && placed.size > 0 && client.info.major >= 23;
  for (const all of byWhere.values()) {
    if (placed && !placed.has(all[0]!.where)) continue;
    const narrow = hint ? placed?.get(all[0]!.where) : '';
    const family = narrow ? all.map((g) => ({ ...g, where: `(${g.where}) AND indexHint(${narrow})` })) : all;
    const t0 = traceMark();
    const part = o.valueSets !== false && hot.size > 0 ? partitionForValueSets(family) : { sets: [], rows: family };
    const run = part.sets.length > 0 ? await huntValueSets(client, part.sets, scope, settings, matched, o.valueSetLimits) : null;
    if (run) {
      sets.logsources++;
      sets.sets += run.sets;
      sets.events += run.events;
      if (run.lead) sets.leads++;
      sqlMatches += run.matches;
      huntTrace(`${family[0]!.label}: ${part.sets.reduce((n, g) => n + g.rules.length, 0)} rules over ${run.sets} value sets of ${run.events} events`, t0);
    }
    for (const g of run ? part.rows : family) {
      const t1 = traceMark();
      for await (const r of client.stream<MatchedEvent & { hits: (number | string)[] }>(groupQuery(g, scope, settings))) {
        for (const h of r.hits) {
          sqlMatches++;
          matched(g.rules[Number(h) - 1]!, r);
        }
      }
      huntTrace(`${g.label}: ${g.rules.length} rules`, t1);
    }
  }
  t0 = traceMark();
  const { matches: inProcessMatches, events: inProcessEvents } = await huntInProcess(client, o.ruleSet, plan.inProcess, scope, settings, matched);
  huntTrace(`in-process (${plan.inProcess.length} rules)`, t0);
  for (const [ci, groups] of corr) {
    const c = plan.correlations[ci]!;
    const out: Finding[] = [];
    for (const { group, recs } of groups.values()) out.push(...evaluateGroup(c, group, recs));
    // A correlation finding names the store's host (the base matches' host column).
    for (const f of out) emit(f);
  }
  return {
    rules: plan.ruleCount,
    sqlRules: plan.ruleCount - plan.inProcess.length,
    inProcess: plan.inProcess,
    queries: plan.groups.length,
    hotFields: hot.size,
    valueSets: sets,
    sqlMatches,
    inProcessMatches,
    inProcessEvents,
    findings,
  };
}

/**
 * The SELECT of the in-process rules' events: those their placement selects and, where a rule has one, its
 * prefilter passes (what SQL can say of it; the SigmaHQ network-connection rules whose only IPv6 part is a filter
 * of private ranges read the few events of their processes rather than every connection).
 */
export function inProcessQuery(rules: readonly Pick<InProcessRule, 'where' | 'prefilter'>[], scope: string, settings = ''): string {
  const wheres = [...new Set(rules.map((x) => x.where))];
  const base = `SELECT ${STORED_EVENT_COLUMNS} FROM events WHERE ${scope} AND ((${wheres.join(') OR (')}))`;
  if (rules.every((x) => x.prefilter === null)) return base;
  const cols = new Map<string, string>();
  for (const x of rules) for (const [n, e] of x.prefilter?.columns ?? []) cols.set(n, e);
  const tests = [...new Set(rules.map((x) => (x.prefilter ? `(${x.where} AND ${x.prefilter.cond})` : `(${x.where})`)))];
  const inner = `SELECT ${STORED_EVENT_COLUMNS}${[...cols].map(([n, e]) => `, ${e} AS ${n}`).join('')}, (${tests.join(' OR ')}) AS keep FROM events WHERE ${scope} AND ((${wheres.join(') OR (')}))`;
  return `SELECT ${STORED_COLUMN_NAMES} FROM (${inner}) WHERE keep${settings}`;
}

/** The in-process rules over the rows their placement and prefilters select, by the closure compiler. */
async function huntInProcess(client: StoreClient, set: SigmaRuleSet, rules: readonly InProcessRule[], scope: string, settings: string, matched: (rule: SqlRule, r: MatchedEvent) => void): Promise<{ matches: number; events: number }> {
  if (rules.length === 0) return { matches: 0, events: 0 };
  const sub = subsetRuleSet(set, rules.map((x) => x.rule.index));
  const byRef = new Map(rules.map((x) => [x.rule.meta.ref, x.rule]));
  const run = sub.createRun();
  let matches = 0;
  let events = 0;
  for await (const r of client.stream<StoredEvent>(inProcessQuery(rules, scope, settings))) {
    events++;
    for (const f of run.match(huntEventOf(r))) {
      const rule = byRef.get(f.rule);
      if (!rule) continue;
      matches++;
      matched(rule, r);
    }
  }
  return { matches, events };
}
