// The only error vocabulary of exhunt: HuntError (fatal, thrown at the edge) and Diagnostic
// (non-fatal, collected by a sink and counted in the summary). Only the CLI prints them.

/** Closed set of problem codes. Add a code here (grouped by family) rather than inventing strings. */
export type DiagnosticCode =
  // usage and I/O
  | 'USAGE'
  | 'IO_ERROR'
  | 'NOT_READABLE'
  | 'SYMLINK_OUTSIDE'
  | 'FILE_TOO_LARGE'
  | 'UNKNOWN_FORMAT'
  // archives read in place: the archive unreadable (truncated, damaged directory), a member refused (name,
  // link, duplicate, limits), a missing or wrong password, a member whose data is damaged
  | 'ARCHIVE_UNREADABLE'
  | 'ARCHIVE_MEMBER_REFUSED'
  | 'ARCHIVE_PASSWORD'
  | 'ARCHIVE_MEMBER_BAD'
  // evidence readers (W3C, Exchange CSV, JSON)
  | 'LOG_BAD_LINE'
  | 'LOG_LINE_TOO_LONG'
  | 'LOG_BAD_HEADER'
  | 'LOG_DUPLICATE_FIELD'
  | 'LOG_COLUMN_COUNT'
  | 'LOG_BAD_TIMESTAMP'
  | 'LOG_INVALID_UTF8'
  | 'LOG_BINARY'
  | 'LOG_TRUNCATED'
  | 'LOG_BAD_VALUE'
  | 'JSON_BAD_RECORD'
  // EVTX
  | 'EVTX_BAD_FILE_HEADER'
  | 'EVTX_BAD_CHUNK'
  | 'EVTX_CHUNK_CHECKSUM'
  | 'EVTX_RECORD_CHECKSUM'
  | 'EVTX_BAD_RECORD'
  | 'EVTX_BAD_BINXML'
  | 'EVTX_MISSING_TEMPLATE'
  | 'EVTX_DIRTY'
  // Sigma
  | 'SIGMA_YAML'
  | 'SIGMA_BAD_RULE'
  | 'SIGMA_UNKNOWN_MODIFIER'
  | 'SIGMA_BAD_MODIFIER'
  | 'SIGMA_BAD_CONDITION'
  | 'SIGMA_BAD_REGEX'
  | 'SIGMA_REGEX_FALLBACK'
  | 'SIGMA_PLACEHOLDER'
  | 'SIGMA_UNKNOWN_LOGSOURCE'
  | 'SIGMA_BAD_CORRELATION'
  | 'SIGMA_BAD_FILTER'
  | 'SIGMA_UNSUPPORTED'
  // the compiled rule cache: stale or corrupt (ignored and rebuilt), or not writable
  | 'SIGMA_CACHE'
  // YARA / IOC / files
  | 'YARA_UNAVAILABLE'
  | 'YARA_COMPILE'
  | 'YARA_SCAN'
  | 'IOC_BAD_LINE'
  // exposure
  | 'EXPOSURE_BAD_BUILD'
  | 'EXPOSURE_UNKNOWN_BUILD'
  | 'EXPOSURE_FETCH'
  // ATT&CK and reporting
  | 'ATTACK_UNKNOWN_TAG'
  | 'REPORT_BAD_INPUT'
  // the ClickHouse store: the engine absent (chDB not installed, unsupported platform), a bad store spec, the
  // server refusing the credentials, the server unreachable or gone, a query the store refused
  | 'STORE_UNAVAILABLE'
  | 'STORE_SPEC'
  | 'STORE_AUTH'
  | 'STORE_UNREACHABLE'
  | 'STORE_QUERY';

export type Severity = 'error' | 'warning' | 'info';

/** Where a problem is: an evidence file (with line, record, chunk or byte offset) or a rule file (with line). */
export interface Location {
  path?: string;
  line?: number;
  column?: number;
  record?: number;
  chunk?: number;
  offset?: number;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  location?: Location;
}

/** Receives non-fatal problems; implementations count and keep them for the summary. */
export type DiagnosticSink = (d: Diagnostic) => void;

export class HuntError extends Error {
  readonly code: DiagnosticCode;
  readonly location: Location | undefined;
  constructor(code: DiagnosticCode, message: string, location?: Location, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HuntError';
    this.code = code;
    this.location = location;
  }
  toDiagnostic(severity: Severity = 'error'): Diagnostic {
    return this.location
      ? { code: this.code, severity, message: this.message, location: this.location }
      : { code: this.code, severity, message: this.message };
  }
}

/** "path:line" / "path record 4" / "path chunk 2 offset 0x1234" for people. */
export function formatLocation(loc: Location | undefined): string {
  if (!loc) return '';
  const parts: string[] = [];
  if (loc.path !== undefined) parts.push(loc.line !== undefined ? `${loc.path}:${loc.line}` : loc.path);
  else if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.record !== undefined) parts.push(`record ${loc.record}`);
  if (loc.chunk !== undefined) parts.push(`chunk ${loc.chunk}`);
  if (loc.offset !== undefined) parts.push(`offset 0x${loc.offset.toString(16)}`);
  return parts.join(' ');
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = formatLocation(d.location);
  return `${d.severity}[${d.code}]${where ? ' ' + where : ''}: ${d.message}`;
}

/** A sink that keeps every diagnostic (up to a cap) and counts all of them by code. */
export class DiagnosticCollector {
  readonly kept: Diagnostic[] = [];
  readonly counts = new Map<DiagnosticCode, number>();
  total = 0;
  constructor(private readonly cap = 10_000) {}
  readonly sink: DiagnosticSink = (d) => {
    this.total++;
    this.counts.set(d.code, (this.counts.get(d.code) ?? 0) + 1);
    if (this.kept.length < this.cap) this.kept.push(d);
  };
}
