// The store's tables: one definition for chDB (ClickHouse 26.x) and Debian's clickhouse-server 18.16 — the common
// subset (no DateTime64, Map or JSON types): times as DateTime + microseconds, event fields as parallel arrays.

/** Table names. On a cluster each is a Distributed table over `<name>_local` MergeTree tables on every shard. */
export const TABLES = ['events', 'evidence', 'findings', 'scans'] as const;
export type TableName = (typeof TABLES)[number];

/**
 * One stored event: what a reader yielded (HuntEvent), flattened the way the Sigma engine resolves fields
 * (see event-row.ts), with its evidence reference and logsource keys.
 */
export interface EventRow {
  host: string;
  /** The collection it came from (archive name or folder name, as the scan names it). */
  collection: string;
  /** evidence.path exactly as `exhunt scan` gives it for that collection. */
  path: string;
  /** SHA-256 of the evidence file (idempotence key with host and path). */
  sha256: string;
  /** The ingestion attempt of that file; only attempts marked complete in `evidence` are visible (visibleEvents). */
  ingest_id: string;
  /** 1-based line, 0 when none. */
  line: number;
  /** 1-based record, 0 when none. */
  record: number;
  /** Byte offset of the record, 0 when unknown. */
  offset: number;
  /** evidence.kind ('evtx', 'iis-w3c', 'exchange-httpproxy', ...). */
  kind: string;
  /** HuntEvent.source: 'evtx' | 'json' | 'w3c' | 'exchange'. */
  source: string;
  /** Logsource keys: product/service/category ('' when none). Windows events: product 'windows'. */
  product: string;
  service: string;
  category: string;
  /** Windows: channel, event id (-1 when none), provider name. '' otherwise. */
  channel: string;
  event_id: number;
  provider: string;
  /** W3C site folder; Exchange log, protocol and #Version. '' when none. */
  site: string;
  log: string;
  protocol: string;
  version: string;
  /** Event time: seconds since the epoch UTC (0 when unknown), microseconds, and whether it is known. */
  t: number;
  us: number;
  has_time: number;
  /** The event's time exactly as the reader gave it ('' when none): findings from the store read as the scan's. */
  time_text: string;
  /** The event's host as the evidence states it (EVTX Computer), '' when none. */
  event_host: string;
  /**
   * Field names and values, parallel. A multi-valued field repeats its name, one entry per value; a field
   * present with an empty (or null) value is kept with ''; an absent field has no entry.
   */
  keys: string[];
  vals: string[];
}

export interface ColumnDef {
  readonly name: string;
  readonly type: string;
}

export const EVENT_COLUMNS: readonly ColumnDef[] = [
  { name: 'host', type: 'String' },
  { name: 'collection', type: 'String' },
  { name: 'path', type: 'String' },
  { name: 'sha256', type: 'String' },
  { name: 'ingest_id', type: 'String' },
  { name: 'line', type: 'UInt64' },
  { name: 'record', type: 'UInt64' },
  { name: 'offset', type: 'UInt64' },
  { name: 'kind', type: 'String' },
  { name: 'source', type: 'String' },
  { name: 'product', type: 'String' },
  { name: 'service', type: 'String' },
  { name: 'category', type: 'String' },
  { name: 'channel', type: 'String' },
  { name: 'event_id', type: 'Int64' },
  { name: 'provider', type: 'String' },
  { name: 'site', type: 'String' },
  { name: 'log', type: 'String' },
  { name: 'protocol', type: 'String' },
  { name: 'version', type: 'String' },
  { name: 't', type: 'DateTime' },
  { name: 'us', type: 'UInt32' },
  { name: 'has_time', type: 'UInt8' },
  { name: 'time_text', type: 'String' },
  { name: 'event_host', type: 'String' },
  { name: 'keys', type: 'Array(String)' },
  { name: 'vals', type: 'Array(String)' },
];
/**
 * Fields the store also keeps as their own columns, `h_<i>` in this order (append only: a column's meaning is its
 * index): the fields SigmaHQ's Windows and web rules and our pack test most (counted over the retro-hunt's SQL,
 * CommandLine 5,417 tests … sc-status 13). Each is MATERIALIZED by the store from keys/vals — the field's first
 * value, '' when absent — with bit i of `hot_mask` set when present (one indexOf per field, shared by both), so
 * ingest writes nothing more and a store made before them gains them on read. The retro-hunt reads a field from
 * its column only where no event in scope names it twice (multiValuedFields), where first means only. LowCardinality
 * from 19.x: ClickHouse tests a block's distinct values once each, and log values repeat (the same service started
 * daily, the same page polled); String on 18.16, which has no LowCardinality. On a cluster, computed by the
 * Distributed table and stored by the shards (see ddl.ts ensureHotColumns).
 */
