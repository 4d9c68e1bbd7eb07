// A two-field test Sigma cannot express: a Remote PowerShell cmdlet whose executing identity is not the session's
// sender (Rps_Cmdlet AuthenticatedUser vs GenericInfo PSSenderInfo), the mark of a forged X-Rps-CAT token (ProxyShell).
import type { HuntEvent } from '../../event.js';
import type { Finding } from '../../finding.js';

const RULE = {
  id: '5d3c8a61-2f4e-4b7a-9c1d-8e6f0a2b4c71',
  title: 'Remote PowerShell cmdlet run as another identity than the session sender (forged CommonAccessToken)',
  author: 'exhunt project',
  source: 'builtin:engines/activity/identity',
  tags: ['attack.privilege-escalation', 'attack.t1078', 'attack.initial-access', 'attack.t1190', 'cve.2021-34523'],
  references: ['https://www.zerodayinitiative.com/blog/2021/8/17/from-pwn2own-2021-a-new-attack-surface-on-microsoft-exchange-proxyshell'],
  falsepositives: ['Sessions opened with delegated credentials where the login name and the account name differ (check the SID)'],
};

/** 'CORP\jones', 'jones@corp.example.com', 'Jones' → 'jones'. */
export function accountName(s: string): string {
  let v = s.trim().toLowerCase();
  const slash = v.lastIndexOf('\\');
  if (slash !== -1) v = v.slice(slash + 1);
  const at = v.indexOf('@');
  if (at !== -1) v = v.slice(0, at);
  return v;
}

/**
 * A finding when an Rps_Cmdlet row's AuthenticatedUser (the account the token's SID resolved to) and PSSenderInfo (the
 * login name the session was opened with) name different accounts. In ProxyShell the attacker builds the token with a
 * mailbox's address as login name and the built-in Administrator's SID (research exchange-logs.md §1.3).
 */
export function cmdletIdentityFinding(e: HuntEvent): Finding | null {
  if (e.source !== 'exchange' || e.log !== 'rps-cmdlet') return null;
  const f = e.fields;
  const user = f['AuthenticatedUser'];
  const sender = f['PSSenderInfo'];
  if (!user || !sender || accountName(user) === accountName(sender)) return null;
  const sid = f['ExecutingUserSid'] ?? '';
  const builtin = /-500$/.test(sid);
  return {
    engine: 'activity',
    time: e.time,
    level: builtin ? 'critical' : 'high',
    rule: RULE,
    cves: ['CVE-2021-34523'],
    attack: ['T1078', 'T1190'],
    host: e.host,
    evidence: e.ref,
    fields: { AuthenticatedUser: user, PSSenderInfo: sender, ExecutingUserSid: sid, Cmdlet: f['Cmdlet'] ?? '', Parameters: f['Parameters'] ?? '', ExecutionResult: f['ExecutionResult'] ?? '' },
    message: `${f['Cmdlet'] ?? 'cmdlet'} ran as ${user}${builtin ? ' (built-in Administrator, RID 500)' : ''} in a session opened by ${sender}`,
  };
}
