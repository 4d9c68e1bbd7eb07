// Timestamp normalisation for text logs: every reader turns what the log wrote into UTC ISO 8601
// with 'Z', or null. Exchange and IIS log in UTC, so a time without a zone is taken as UTC.

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;

/** '2021-03-03T06:13:42.1234567Z', '2021-03-03 06:13:42', '2021-03-03T06:13:42+01:00' → UTC ISO 'Z'; else null. */
export function toUtcIso(value: string): string | null {
  const m = ISO_RE.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const mon = Number(mo);
  const day = Number(d);
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  // Keep at most millisecond precision, as Date does, so all readers agree on the shape.
  const ms = frac ? frac.slice(0, 4).padEnd(4, '0') : '';
  if (!zone || zone === 'Z') return `${y}-${mo}-${d}T${h}:${mi}:${s}${ms}Z`;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone}`);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
