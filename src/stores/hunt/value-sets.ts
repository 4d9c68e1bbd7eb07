// The SQL rules of one logsource evaluated once per distinct set of the values they read, not once per event:
// logs repeat, so a store of millions of events holds far fewer value sets; the events of the matching sets are then read.
import { randomBytes } from 'node:crypto';
import type { SqlGroup, SqlRule } from '../../engines/sigma/index.js';
import { EVENT_COLUMNS, HOT_FIELDS, HOT_MASK, HOT_MASKS, hotColumn, KEY_REPEATS, PLACE_CHANNEL, PLACE_KEY, type StoreClient } from '../clickhouse/index.js';
import { MATCHED_EVENT_COLUMNS, type MatchedEvent } from './stored-event.js';

/**
 * Value sets one logsource may have before it is hunted event by event instead: the sets are held in memory
 * (a Memory table) while its rules run, and a set per event or so gains nothing.
 */
export const VALUE_SETS_MAX = 1_000_000;
/** Up to this many value sets every set comes back with a column per rule; above, only the matching ones. */
export const ALL_SETS_MAX = 50_000;

/**
 * Over a few value sets planning is the cost, not evaluating: ClickHouse's older analyser plans these SELECTs
 * about 30% faster than the new one (on by default from 24.3; SigmaHQ's 1,183 process-creation rules over an
 * empty Memory table, column per rule: 4.0 → 2.8 CPU-s). Appended to the SETTINGS clause `settings` begins,
 * with NO_JIT.
 */
function oldAnalyzer(client: StoreClient, settings: string): string {
  const { major, minor } = client.info;
  return (settings !== '' && (major > 24 || (major === 24 && minor >= 3)) ? ', enable_analyzer = 0' : '') + (settings !== '' ? NO_JIT : '');
}

/**
 * Nor are these SELECTs worth compiling to machine code: ClickHouse JIT-compiles (LLVM) the parts of an expression
 * it sees repeated, and a logsource's rules repeat theirs over a few thousand sets. 10 M bench events, settled
 * store, in turns: the rules over the sets 2.72 / 2.79 -> 1.78 CPU-s with compile_expressions = 0 (process
 * creation's 1,183 rules 1.77 -> 1.08), 1.62 / 1.63 with three more planning settings off, whose share was noise;
 * off for every SELECT of the hunt, nothing more (30.8 / 32.5 against 30.9 / 31.2 CPU-s). Appended to the
 * SETTINGS clause `settings` begins (the setting exists in every version that has one here).
 */
const NO_JIT = ', compile_expressions = 0';

/** The limits above (smaller in tests, to take every path). */
export interface ValueSetLimits {
  max?: number;
  allSets?: number;
}

export interface ValueSetRun {
  /** Distinct value sets the rules were evaluated over, and the events they stand for. */
  sets: number;
  events: number;
  /** Base matches (rule, event). */
  matches: number;
  /** The column the events pass tested first, alone (leadingColumn), if any. */
  lead: string | null;
}

const FLD = /\bfld_\d+\b/g;
/** A hot field's presence test (SqlEnv.hot), and the one column of a value set that holds all of one mask's. */
const MASK_BIT = new RegExp(`^bitAnd\\((${HOT_MASKS.map((m) => m.name).join('|')}), (\\d+)\\)$`);
const setMask = (mask: string): string => (mask === HOT_MASK ? 'set_mask' : `set_${mask}`);
/** What names the stored event: its columns, and the columns the store keeps beside them (schema.ts). */
const EVENT_NAMES = new Set([...EVENT_COLUMNS.map((c) => c.name), ...HOT_MASKS.map((m) => m.name), KEY_REPEATS, PLACE_KEY, PLACE_CHANNEL, ...HOT_FIELDS.map((_, i) => hotColumn(i))]);

/** When a step of the retro-hunt began: wall clock and the process's CPU time (every thread: chDB's too), in ms. */
export interface TraceMark {
  wall: number;
  cpu: number;
}

export function traceMark(): TraceMark {
  const c = process.cpuUsage();
  return { wall: performance.now(), cpu: (c.user + c.system) / 1000 };
}

/** With EXHUNT_HUNT_TRACE set, how long a step of the retro-hunt took since `t0` (wall and CPU), on stderr. */
export function huntTrace(label: string, t0: TraceMark): void {
  if (!process.env['EXHUNT_HUNT_TRACE']) return;
  const now = traceMark();
  console.error(`${label}: ${Math.round(now.wall - t0.wall)} ms, ${Math.round(now.cpu - t0.cpu)} ms CPU`);
}

/** SQL without its string literals (ClickHouse's '…' with backslash escapes), to look at identifiers only. */
function withoutLiterals(sql: string): string {
  return sql.replace(/'(?:[^'\\]|\\.)*'/gs, "''");
}