export const HOT_FIELDS: readonly string[] = [
  'CommandLine', 'Image', 'OriginalFileName', 'NewProcessName', 'TargetObject', 'ScriptBlockText', 'TargetFilename', 'ParentImage',
  'ParentProcessName', 'Details', 'EventID', 'ImageLoaded', 'ParentCommandLine', 'Description', 'PipeName', 'Product',
  'Provider_Name', 'ImagePath', 'Hashes', 'SourceImage', 'ContextInfo', 'ServiceFileName', 'Payload', 'TargetImage',
  'Data', 'IntegrityLevel', 'EventType', 'ProcessName', 'User', 'Company', 'QueryName', 'ObjectName',
  'cs-uri-stem', 'Initiated', 'ServiceName', 'CallTrace', 'DestinationHostname', 'CurrentDirectory', 'GrantedAccess', 'FileNameBuffer',
  'Destination', 'c-useragent', 'cs-method', 'cs-uri-query', 'RelativeTargetName', 'ObjectType', 'SubjectUserName', 'AccessList',
  'ModifyingApplication', 'Signed', 'Cmdlet', 'ShareName', 'ProcessNameBuffer', 'TargetUserName', 'c-uri', 'sc-status',
  // hot_mask_2 (session 11): the fields of Exchange's logs their rules read (each of those logsources' value sets
  // then reads no keys/vals: 10 M bench events, httpproxy hashed six fields out of 1.7 M events' keys/vals to find
  // 12,024; its value sets 2.1-3.4 -> 0.6 CPU-s, its events 4.0 -> 2.9), and the few more the costlier Windows
  // logsources' sets read (process creation's value sets 3.2-3.8 -> 1.7-2.1). Not the web logs' cs-user-agent,
  // forwarded-claim and cs-username: their events pass then tested a tuple of more high-cardinality LowCardinality
  // columns for 3 M events, 3.0 -> 3.8 CPU-s, more than their value sets gained (2.2-2.8 -> 1.6-1.8).
  'UserAgent', 'AnchorMailbox', 'UrlStem', 'RoutingHint', 'HttpStatus', 'UrlQuery', 'SoapAction', 'ClientInfo',
  'S:CMD', 'EventData', 'source', 'ExecutingUserSid', 'PSSenderInfo', 'Parameters', 'ExecutionResult', 'GenericErrors',
  'FileVersion', 'ParentUser', 'LogonId', 'TaskName', 'Path', 'UserName', 'Operation', 'SourceUser',
  // hot_mask_3 (session 13): the web logs' last three fields read from keys/vals. Their value sets then read no
  // keys/vals, and their events pass picks them by the set's hash, every column cheap (session 11 dropped them for
  // the tuple test this replaced): settled 10 M bench store, 3 M IIS events, in turns, 3 runs each: value sets
  // 2.0-2.4 -> 1.1-1.4 CPU-s, events pass 1.5-1.8 -> 1.4-1.7.
  'cs-user-agent', 'forwarded-claim', 'cs-username',
];
export const hotColumn = (i: number): string => `h_${i}`;
/**
 * The type of a hot field's or a placement's column on a server of major version `major`: LowCardinality from 19.x;
 * String on 18.x, which has no LowCardinality (and computes them at insert holding about 75 KB a row: server.ts cuts
 * its inserts into small blocks, bench:store-hunt fills it a copy at a time).
 */
export const hotColumnType = (info: { readonly major: number }): 'LowCardinality(String)' | 'String' => (info.major >= 19 ? 'LowCardinality(String)' : 'String');
/**
 * The presence masks: `name` holds bit i - from for HOT_FIELDS[i], from <= i < to (the event names the field exactly
 * once). A mask is MATERIALIZED with the expression of the store that added it, so its fields are fixed once shipped:
 * a store made before a field was appended has a mask without its bit. Fields appended later go to a new mask,
 * which such a store gains (ensureHotColumns), computed for the rows already there; a store without it reads
 * those fields from keys/vals (retro-hunt.ts hotFields).
 */
export const HOT_MASKS: readonly { readonly name: string; readonly from: number; readonly to: number }[] = [
  { name: 'hot_mask', from: 0, to: 56 },
  { name: 'hot_mask_2', from: 56, to: 80 },
  { name: 'hot_mask_3', from: 80, to: HOT_FIELDS.length },
];
export const HOT_MASK = HOT_MASKS[0]!.name;
function maskAt(i: number): (typeof HOT_MASKS)[number] {
  const m = HOT_MASKS.find((x) => i >= x.from && i < x.to);
  if (!m) throw new RangeError(`no hot field ${i}`);
  return m;
}
/** The mask holding HOT_FIELDS[i]'s bit. */
export const hotMaskOf = (i: number): string => maskAt(i).name;
/** HOT_FIELDS[i]'s bit in its mask (hotMaskOf), as SQL reads it (a UInt64 literal). */
export const hotBit = (i: number): string => (1n << BigInt(i - maskAt(i).from)).toString();
/**
 * 1 where the event names some field more than once (a multi-valued field): finding the store's multi-valued fields
 * (retro-hunt.ts multiValuedFields) reads the keys of those events only, not of every event.
 */
