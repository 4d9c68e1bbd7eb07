// The indicators a finding names — client IP, user agent, web-shell path and name, file hash, account, export
// path — kept with the stored finding so the fleet view can find the ones seen on more than one server.
import type { Finding } from '../../finding.js';

export type IndicatorType = 'ip' | 'user-agent' | 'webshell-path' | 'file-name' | 'sha256' | 'account' | 'export-path';

export interface FindingIndicators {
  types: IndicatorType[];
  values: string[];
}

// Field names per indicator, most specific first: the first present one is taken. `client-ip` is the client the
// load-balancer resolution settled on; `c-ip` may be the balancer itself, so it comes last.
const IP_FIELDS = ['client-ip', 'clientIp', 'ClientIpAddress', 'c-ip'];
const UA_FIELDS = ['userAgent', 'cs(User-Agent)', 'cs-user-agent', 'UserAgent'];
const ACCOUNT_FIELDS = ['AuthenticatedUser', 'PSSenderInfo', 'cs-username', 'S:USER'];
const EXPORT_FIELDS = ['exportPath', 'FilePath'];

function first(fields: Record<string, unknown>, names: readonly string[]): string | null {
  for (const n of names) {
    const v = fields[n];
    if (typeof v === 'string' && v !== '' && v !== '-') return v;
  }
  return null;
}

export function findingIndicators(f: Finding): FindingIndicators {
  const out: FindingIndicators = { types: [], values: [] };
  const add = (t: IndicatorType, v: string | null): void => {
    if (v === null) return;
    for (let i = 0; i < out.types.length; i++) if (out.types[i] === t && out.values[i] === v) return;
    out.types.push(t);
    out.values.push(v);
  };
  const fields = f.fields;
  add('ip', first(fields, IP_FIELDS));
  add('user-agent', first(fields, UA_FIELDS));
  const account = first(fields, ACCOUNT_FIELDS);
  // Machine accounts (CORP\EXCH01$) are Exchange itself, not an account the attacker used.
  if (account !== null && !account.endsWith('$')) add('account', account);
  add('export-path', first(fields, EXPORT_FIELDS));
  if (f.engine === 'file' || f.engine === 'yara') {
    const sha = fields['sha256'];
    if (typeof sha === 'string' && /^[0-9a-f]{64}$/i.test(sha)) add('sha256', sha.toLowerCase());
    const win = first(fields, ['windowsPath']);
    const url = first(fields, ['urlPath', 'shellPath']);
    if (url !== null) add('webshell-path', url);
    const name = (win ?? url ?? '').split(/[\\/]/).pop() ?? '';
    if (name) add('file-name', name.toLowerCase());
  }
  return out;
}
