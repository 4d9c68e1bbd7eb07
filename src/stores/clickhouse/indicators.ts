// The indicators a finding names — attacker IP, user agent, web-shell path and name, file hash, account, mailbox
// export path — kept with the stored finding so the fleet view can find the ones seen on more than one server.
import { isIP } from 'node:net';
import type { Finding } from '../../finding.js';
import { levelRank } from '../../finding.js';
import { fieldValue, findingAgent, findingFileKey, findingHashes, findingIp, findingUser } from '../../engines/activity/index.js';

export type IndicatorType = 'ip' | 'user-agent' | 'webshell-path' | 'file-name' | 'sha256' | 'account' | 'export-path';

export interface FindingIndicators {
  types: IndicatorType[];
  values: string[];
}

// Addresses that are never the attacker's: loopback, unspecified, link-local, and the private and shared ranges
// where Exchange's own load balancers, health probes and management hosts sit. The campaign's operators came from
// public addresses; an internal address shared by every server of a DAG is its balancer, and would tie the whole
// fleet together on nothing.
const V4_INTERNAL = [/^10\./, /^127\./, /^0\./, /^169\.254\./, /^192\.168\./, /^172\.(?:1[6-9]|2\d|3[01])\./, /^100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./];
const V6_INTERNAL = /^(?:::1?$|fe[89ab][0-9a-f]:|f[cd][0-9a-f]{2}:|::ffff:(?:10|127|192\.168)\.)/i;
export function isInternalIp(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) return V4_INTERNAL.some((r) => r.test(ip));
  if (v === 6) return V6_INTERNAL.test(ip);
  return true;
}

// Exchange's own traffic: Managed Availability probes (AMProbe, ActiveMonitoring, the HealthMailbox accounts), the
// monitoring and system mailboxes, and Windows service identities. They appear on every server and mean nothing.
const BENIGN_AGENT = /^(?:AMProbe\/|ActiveMonitoring|MSEXCHMON|Exchange BackEnd Probes|HealthMailbox)/i;
const BENIGN_ACCOUNT = /^(?:(?:[^\\@]*\\)?(?:HealthMailbox[0-9a-f]*|SM_[0-9a-f]+|Exchange Online-ApplicationAccount|SystemMailbox\{[^}]*\}|FederatedEmail\.[^@]*|Migration\.[^@]*|DiscoverySearchMailbox[^@]*|system|local service|network service|anonymous logon)(?:@.*)?|S-1-5-(?:18|19|20)|nt authority\\.*)$/i;

const EXPORT_FIELDS = ['filePath', 'FilePath', 'exportPath'];
const SHELL_TECHNIQUE = 'T1505.003';

/**
 * The indicators of one finding. Only findings of medium level or above that are not exposure statements name
 * indicators: an informational row's client is any visitor, and a build is no indicator.
 */
export function findingIndicators(f: Finding): FindingIndicators {
  const out: FindingIndicators = { types: [], values: [] };
  if (f.engine === 'exposure' || levelRank(f.level) < levelRank('medium')) return out;
  const add = (t: IndicatorType, v: string | null): void => {
    if (v === null || v === '' || v.length > 2000) return;
    for (let i = 0; i < out.types.length; i++) if (out.types[i] === t && out.values[i] === v) return;
    out.types.push(t);
    out.values.push(v);
  };
  // the client as the report resolves it: behind a trusted proxy the client it named, never the proxy
  const ip = findingIp(f);
  if (ip !== null && !isInternalIp(ip)) add('ip', ip.toLowerCase());
  const agent = findingAgent(f);
  if (agent !== null && !BENIGN_AGENT.test(agent)) add('user-agent', agent);
  const user = findingUser(f); // machine accounts and NT AUTHORITY already left out
  if (user !== null && !BENIGN_ACCOUNT.test(user)) add('account', user);
  const exportPath = fieldValue(f.fields, EXPORT_FIELDS);
  if (exportPath !== null && (f.engine === 'activity' || /export/i.test(f.rule.title) || f.attack.some((t) => t.toUpperCase().startsWith('T1114')))) add('export-path', exportPath);
  const fileEngine = f.engine === 'file' || f.engine === 'yara' || f.engine === 'ioc';
  if (fileEngine) {
    const sha = findingHashes(f).sha256;
    if (sha !== undefined) add('sha256', sha);
  }
  // a web shell's path: the file's URL path or Windows path (file engines), the requested script (web-shell
  // rules) — only when it names a script that is not one of Exchange's own (the exploit's /ecp/DDI/… is no shell)
  const fileKey = findingFileKey(f);
  if (fileKey !== null && (fileEngine || f.attack.includes(SHELL_TECHNIQUE))) {
    const win = fieldValue(f.fields, ['windowsPath']);
    const url = fieldValue(f.fields, fileEngine ? ['urlPath'] : ['cs-uri-stem', 'UrlStem', 'urlPath']);
    const path = url ?? win;
    if (path !== null && path.toLowerCase().endsWith(fileKey)) add('webshell-path', path.toLowerCase());
  }
  add('file-name', fileKey);
  return out;
}
