// The attacker's client IPs and unusual user agents, taken from the findings that point at an attacker
// (medium or above, not exposure), for the activity collector's finish() and the STIX export.
import type { Finding } from '../../finding.js';
import { levelRank } from '../../finding.js';
import { findingAgent, findingIp } from './finding-fields.js';

// Ordinary browsers and Office clients: an attacker may use one, but matching on it would sweep in every user.
const COMMON_AGENT = /^(?:Mozilla\/5\.0 \((?:Windows NT|Macintosh|X11|iPhone|iPad|Linux; Android)[^)]*\)(?!.*(?:bot|crawl|spider|slurp|zgrab|masscan|nmap))|Microsoft Office|Outlook|MSRPC$|MSExchange)/i;

// Findings of one client come one after another: the last agent's answer is kept.
let lastAgent = '';
let lastCommon = false;
function commonAgent(a: string): boolean {
  if (a !== lastAgent) {
    lastCommon = COMMON_AGENT.test(a.replace(/\+/g, ' '));
    lastAgent = a;
  }
  return lastCommon;
}

export interface AttackerIndicators {
  ips: Set<string>;
  agents: Set<string>;
}

export function attackerIndicators(findings: Iterable<Finding>): AttackerIndicators {
  const ind: AttackerIndicators = { ips: new Set(), agents: new Set() };
  for (const f of findings) addAttackerIndicators(ind, f);
  return ind;
}

/** Adds one finding's IP and agent (when it points at an attacker): a scan keeps only these sets, not its findings. */
export function addAttackerIndicators(ind: AttackerIndicators, f: Finding): void {
  if (f.engine === 'exposure' || levelRank(f.level) < levelRank('medium')) return;
  const ip = findingIp(f);
  if (ip) ind.ips.add(ip);
  if (levelRank(f.level) >= levelRank('high')) {
    const a = findingAgent(f);
    if (a && !ind.agents.has(a) && !commonAgent(a)) ind.agents.add(a);
  }
}
