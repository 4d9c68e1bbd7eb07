// TakenSummary: what the attacker's IPs and user agents touched (mailboxes, address books, exports),
// as written to taken.json and shown in the report. Plain data; built by the activity collector.
import type { EvidenceRef } from '../../event.js';

export type AccessVia = 'EWS' | 'MAPI' | 'OWA' | 'RPC' | 'EAS' | 'REST' | 'OAB' | 'NSPI' | 'ECP' | 'CALENDAR';

export interface TakenAccess {
  ip: string | null;
  agent: string | null;
  /** Mailbox (SMTP address, SID~..., user name) or 'Offline Address Book' / 'Address book (NSPI)'. */
  target: string;
  kind: 'mailbox' | 'calendar' | 'address-book';
  via: AccessVia[];
  /** Operations the logs name (EWS SoapAction, MapiHttp RequestType), sorted, at most 16. */
  operations: string[];
  requests: number;
  /** Response bytes where the log records them (HttpProxy ResponseBytes, IIS sc-bytes); null when never logged. */
  bytes: number | null;
  first: string | null;
  last: string | null;
  /** The first request seen. */
  evidence: EvidenceRef;
}

export interface TakenExport {
  kind: 'mailbox-export' | 'ediscovery-search' | 'mailbox-search';
  /** The cmdlet name as logged. */
  command: string;
  mailbox: string | null;
  filePath: string | null;
  /** Up to 300 characters of the logged command for the reader. */
  detail: string;
  time: string | null;
  host: string | null;
  evidence: EvidenceRef;
}

/** A message the MessageTracking log shows leaving a mailbox the attacker reached, or forwarded by a rule. */
export interface TakenMail {
  /** Why it is listed: sent by the attacker's address, from a mailbox they touched, or by an inbox rule / pickup drop. */
  why: 'attacker-client' | 'touched-mailbox' | 'mailbox-rule' | 'pickup';
  time: string | null;
  sender: string | null;
  recipients: string[];
  subject: string | null;
  bytes: number | null;
  /** source and event-id as logged (STOREDRIVER RECEIVE, MAILBOXRULE RECEIVE, SMTP SEND ...). */
  event: string;
  /** ClientType from source-context (WebServices = EWS, OWA, MOMT = Outlook). */
  client: string | null;
  originalClientIp: string | null;
  evidence: EvidenceRef;
}

export interface ActorTotals {
  ip: string | null;
  agent: string | null;
  requests: number;
  bytes: number | null;
  first: string | null;
  last: string | null;
}

export interface TakenSummary {
  attackerIps: string[];
  attackerAgents: string[];
  actors: ActorTotals[];
  mailboxes: TakenAccess[];
  addressBooks: TakenAccess[];
  /** Every export/search command found, whoever ran it (these run server-side, not from an IP). */
  exports: TakenExport[];
  /** Mail that left: from the attacker's clients or touched mailboxes, and every inbox-rule forward or pickup drop. */
  mail: TakenMail[];
  /** Plain statements of what the logs cannot show. */
  cannotShow: string[];
  /** Events of each kind the collector looked at. */
  seen: { web: number; httpproxy: number; commands: number; ews: number; mapi: number; cmdletLog: number; messageTracking: number };
  /** Aggregates not kept because the bounds were reached (memory stays flat); 0 normally. */
  dropped: { actors: number; targets: number; exports: number; mail: number };
}