/** Whether SQL names a column of the stored event (outside its string literals). */
export function readsEvent(sql: string): boolean {
  for (const m of withoutLiterals(sql).matchAll(/\b[A-Za-z_][A-Za-z0-9_]*\b/g)) if (EVENT_NAMES.has(m[0])) return true;
  return false;
}

/**
 * The columns of one logsource's SELECTs, split: those read from the event (its value set; each with its
 * expression written out in full, without the names of other columns), and those computed from them.
 */
export function splitColumns(groups: readonly Pick<SqlGroup, 'columns'>[]): { base: [string, string][]; derived: [string, string][] } {
  const all = new Map<string, string>();
  for (const g of groups) for (const [n, e] of g.columns) all.set(n, e);
  // Definition order (fld_N's number) puts a column after those it is computed from.
  const sorted = [...all].sort((a, b) => Number(a[0].slice(4)) - Number(b[0].slice(4)));
  const full = new Map<string, string>();
  const base: [string, string][] = [];
  const derived: [string, string][] = [];
  // Presence bits of hot fields are one column of the set per mask, not one each: a GROUP BY on fewer keys is faster.
  const bits = new Map<string, bigint>();
  const masks: [string, string][] = [];
  for (const [n, e] of sorted) {
    const bit = MASK_BIT.exec(e);
    if (bit) {
      bits.set(bit[1]!, (bits.get(bit[1]!) ?? 0n) | BigInt(bit[2]!));
      masks.push([n, `bitAnd(${setMask(bit[1]!)}, ${bit[2]!})`]);
      continue;
    }
    const inlined = e.replace(FLD, (m) => `(${full.get(m) ?? m})`);
    full.set(n, inlined);
    if (readsEvent(e)) base.push([n, inlined]);
    else derived.push([n, e]);
  }
  for (const m of HOT_MASKS) if (bits.has(m.name)) base.push([setMask(m.name), `bitAnd(${m.name}, ${bits.get(m.name)!})`]);
  return { base, derived: [...masks, ...derived] };
}

/** Columns that hold every value of the event (keyword searches): a value set made of them is the whole event. */
const WHOLE = new Set(['vals', 'keys']);

/** The columns a group's conditions name, with those they are computed from. */
function columnsUsed(conds: readonly string[], columns: readonly (readonly [string, string])[]): [string, string][] {
  const used = new Set<string>();
  for (const c of conds) for (const m of c.matchAll(FLD)) used.add(m[0]);
  for (let i = columns.length - 1; i >= 0; i--) if (used.has(columns[i]![0])) for (const m of columns[i]![1].matchAll(FLD)) used.add(m[0]);
  return columns.filter(([n]) => used.has(n)).map(([n, e]) => [n, e]);
}

/**
 * One logsource's SELECTs split into what runs over value sets and what runs event by event: a rule whose
 * condition reads the event only through named columns (SqlEnv.column), none of them every value of the event
 * (a keyword search), is a function of a few values and goes to value sets; the others stay with the events.
 */
export function partitionForValueSets(groups: readonly SqlGroup[]): { sets: SqlGroup[]; rows: SqlGroup[] } {
  const sets: SqlGroup[] = [];
  const rows: SqlGroup[] = [];
  for (const g of groups) {
    const whole = new Set(g.columns.filter(([, e]) => WHOLE.has(e.trim())).map(([n]) => n));
    const fits = g.conds.map((c) => !readsEvent(c) && columnsUsed([c], g.columns).every(([n]) => !whole.has(n)));
    for (const [want, out] of [[true, sets], [false, rows]] as const) {
      const idx = fits.flatMap((f, i) => (f === want ? [i] : []));
      if (idx.length === 0) continue;
      const conds = idx.map((i) => g.conds[i]!);
      out.push({ ...g, label: want === fits.every(Boolean) ? g.label : `${g.label}${want ? '/sets' : '/rows'}`, rules: idx.map((i) => g.rules[i]!), conds, columns: columnsUsed(conds, g.columns) });
    }
  }
  return { sets, rows };
}

/** A column of the store ClickHouse reads as LowCardinality (a hot field's, a placement's): IN over it tests its dictionary. */
const LOW_CARDINALITY = new RegExp(`^(${PLACE_KEY}|${PLACE_CHANNEL}|h_\\d+)$`);

/**
 * The one LowCardinality column of the sets (`cheap`) whose values in matching sets cover the fewest events, where
 * they cover at most half of the logsource's: tested alone before the combination (on its dictionary), it keeps
 * most events from having their combination of columns built and looked up. Exact: an event whose set matched has
 * that set's value. Counted over the sets (a few thousand rows) in one query. 10 M bench events, settled store,
 * with and without it in turns: the events passes 18.0-19.2 -> 15.9-16.2 CPU-s (12 of 18 logsources had such a
 * column; process creation, where benign command lines are in matching sets too, had none).
 */
