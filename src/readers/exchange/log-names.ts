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
 * The log a file belongs to from its path under the Exchange install folder (research exchange-logs.md §1-§6):
 * Logging/HttpProxy/<Protocol>/ → httpproxy + protocol, Logging/ECP/{Server,Activity} → ecp-server/ecp-activity,
 * Logging/OABGeneratorLog → oab-generator, Logging/CmdletInfra/<Sub>/{Cmdlet,Http,AuthZ} → rps-cmdlet/rps-http/
 * rps-authz (protocol = <Sub>, e.g. Powershell-Proxy for Remote PowerShell), Logging/Ews → ews,
 * Logging/Autodiscover → autodiscover, Logging/MapiHttp/<Sub> → mapihttp, Logging/OWA/Server → owa-server,
 * Logging/{CosmosQueue,LocalQueue}/… → unified-audit, Logging/MailboxReplicationService/<Sub> → mrs,
 * …/MessageTracking/ (wherever it was moved) → message-tracking, Logging/<Other>/ → kebab(Other).
 * Null when the path does not say (e.g. a single file given directly).
 */
export function logFromPath(path: string): LogName | null {
  const parts = path.split('/');
  const lower = parts.map((p) => p.toLowerCase());
  const dirs = lower.length - 1; // the last part is the file
  if (lower.slice(0, dirs).includes('messagetracking')) return { log: 'message-tracking', protocol: null };
  const i = lower.findLastIndex((p, k) => p === 'logging' && k < dirs);
  if (i < 0) return null;
  const a = lower[i + 1]!;
  const b = i + 2 < dirs ? parts[i + 2]! : null;
  const lb = b?.toLowerCase() ?? null;
  const below = lower.slice(i + 2, dirs);
  switch (a) {
    case 'httpproxy':
      return { log: 'httpproxy', protocol: b };
    case 'ecp':
      return { log: lb === 'server' ? 'ecp-server' : lb === 'activity' ? 'ecp-activity' : 'ecp', protocol: null };
    case 'oabgeneratorlog':
      return { log: 'oab-generator', protocol: null };
    case 'cmdletinfra': {
      const sub = lb === 'cmdlet' || lb === 'http' || lb === 'authz' ? null : b;
      if (below.includes('cmdlet')) return { log: 'rps-cmdlet', protocol: sub };
      if (below.includes('http')) return { log: 'rps-http', protocol: sub };
      if (below.includes('authz')) return { log: 'rps-authz', protocol: sub };
      return { log: below.includes('psws') || lb === 'psws' ? 'psws' : 'cmdletinfra', protocol: sub };
    }
    case 'ews':
      return { log: 'ews', protocol: null };
    case 'autodiscover':
      return { log: 'autodiscover', protocol: null };
    case 'mapihttp':
      return { log: 'mapihttp', protocol: b };
    case 'owa':
      return { log: lb ? `owa-${kebab(lb)}` : 'owa', protocol: null };
    case 'cosmosqueue':
    case 'localqueue':
      return { log: 'unified-audit', protocol: null };
    case 'mailboxreplicationservice':
      return { log: 'mrs', protocol: b };
  }
  if (i + 1 === dirs) return null; // a file directly in Logging/
  return { log: kebab(parts[i + 1]!), protocol: null };
}

/** The log name from a #Log-type header value. */
export function logFromType(type: string): string {
  const k = kebab(type);
  if (/^http-?proxy/.test(k)) return 'httpproxy';
  if (/^oab-?generator/.test(k)) return 'oab-generator';
  if (/(^|-)cmdlet$/.test(k)) return 'rps-cmdlet'; // 'Rps Cmdlet Logs', 'PswsDI Cmdlet Logs'
  if (k === 'autodiscover-protocol') return 'autodiscover';
  if (k === 'audit') return 'unified-audit';
  if (k === 'rca-protocol') return 'rpc-client-access';
  if (k === 'mapi-mailbox-protocol') return 'mapi-client-access';
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
