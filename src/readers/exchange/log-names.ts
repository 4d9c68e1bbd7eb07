// Names of Exchange logs as the rule pack's Sigma logsources see them (service: httpproxy, ecp-server, ...),
// from the collection path or the #Log-type header, and the ECP `S:KEY=value` EventData splitter.

export interface LogName {
  log: string;
  protocol: string | null;
}

/** Lower-case kebab: 'ECP Server Logs' → 'ecp-server', 'HttpProxy Logs' → 'httpproxy'. */
function kebab(s: string): string {
  return s
    .trim()
    .replace(/\s+logs?$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The log a file belongs to from its path under the Exchange install folder:
 * Logging/HttpProxy/<Protocol>/ → httpproxy + protocol, Logging/ECP/Server → ecp-server,
 * Logging/ECP/Activity → ecp-activity, Logging/OABGeneratorLog → oab-generator, Logging/<Other>/ → kebab(Other).
 * Null when the path does not say (e.g. a single file given directly).
 */
export function logFromPath(path: string): LogName | null {
  const parts = path.split('/');
  const i = parts.findLastIndex((p, k) => p.toLowerCase() === 'logging' && k < parts.length - 1);
  if (i < 0) return null;
  const a = parts[i + 1]!;
  const b = i + 2 < parts.length - 1 ? parts[i + 2]! : null;
  const la = a.toLowerCase();
  if (la === 'httpproxy') return { log: 'httpproxy', protocol: b };
  if (la === 'ecp') {
    if (b && b.toLowerCase() === 'server') return { log: 'ecp-server', protocol: null };
    if (b && b.toLowerCase() === 'activity') return { log: 'ecp-activity', protocol: null };
    return { log: 'ecp', protocol: null };
  }
  if (la === 'oabgeneratorlog') return { log: 'oab-generator', protocol: null };
  if (i + 1 === parts.length - 1) return null; // a file directly in Logging/
  return { log: kebab(a), protocol: null };
}

/** The log name from a #Log-type header value. */
export function logFromType(type: string): string {
  const k = kebab(type);
  if (/^http-?proxy/.test(k)) return 'httpproxy';
  if (/^oab-?generator/.test(k)) return 'oab-generator';
  return k || 'exchange';
}

// Keys look like S:CMD, S:Bld, I32:ADS.C[DC], Dbl:WLM.TS — a type prefix, a colon, a name.
const KEY_RE = /(?:^|;)((?:S|I32|I64|F|Dbl|B|D|Int):[A-Za-z0-9_.[\]-]{1,80})=/g;

/**
 * Adds each `S:KEY=value` pair found in `value` to `fields` (not overriding existing names). The value
 * runs to the next `;KEY=` so values containing ';' (script payloads) stay whole. Keys are also added in
 * upper case (S:Bld → S:BLD) so rules can use one spelling.
 */
export function splitEventData(value: string, fields: Record<string, string>): void {
  KEY_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let key: string | null = null;
  let start = 0;
  const put = (k: string, v: string): void => {
    if (v.endsWith(';')) v = v.slice(0, -1);
    if (!(k in fields)) fields[k] = v;
    const up = k.toUpperCase();
    if (up !== k && !(up in fields)) fields[up] = v;
  };
  while ((m = KEY_RE.exec(value)) !== null) {
    if (key !== null) put(key, value.slice(start, m.index));
    key = m[1]!;
    start = m.index + m[0].length;
  }
  if (key !== null) put(key, value.slice(start));
}
