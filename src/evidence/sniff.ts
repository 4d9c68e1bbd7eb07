// Content sniffing: what a file is, from its first bytes rather than its name (EVTX magic, W3C and
// Exchange `#` headers, evtx_dump-shaped JSON). Anything else is a plain 'file' for the file engines.
import type { EvidenceKind } from './evidence.js';
import { bareHeaderNames, namesExchangeColumns } from '../readers/index.js';

/** How many leading bytes sniffKind wants. */
export const SNIFF_BYTES = 8192;

const EVTX_MAGIC = Buffer.from('ElfFile\0', 'latin1');

/** The kind of a file from its first bytes (up to SNIFF_BYTES). */
export function sniffKind(head: Buffer): EvidenceKind {
  if (head.length >= 8 && head.subarray(0, 8).equals(EVTX_MAGIC)) return 'evtx';
  // A NUL means binary (or UTF-16, which none of our text logs use) unless a log header comes before it: a
  // hostile or torn value in an early row must not turn a whole Exchange or IIS log into a plain file (the
  // reader skips that line and says so).
  const nul = head.indexOf(0);
  let text = (nul === -1 ? head : head.subarray(0, nul)).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const log = text.startsWith('#') ? headerKind(text) : bareHeaderKind(text);
  if (log !== null && log !== 'file') return log;
  if (nul !== -1) return 'file';
  const start = text.search(/\S/);
  if (start < 0) return 'file';
  const body = text.slice(start);
  const looksLikeEvent = /"Event"\s*:/.test(body) && /"System"\s*:/.test(body);
  if ((body.startsWith('{') || body.startsWith('[')) && looksLikeEvent) return 'json';
  if (/^Record \d+\s*\r?\n\s*\{/.test(body) && looksLikeEvent) return 'json';
  return 'file';
}

/**
 * Exchange's CSV-compatible mode (a bare header row, then the `#` block: HttpProxy, EWS, CmdletInfra) and
 * CSV-strict mode (the header row alone: MRS logs). Null when the first line is no bare header row.
 */
function bareHeaderKind(text: string): EvidenceKind | null {
  const nl = text.indexOf('\n');
  const first = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
  const names = bareHeaderNames(first);
  if (names === null) return null;
  const rest = nl < 0 ? '' : text.slice(nl + 1);
  if (rest.startsWith('#')) {
    const kind = headerKind(rest);
    return kind === 'exchange-csv' ? kind : null;
  }
  return namesExchangeColumns(names) ? 'exchange-csv' : null;
}

/** W3C (IIS, HTTPERR) versus Exchange CSV from the leading `#` directive lines. */
function headerKind(text: string): EvidenceKind {
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    if (line.startsWith('#Software: Microsoft Internet Information Services')) return 'iis-w3c';
    if (line.startsWith('#Software: Microsoft HTTP API')) return 'iis-w3c';
    if (line.startsWith('#Software: Microsoft Exchange')) return 'exchange-csv';
    if (line.startsWith('#Log-type:')) return 'exchange-csv';
    if (line.startsWith('#Fields:')) {
      const spec = line.slice(8).trim();
      if (spec.startsWith('date time')) return 'iis-w3c';
      return spec.includes(',') ? 'exchange-csv' : 'iis-w3c';
    }
  }
  return 'file';
}