export const KEY_REPEATS = 'key_repeats';
/** Beside them, a Windows event's placement, lower-cased (LowCardinality, MATERIALIZED): `channel|EventID` and channel. */
export const PLACE_KEY = 'place_key';
export const PLACE_CHANNEL = 'place_channel';
/** What they hold, computed from channel and event_id (their MATERIALIZED expressions; the retro-hunt's placements query). */
export const PLACE_EXPRS: Readonly<Record<typeof PLACE_KEY | typeof PLACE_CHANNEL, string>> = {
  [PLACE_KEY]: "concat(lowerUTF8(channel), '|', toString(event_id))",
  [PLACE_CHANNEL]: 'lowerUTF8(channel)',
};

/**
 * The events' sort key: what the hunts filter on first. `service` before channel: Exchange's logs (httpproxy, ews,
 * rps-http, ...) all have channel '' and event id -1, so without it each log's events were spread through every
 * granule of the host's Exchange events, and each of the retro-hunt's per-log passes decompressed all of their
 * keys/vals (1 M bench events: the Exchange logsources' passes 4.4 → 2.7 CPU-s). Windows events have service ''.
 * A store keeps the order it was created with (new stores only).
 */
export const EVENT_ORDER = ['host', 'source', 'service', 'channel', 'event_id', 't'] as const;

/**
 * The condition that keeps a query to events whose file ingestion completed (an ingest killed half-way leaves
 * rows of an attempt never marked complete; they stay invisible and a re-run writes a new attempt).
 * `alias` is the events table's alias in the query ('' for none).
 */
export function visibleEvents(alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return `${a}ingest_id IN (SELECT ingest_id FROM evidence WHERE complete = 1)`;
}

/** One evidence file of a collection, and the state of its ingestion. */
export const EVIDENCE_COLUMNS: readonly ColumnDef[] = [
  { name: 'host', type: 'String' },
  { name: 'collection', type: 'String' },
  { name: 'path', type: 'String' },
  { name: 'kind', type: 'String' },
  { name: 'size', type: 'UInt64' },
  { name: 'sha256', type: 'String' },
  { name: 'ingest_id', type: 'String' },
  /** 1 once every event of this attempt is stored. */
  { name: 'complete', type: 'UInt8' },
  { name: 'events', type: 'UInt64' },
  { name: 'first_t', type: 'DateTime' },
  { name: 'last_t', type: 'DateTime' },
  /** The file's coverage entry as JSON (what it covers, from when to when, gaps). */
  { name: 'coverage', type: 'String' },
  { name: 'scan_id', type: 'String' },
  { name: 'ingested_at', type: 'DateTime' },
];

/** The in-process scan's findings, one row per line of that scan's findings.jsonl. */
export const FINDING_COLUMNS: readonly ColumnDef[] = [
  { name: 'scan_id', type: 'String' },
  { name: 'host', type: 'String' },
  { name: 'collection', type: 'String' },
  /** 'scan' for the ingest's own scan, 'hunt' for a retro-hunt's findings. */
  { name: 'origin', type: 'String' },
  { name: 'engine', type: 'String' },
  { name: 'level', type: 'String' },
  { name: 'rule_id', type: 'String' },
  { name: 'rule_title', type: 'String' },
  { name: 't', type: 'DateTime' },
  { name: 'us', type: 'UInt32' },
  { name: 'has_time', type: 'UInt8' },
  { name: 'path', type: 'String' },
  { name: 'line', type: 'UInt64' },
  { name: 'record', type: 'UInt64' },
  { name: 'kind', type: 'String' },
  { name: 'cves', type: 'Array(String)' },
  { name: 'attack', type: 'Array(String)' },
  /** Indicators the finding names (client IP, user agent, file path/name, hash, account, export path), for the fleet view. */
  { name: 'ind_types', type: 'Array(String)' },
  { name: 'ind_values', type: 'Array(String)' },
  { name: 'message', type: 'String' },
  /** The finding exactly as findings.jsonl writes it. */
  { name: 'json', type: 'String' },
];

/** One row per ingested collection (per host). */
export const SCAN_COLUMNS: readonly ColumnDef[] = [
  { name: 'scan_id', type: 'String' },
  { name: 'host', type: 'String' },
  { name: 'collection', type: 'String' },
  { name: 'build', type: 'String' },
  { name: 'verdict', type: 'String' },
  { name: 'exhunt_version', type: 'String' },
  { name: 'ruleset_hash', type: 'String' },
  { name: 'started', type: 'DateTime' },
  { name: 'finished', type: 'DateTime' },
  /** summary.json of the scan. */
  { name: 'summary', type: 'String' },
  /** taken.json of the scan ("what was taken"), '' when the scan made none. */
  { name: 'taken', type: 'String' },
];
