// Exchange's bare CSV header row: the field names written as a plain CSV line, before the `#` block
// (CSV-compatible mode: HttpProxy, EWS, CmdletInfra) or alone (CSV-strict mode: MRS logs). Research: exchange-logs.md §0.1, §6.

/** Time columns of Exchange logs, in the order a reader prefers them. */
export const EXCHANGE_TIME_COLUMNS = ['DateTime', 'TimeStamp', 'Timestamp', 'date-time', 'DateTimeUTC', 'LogTime', 'Time', 'Date'] as const;

// A field name as Exchange writes them: DateTime, date-time, S:Key is never a column, TS_Creation, Duration_Total.
const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;

/**
 * Columns that only Exchange's loggers write, so a CSV-strict file (no `#` lines to say what it is) is taken
 * as an Exchange log only when its header names one of them. MRS request logs (the only CSV-strict log of
 * interest) carry RequestGuid/RequestType; their exact column set is not documented (research §6.2), so any
 * of these marks the file.
 */
const EXCHANGE_MARKERS = new Set([
  'RequestId',
  'RequestGuid',
  'RequestType',
  'ServerHostName',
  'ClientIpAddress',
  'AuthenticatedUser',
  'internal-message-id',
  'network-message-id',
  'ExecutingUserSid',
  'MailboxGuid',
  'OabGuid',
]);

/**
 * The names of `line` when it is a bare header row: at least three comma-separated field names, no quotes,
 * no duplicates, and a time column among them (or a `TS_` timestamp column, as MRS logs have). Null otherwise.
 * A data row never qualifies: its time column holds a timestamp (digits) or is empty.
 */
export function bareHeaderNames(line: string): string[] | null {
  if (line.length === 0 || line.length > 16384) return null;
  const c = line.charCodeAt(0);
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return null;
  const names = line.split(',');
  if (names.length < 3) return null;
  const seen = new Set<string>();
  let time = false;
  for (const n of names) {
    if (!NAME_RE.test(n) || seen.has(n)) return null;
    seen.add(n);
    if (!time && ((EXCHANGE_TIME_COLUMNS as readonly string[]).includes(n) || n.startsWith('TS_'))) time = true;
  }
  return time ? names : null;
}

/** Whether a bare header row names a column only Exchange writes (for files with no `#` lines). */
export function namesExchangeColumns(names: readonly string[]): boolean {
  return names.some((n) => EXCHANGE_MARKERS.has(n));
}