async function leadingColumn(client: StoreClient, table: string, matching: string, cheap: readonly (readonly [string, string])[], events: number): Promise<readonly [string, string] | null> {
  const cols = cheap.filter(([, e]) => LOW_CARDINALITY.test(e.trim()));
  if (cols.length === 0) return null;
  const sums = cols.map(([n], i) => `sumIf(n, ${n} IN (SELECT ${n} FROM ${table} WHERE th IN (SELECT th FROM ${matching}))) AS c${i}`);
  const [r] = await client.rows<Record<string, number | string>>(`SELECT ${sums.join(', ')} FROM ${table}`);
  let best: readonly [string, string] | null = null;
  let least = events / 2;
  cols.forEach((c, i) => {
    const n = Number(r?.[`c${i}`] ?? events);
    if (n <= least) [best, least] = [c, n];
  });
  return best;
}

/**
 * Runs one logsource's SELECTs (`groups`, all with the same placement) over its value sets: null where the
 * logsource has more than VALUE_SETS_MAX of them, or two sets share a hash (then the caller hunts event by event).
 * 1. The distinct sets of the base columns, each with its hash, into a Memory table (one pass over the events).
 * 2. Each SELECT's conditions over the sets: which sets each rule matches.
 * 3. The events whose set matched something (one more pass; hashes are checked unique among the sets in step 1,
 *    and every event in scope has its set there), each with the rules of its set.
 */
