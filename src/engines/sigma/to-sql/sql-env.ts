// What compiling a detection to SQL needs (how a value becomes a literal, the field mapping, placeholders)
// and the named reasons a rule stays in-process: the closed set `exhunt hunt` prints.
import type { ModifierEnv } from '../modifiers.js';

/**
 * Why a rule is evaluated in-process rather than in SQL. Kept small; each is a place where ClickHouse would
 * not give exactly the closure compiler's answer.
 */
export type InProcessReason =
  /** `re` needing lookaround or backreferences: RE2 (ours and ClickHouse's) has neither; ours runs them bounded on V8. */
  | 'regex-lookaround'
  /** A regex re2js accepts but the store's RE2 refuses (found by asking the store, see hunt). */
  | 'regex-store-rejects'
  /** `cidr` with an IPv6 range: parseIp reads every IPv6 spelling (`::`, embedded IPv4, zone ids). */
  | 'cidr-ipv6'
  /** `minute`/`hour`/`day`/`week`/`month`/`year`: dates read as JavaScript's Date reads them. */
  | 'time-part-modifier'
  /** A dotted field name (`Event.System.Computer`) on Windows events: resolved as a path into the raw event. */
  | 'dotted-field-path'
  /** One rule's SQL longer than a query may be (max_query_size, 256 KiB by default). */
  | 'query-too-large'
  /** Anything the closure compiler itself refuses at match time (it cannot happen for a rule that loaded). */
  | 'bad-rule';

export class InProcessOnly extends Error {
  constructor(
    readonly reason: InProcessReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

export interface SqlEnv extends ModifierEnv {
  /** A value as SQL text: the store's proven escaping (stores/clickhouse/literal.ts), injected so engines import no store. */
  lit(s: string): string;
  /** Sigma field → event field (the logsource target's field mapping). */
  fieldMap: ReadonlyMap<string, string>;
  /** Whether the rule is matched against Windows events (dotted names resolve as paths there). */
  windows: boolean;
  /** Every regex handed to match(), as the store will see it (checked against the store before a hunt). */
  regexes: Set<string>;
  /** Regexes (as given to match()) the store refused to compile. */
  rejected: ReadonlySet<string>;
  /**
   * The name of a column computed once per event in the group's inner SELECT (a field's values, lower-cased
   * or not): ClickHouse analyses every lambda written out, so each field's is written once per query. Every read
   * of the event goes through one, so a condition is a function of its columns alone: the retro-hunt may then
   * evaluate it once per distinct set of their values (stores/hunt/value-sets.ts).
   */
  column(expr: string): string;
  /** Whether the store has multiSearchAny (ClickHouse 20+, not Debian's 18.16). */
  multiSearch: boolean;
  /** Whether the store has isValidASCII (asked before the hunt): the cheaper test that a value is ASCII. */
  validAscii?: boolean;
  /**
   * Fields some stored event names more than once (a multi-valued field), tested over their array of values;
   * every other field is read as one value per event, without lambdas. 'all': nothing is known, all are arrays.
   */
  multiValued: ReadonlySet<string> | 'all';
  /**
   * Fields the store also keeps as their own column (schema.ts HOT_FIELDS): the column, and the bit of the mask
   * column that says the event names the field exactly once. Used for fields no event repeats (multiValued).
   */
  hot?: ReadonlyMap<string, HotField>;
  /**
   * Columns the store keeps with a Windows event's placement, lower-cased: its `channel|EventID` key and its
   * channel (LowCardinality, so a rule's IN test runs once per distinct key of a block). Absent: computed.
   */
  place?: PlaceExprs;
  /**
   * A Windows rule placed on several targets (Sysmon 1 and Security 4688, say), compiled once: a field is read
   * through each arm's mapping under that arm's placement test (a column), so the body is written once, not per
   * target. fieldMap is then empty: fields are resolved per arm.
   */
  merged?: readonly MergedArm[];
}

/** One target of a merged Windows rule: its placement test (a column name, or '1') and its field mapping. */
export interface MergedArm {
  readonly test: string;
  readonly fieldMap: ReadonlyMap<string, string>;
}

/** How a Windows event's placement reads: its lower-cased `channel|EventID` key and channel (columns or expressions). */
export interface PlaceExprs {
  readonly key: string;
  readonly channel: string;
}

/** A field kept as its own column: `column` holds its value when `mask` has `bit` set ('' otherwise). */
export interface HotField {
  readonly column: string;
  readonly mask: string;
  readonly bit: string;
}
