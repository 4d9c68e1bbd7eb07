// Mail that left, from MessageTracking (research exchange-logs.md §4): submissions with an original client IP, inbox-rule
// forwards and pickup drops are kept as candidates (bounded), and the attacker's share is chosen once the attackers are known.
import type { ExchangeEvent } from '../../event.js';
import { cmpStr } from './finding-fields.js';
import type { TakenMail } from './taken.js';

export interface MailCandidate extends Omit<TakenMail, 'why'> {
  source: string;
}

const num = (s: string | undefined): number | null => {
  if (s === undefined || s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : null;
};

/** MessageTracking rows that can say mail left a mailbox, kept until the attackers are known. */
export class MailLog {
  private readonly rows: MailCandidate[] = [];
  dropped = 0;
  constructor(private readonly max: number) {}

  observe(e: ExchangeEvent): void {
    const f = e.fields;
    const source = (f['source'] ?? '').toUpperCase();
    const event = (f['event-id'] ?? '').toUpperCase();
    // One row per message leaving a mailbox: the store driver's RECEIVE (it carries the original client IP),
    // an inbox rule's RECEIVE, a pickup-folder drop; SEND/DELIVER rows repeat the same message.
    const keep = (source === 'STOREDRIVER' && event === 'RECEIVE') || source === 'MAILBOXRULE' || source === 'PICKUP';
    if (!keep) return;
    if (this.rows.length >= this.max) {
      this.dropped++;
      return;
    }
    const ctx = f['source-context'] ?? '';
    const client = /ClientType:([A-Za-z]+)/.exec(ctx)?.[1] ?? null;
    this.rows.push({
      source,
      time: e.time,
      sender: f['sender-address'] ? f['sender-address'].toLowerCase() : null,
      recipients: (f['recipient-address'] ?? '').split(';').filter((r) => r !== '').slice(0, 50),
      subject: f['message-subject'] ?? null,
      bytes: num(f['total-bytes']),
      event: `${source} ${event}`.trim(),
      client,
      originalClientIp: f['original-client-ip'] || f['S:ProxiedClientIPAddress'] || null,
      evidence: e.ref,
    });
  }

  /** The candidates kept, in the order read (a worker's part). */
  candidates(): MailCandidate[] {
    return [...this.rows];
  }

  /** Folds in another log's candidates; merged in scan order, the result equals one log's. */
  merge(rows: readonly MailCandidate[], dropped: number): void {
    for (const r of rows) {
      if (this.rows.length >= this.max) this.dropped++;
      else this.rows.push(r);
    }
    this.dropped += dropped;
  }

  /**
   * The mail worth a responder's look, by time: from the attacker's clients, from mailboxes they touched (from the
   * first time they did: `touched` maps a mailbox to that time), and every inbox-rule forward and pickup drop.
   */
  finish(attackerIps: ReadonlySet<string>, touched: ReadonlyMap<string, string | null>): TakenMail[] {
    const out: TakenMail[] = [];
    for (const { source, ...r } of this.rows) {
      let why: TakenMail['why'] | null = null;
      if (r.originalClientIp !== null && attackerIps.has(r.originalClientIp)) why = 'attacker-client';
      else if (source === 'MAILBOXRULE') why = 'mailbox-rule';
      else if (source === 'PICKUP') why = 'pickup';
      else if (r.sender !== null && touched.has(r.sender) && (r.time ?? '') >= (touched.get(r.sender) ?? '')) why = 'touched-mailbox';
      if (why !== null) out.push({ why, ...r });
    }
    return out.sort((a, b) => cmpStr(a.time ?? '', b.time ?? '') || cmpStr(a.evidence.path, b.evidence.path));
  }
}
