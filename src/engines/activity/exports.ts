// Mailbox exports and searches, from every log that records a cmdlet: the MSExchange Management event log,
// PowerShell and process-creation events, ECP server logs, CmdletInfra Rps_Cmdlet, the unified-audit queue, MRS.
import type { ExchangeEvent, HuntEvent, WinEvent } from '../../event.js';
import { cmpStr } from './finding-fields.js';
import type { TakenExport } from './taken.js';

const EXPORT_CMDLETS: { re: RegExp; kind: TakenExport['kind'] }[] = [
  { re: /New-MailboxExportRequest/i, kind: 'mailbox-export' },
  { re: /New-ComplianceSearch(?:Action)?|Start-ComplianceSearch/i, kind: 'ediscovery-search' },
  { re: /New-MailboxSearch|Search-Mailbox/i, kind: 'mailbox-search' },
];
export const ANY_EXPORT = /New-MailboxExportRequest|New-ComplianceSearch|Start-ComplianceSearch|New-MailboxSearch|Search-Mailbox/i;

/** Windows events whose text may carry an export command (cmdlet log, PowerShell, process creation). */
export function commandEventText(e: WinEvent): string | null {
  const ch = (e.channel ?? '').toLowerCase();
  const id = e.eventId;
  const relevant =
    ch === 'msexchange management' ||
    (ch === 'security' && id === 4688) ||
    (ch === 'microsoft-windows-sysmon/operational' && id === 1) ||
    (ch === 'microsoft-windows-powershell/operational' && (id === 4104 || id === 4103)) ||
    (ch === 'windows powershell' && id === 800);
  if (!relevant) return null;
  const event = (e.data as { Event?: { EventData?: unknown; UserData?: unknown } }).Event;
  const parts: string[] = [];
  let size = 0;
  const walk = (v: unknown, depth: number): void => {
    if (size > 65_536 || depth > 6 || v === null || v === undefined) return;
    if (typeof v === 'string' || typeof v === 'number') {
      const s = String(v);
      parts.push(s);
      size += s.length + 3;
    } else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (typeof v === 'object') for (const x of Object.values(v as Record<string, unknown>)) walk(x, depth + 1);
  };
  walk(event?.EventData ?? event?.UserData ?? e.data, 0);
  return parts.join(' | ');
}

/**
 * The command text of an Exchange log row that records a cmdlet, or null: Rps_Cmdlet `Cmdlet` + `Parameters`
 * (double-quoted on disk, research exchange-logs.md §1.2), the audit queue's `Data.Operation` + `Data.Parameters.*`,
 * and ECP server rows (any column). MRS request rows are turned into the export they record.
 */
export function commandRowText(e: ExchangeEvent): string | null {
  const f = e.fields;
  switch (e.log) {
    case 'rps-cmdlet':
      return f['Cmdlet'] ? `${f['Cmdlet']} ${f['Parameters'] ?? ''}` : null;
    case 'unified-audit': {
      const op = f['Data.Operation'] ?? f['Operation'];
      if (!op) return null;
      const params = Object.keys(f)
        .filter((k) => k.startsWith('Data.Parameters.'))
        .map((k) => `-${k.slice(16)} "${f[k]}"`);
      return `${op} ${params.join(' ')}`;
    }
    case 'mrs':
      return /export/i.test(f['RequestType'] ?? '') ? `New-MailboxExportRequest -FilePath "${f['FilePath'] ?? ''}" -Mailbox "${f['SourceMailbox'] ?? f['Mailbox'] ?? ''}"` : null;
    default:
      return e.log.startsWith('ecp') ? Object.values(f).join(' ') : null;
  }
}

// A cmdlet parameter's value: 'quoted with spaces', "double quoted", or a bare word.
function param(text: string, names: string): string | null {
  const m = new RegExp(`-(?:${names})\\s+(?:'((?:[^']|'')*)'|"((?:[^"]|"")*)"|([^\\s;,|]+))`, 'i').exec(text);
  if (!m) return null;
  return (m[1]?.replace(/''/g, "'") ?? m[2]?.replace(/""/g, '"') ?? m[3] ?? '').trim() || null;
}

function parseExport(text: string, cmd: string): Pick<TakenExport, 'mailbox' | 'filePath' | 'detail'> {
  const at = Math.max(0, text.search(new RegExp(cmd, 'i')));
  const tail = text.slice(at, at + 4000);
  return { mailbox: param(tail, 'Mailbox|Identity|ExchangeLocation|SourceMailboxes'), filePath: param(tail, 'FilePath'), detail: tail.slice(0, 300) };
}

/** Seconds within which the same export seen in two logs (event log and Rps_Cmdlet, say) is one export. */
const SAME_EXPORT_MS = 120_000;

/** The exports found, bounded; one export recorded by several logs is kept once (its first record). */
export class ExportLog {
  private readonly list: TakenExport[] = [];
  dropped = 0;
  constructor(private readonly max: number) {}

  observe(text: string, e: HuntEvent): void {
    if (!ANY_EXPORT.test(text)) return;
    for (const { re, kind } of EXPORT_CMDLETS) {
      const m = re.exec(text);
      if (!m) continue;
      this.add({ kind, command: m[0], ...parseExport(text, m[0]), time: e.time, host: e.host, evidence: e.ref });
      return;
    }
  }

  /** Keeps `x` unless another log already recorded the same export, or the bound is reached. */
  add(x: TakenExport): void {
    if (this.list.some((y) => sameExport(x, y))) return;
    if (this.list.length >= this.max) {
      this.dropped++;
      return;
    }
    this.list.push(x);
  }

  /** In the order kept (for a worker's part: merged in scan order, the result equals one log's). */
  entries(): TakenExport[] {
    return [...this.list];
  }

  sorted(): TakenExport[] {
    return [...this.list].sort((x, y) => cmpStr(x.time ?? '', y.time ?? '') || cmpStr(x.evidence.path, y.evidence.path));
  }
}

function sameExport(a: TakenExport, b: TakenExport): boolean {
  if (a.kind !== b.kind || a.evidence.path === b.evidence.path) return false;
  const norm = (s: string | null): string => (s ?? '').toLowerCase().replace(/\\\\/g, '\\');
  if (norm(a.mailbox) !== norm(b.mailbox) || norm(a.filePath) !== norm(b.filePath)) return false;
  if (a.time === null || b.time === null) return a.time === b.time;
  return Math.abs(Date.parse(a.time) - Date.parse(b.time)) <= SAME_EXPORT_MS;
}
