// LOKI's C2 IOC lists (c2-iocs.txt: `value[;score];comment` per line, '#' comments): the IP addresses in them,
// normalised (IPv4 dotted, IPv6 lower-case) so a store can compare them to the addresses events record.
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { DiagnosticSink } from '../../diagnostics.js';
import { DEFAULT_HASH_SCORE } from './parse.js';

export interface IpIoc {
  /** The address as events write it: IPv4 dotted decimal, IPv6 lower-case. */
  ip: string;
  score: number;
  comment: string;
  source: string;
  line: number;
}

/** The IP entries of a C2 list; domains and other values are counted, not used (events hold addresses). */
export function parseIpIocs(text: string, source: string, sink: DiagnosticSink): IpIoc[] {
  const out: IpIoc[] = [];
  let other = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) return;
    const parts = s.split(';');
    const ip = parts[0]!.trim().toLowerCase();
    if (isIP(ip) === 0) {
      other++;
      return;
    }
    let score = DEFAULT_HASH_SCORE;
    let comment = parts.slice(1).join(';').trim();
    if (parts.length >= 3 && /^\s*\d+\s*$/.test(parts[1]!)) {
      score = Number(parts[1]);
      comment = parts.slice(2).join(';').trim();
    }
    out.push({ ip, score, comment, source, line: i + 1 });
  });
  if (other > 0) sink({ code: 'UNKNOWN_FORMAT', severity: 'info', message: `${other} C2 IOC entries are not IP addresses (domains): not matched against stored events`, location: { path: source } });
  return out;
}

/** The IP IOCs of the C2 lists among `paths` (LOKI's rule: 'c2' in the file name). */
export function loadIpIocs(paths: readonly string[], sink: DiagnosticSink): IpIoc[] {
  const out: IpIoc[] = [];
  for (const p of paths) {
    if (!basename(p).toLowerCase().includes('c2')) continue;
    try {
      out.push(...parseIpIocs(readFileSync(p, 'utf8'), p, sink));
    } catch (err) {
      sink({ code: 'IO_ERROR', severity: 'error', message: `cannot read IOC file: ${(err as Error).message}`, location: { path: p } });
    }
  }
  return out;
}
