// HuntEvent: what every reader yields and every engine consumes. A union tagged by `source`;
// each event carries its evidence reference so every finding can cite the exact line or record.

/** Where an event came from: path relative to the scanned root with '/' separators. */
export interface EvidenceRef {
  path: string;
  /** 1-based line number (text logs, JSON Lines). */
  line?: number;
  /** 1-based record position (EVTX record number, JSON array index + 1, evtx_dump "Record N"). */
  record?: number;
  /** Byte offset of the record, when known (EVTX). */
  offset?: number;
  /** What the evidence is, e.g. 'evtx', 'json', 'iis-w3c', 'exchange-httpproxy', 'exchange-ecp-server', 'file'. */
  kind: string;
}

interface EventCommon {
  /** UTC ISO 8601 with 'Z', or null when the record has no usable timestamp. */
  time: string | null;
  /** Computer / server name when the evidence states it. */
  host: string | null;
  ref: EvidenceRef;
}

/**
 * A Windows event in the nested evtx_dump JSON shape: `{ Event: { System: {...}, EventData: {...} } }`
 * with XML attributes under `#attributes`. Produced by the EVTX reader and by JSON evidence.
 */
export interface WinEvent extends EventCommon {
  source: 'evtx' | 'json';
  channel: string | null;
  eventId: number | null;
  provider: string | null;
  data: Record<string, unknown>;
}

/** An IIS W3C extended log line; field names normalised (see normalize/maps/w3c.json), values decoded. */
export interface W3cEvent extends EventCommon {
  source: 'w3c';
  /** IIS site folder such as 'W3SVC1' (front end) or 'W3SVC2' (Exchange back end), when known. */
  site: string | null;
  fields: Record<string, string>;
  /**
   * Whether the line's #Fields header has a forwarded-client column (X-Forwarded-For, Forwarded, ...), as the
   * reader knows it; undefined when unknown (the fields are then looked at).
   */
  forwarded?: boolean;
}

/** A header-described Exchange CSV log line (HttpProxy, ECP Server, OAB generator, ...). */
export interface ExchangeEvent extends EventCommon {
  source: 'exchange';
  /** Sigma service name of the log: 'httpproxy', 'ecp-server', 'ecp-activity', 'oab-generator', ... */
  log: string;
  /** HttpProxy protocol folder ('Ecp', 'Autodiscover', 'Owa', 'Mapi', ...) when known. */
  protocol: string | null;
  /** The #Version header (Exchange build) of the file, when present. */
  version: string | null;
  fields: Record<string, string>;
  /**
   * The row's values in column order (empty ones and those of ignored duplicate columns included), when
   * `fields` holds nothing else: the keyword pre-filter reads them instead of enumerating `fields`, which
   * for wide logs such as HttpProxy's 74 columns is a slow dictionary-mode object (about 10 us a row).
   */
  values?: readonly string[];
}

export type HuntEvent = WinEvent | W3cEvent | ExchangeEvent;
export type EventSource = HuntEvent['source'];

/** The Sigma logsource that a non-Windows event belongs to (Windows events are matched by channel/EventID). */
export interface EventLogsource {
  product?: string;
  category?: string;
  service?: string;
}

export function logsourceOf(event: W3cEvent | ExchangeEvent): EventLogsource {
  switch (event.source) {
    case 'w3c':
      return { category: 'webserver', service: 'iis' };
    case 'exchange':
      return { product: 'exchange', service: event.log };
  }
}