export async function huntValueSets(
  client: StoreClient,
  groups: readonly SqlGroup[],
  scope: string,
  settings: string,
  matched: (rule: SqlRule, r: MatchedEvent) => void,
  limits: ValueSetLimits = {},
): Promise<ValueSetRun | null> {
  const max = limits.max ?? VALUE_SETS_MAX;
  const where = groups[0]!.where;
  const { base, derived } = splitColumns(groups);
  if (base.length === 0) return null;
  const names = base.map(([n]) => n).join(', ');
  const hashOf = `cityHash64(${base.map(([, e]) => e).join(', ')})`;
  const table = `exhunt_sets_${randomBytes(6).toString('hex')}`;
  const matching = `${table}_matching`;
  const trace = (what: string, t0: TraceMark): void => huntTrace(`  ${groups[0]!.label} ${what}`, t0);
  let t0 = traceMark();
  try {
    try {
      await client.exec(
        `CREATE TABLE ${table} ENGINE = Memory AS SELECT ${base.map(([n, e]) => `${e} AS ${n}`).join(', ')}, cityHash64(${names}) AS th, count() AS n ` +
          `FROM events PREWHERE ${where} AND ${scope} GROUP BY ${names} SETTINGS max_rows_to_group_by = ${max}, group_by_overflow_mode = 'throw'`,
      );
    } catch (e) {
      // Past the limit only (ClickHouse's code 158): another error's message may quote the SQL, whose SETTINGS name
      // the limit, and must not send the hunt event by event in silence.
      if (/\bTOO_MANY_ROWS\b|\bCode: 158\b/.test((e as Error).message)) return null;
      throw e;
    }
    const [stats] = await client.rows<{ sets: number | string; hashes: number | string; events: number | string }>(`SELECT count() AS sets, uniqExact(th) AS hashes, sum(n) AS events FROM ${table}`);
    const sets = Number(stats?.sets ?? 0);
    if (sets !== Number(stats?.hashes ?? 0)) return null;
    const run: ValueSetRun = { sets, events: Number(stats?.events ?? 0), matches: 0, lead: null };
    trace('value sets', t0);
    t0 = traceMark();
    if (sets === 0) return run;
    // 2. Rules per matching set (hash as text: UInt64 comes back as a string).
    const bySet = new Map<string, SqlRule[]>();
    for (const g of groups) {
      const cols = derived.filter(([n]) => g.columns.some(([m]) => m === n)).map(([n, e]) => `, ${e} AS ${n}`).join('');
      const from = `FROM (SELECT th, ${names}${cols} FROM ${table})`;
      const add = (setHash: string, i: number): void => void (bySet.get(setHash) ?? bySet.set(setHash, []).get(setHash)!).push(g.rules[i]!);
      if (sets <= (limits.allSets ?? ALL_SETS_MAX)) {
        // Each rule's result as a column of every set: ClickHouse plans this about a third faster than an array
        // of the matching rules (SigmaHQ's 1,183 process-creation rules over a Memory table: 6.1 → 4.4 CPU-s).
        const sql = `SELECT toString(th) AS set_hash, ${g.conds.map((c, i) => `${c} AS r${i}`).join(', ')} ${from}${settings}${oldAnalyzer(client, settings)}`;
        for (const r of await client.rows<Record<string, string | number>>(sql)) g.conds.forEach((_, i) => Number(r[`r${i}`]) !== 0 && add(String(r['set_hash']), i));
      } else {
        const conds = `arrayFilter(i -> i > 0, [${g.conds.map((c, i) => `if(${c}, ${i + 1}, 0)`).join(', ')}])`;
        const sql = `SELECT toString(th) AS set_hash, ${conds} AS hits ${from} WHERE notEmpty(hits)${settings}`;
        for (const r of await client.rows<{ set_hash: string; hits: (number | string)[] }>(sql)) for (const h of r.hits) add(r.set_hash, Number(h) - 1);
      }
    }
    trace('rules', t0);
    t0 = traceMark();
    if (bySet.size === 0) return run;
    // 3. The events of the matching sets.
    await client.exec(`CREATE TABLE ${matching} (th UInt64) ENGINE = Memory`);
    const keys = [...bySet.keys()];
    for (let i = 0; i < keys.length; i += 50_000) await client.insert(matching, keys.slice(i, i + 50_000).map((th) => ({ th })));
    // The columns read without keys/vals first (LowCardinality, cheap; in PREWHERE): only events that pass are read
    // further. Their combination must be in a matching set, not each column alone (process creation, 1 M bench
    // events: 293,520 events pass the columns one by one, 21,520 match). Where every column of the set is cheap, as
    // the set's own hash IN the matching sets' hashes — exact, as every event in scope has its set in the table and
    // the sets' hashes are unique —, not as a tuple IN their tuples (10 M bench events, process creation's 21
    // columns over 3 M events: 6.7 -> 4.8-5.2 CPU-s for its pass). Otherwise as that tuple (the cheap columns'
    // hash instead: those passes 8.2-8.5 CPU-s against 8.2-8.5 as tuples, no gain), and the set's own hash, over
    // keys/vals too, for the events that pass. A test per column before it cost more than it saved (session 10:
    // process creation's 17 columns, 5.8-6.7 CPU-s with them, 4.9 without), but one, the most selective, gains.
    const cheap = base.filter(([, e]) => !/\b(keys|vals)\b/.test(withoutLiterals(e)));
    const ofMatching = (cols: string): string => `(SELECT ${cols} FROM ${table} WHERE th IN (SELECT th FROM ${matching}))`;
    const lead = cheap.length > 1 ? await leadingColumn(client, table, matching, cheap, run.events) : null;
    // On a cluster the events pass runs on every shard, and the sets' tables are this server's (Memory): GLOBAL IN
    // sends their rows with the query.
    const IN = client.info.cluster ? 'GLOBAL IN' : 'IN';
    const leadTest = lead ? `${lead[1]} ${IN} ${ofMatching(lead[0])} AND ` : '';
    run.lead = lead?.[1] ?? null;
    // Each event names its set by the set's hash as a number (UInt64, rounded to a double as JSON.parse rounds it):
    // no decimal text made and decoded per event. Exact where the matching sets' hashes stay distinct so rounded
    // (only their events come back), else as text.
    const byNumber = new Map<number, SqlRule[]>();
    for (const [h, rules] of bySet) byNumber.set(Number(h), rules);
    const numeric = byNumber.size === bySet.size;
    const rulesOf = numeric ? (h: number | string): readonly SqlRule[] | undefined => byNumber.get(Number(h)) : (h: number | string): readonly SqlRule[] | undefined => bySet.get(String(h));
    const select = `SELECT ${MATCHED_EVENT_COLUMNS}, ${numeric ? hashOf : `toString(${hashOf})`} AS set_hash FROM events PREWHERE ${where} AND ${leadTest}`;
    const sql =
      cheap.length === base.length
        ? `${select}${hashOf} ${IN} (SELECT th FROM ${matching}) AND ${scope}`
        : `${select}${cheap.length === 0 ? '' : `(${cheap.map(([, e]) => e).join(', ')}) ${IN} ${ofMatching(cheap.map(([n]) => n).join(', '))} AND `}${scope} WHERE ${hashOf} ${IN} (SELECT th FROM ${matching})`;
    let read = 0;
    for await (const r of client.stream<MatchedEvent & { set_hash: number | string }>(sql)) {
      read++;
      for (const rule of rulesOf(r.set_hash) ?? []) {
        run.matches++;
        matched(rule, r);
      }
    }
    trace(`events (${bySet.size} matching sets, ${read} events${run.lead ? `, ${run.lead} first` : ''})`, t0);
    return run;
  } finally {
    await client.exec(`DROP TABLE IF EXISTS ${matching}`).catch(() => undefined);
    await client.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  }
}
