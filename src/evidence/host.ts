// The host a collection was taken from, and which source named it: Velociraptor's client_info.json, KAPE's %m
// folder, the event logs' Computer (most seen), the log fields naming the server, or the collection's file name.
import { open } from 'node:fs/promises';
import type { Evidence } from './evidence.js';
import type { HuntEvent } from '../event.js';
import { readerFor } from '../readers/index.js';
import { parseEvtx, toWinEvent } from '../readers/evtx/index.js';

/** Where a host name came from, most trusted first (HOST_TRUST). */
export type HostSource = 'velociraptor-client-info' | 'kape-folder' | 'event-log-computer' | 'log-field' | 'collection-name';

export const HOST_TRUST: readonly HostSource[] = ['velociraptor-client-info', 'kape-folder', 'event-log-computer', 'log-field', 'collection-name'];

export interface HostCandidate {
  name: string;
  source: HostSource;
  /** The evidence that named it (cited path: client_info.json, the folder, the first log naming it). */
  evidence: string;
  /** How often it was seen (records naming it, for the logs; 1 for the others). */
  count: number;
}

export interface CollectionHost {
  /** The host's name, in its fullest form any source gave (an FQDN where one agrees with the trusted short name). */
  name: string;
  /** The most trusted source that named it. */
  source: HostSource;
  evidence: string;
  /** The other names seen (other hosts in the logs, a folder name the logs contradict), for a reader to judge. */
  others: HostCandidate[];
}

/** 'EXCH01.corp.example.com' → 'exch01': how names from different sources are compared. */
export function shortName(name: string): string {
  return name.trim().split('.')[0]!.toLowerCase();
}

/** A name a source could plausibly give a Windows machine (DNS labels; not an IP address, not a path). */
export function plausibleHostName(name: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*$/.test(name) && !/^\d+(\.\d+){3}$/.test(name) && !/^\d+$/.test(name);
}

/** Velociraptor's client_info.json: its Fqdn where it extends the Hostname, else the Hostname (null: neither). */
export function clientInfoHost(text: string): string | null {
  let info: unknown;
  try {
    info = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
  if (Array.isArray(info)) info = info[0]; // some releases write the row inside an array
  if (typeof info !== 'object' || info === null) return null;
  const o = info as Record<string, unknown>;
  const host = typeof o['Hostname'] === 'string' ? o['Hostname'].trim() : '';
  const fqdn = typeof o['Fqdn'] === 'string' ? o['Fqdn'].trim() : '';
  if (host && fqdn && shortName(fqdn) === host.toLowerCase() && plausibleHostName(fqdn)) return fqdn;
  if (host && plausibleHostName(host)) return host;
  return fqdn && plausibleHostName(fqdn) ? fqdn : null;
}

/**
 * KAPE's %m (the machine name) as a destination folder: a NetBIOS name (at most 15 characters, no dots, not only
 * digits). A case label such as 'exchange-2021' passes too, so the logs must not contradict it (see HostVotes).
 */
export function kapeFolderHost(folder: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,14}$/.test(folder) && !/^\d+$/.test(folder) ? folder : null;
}

/** 'Collection-EXCH01.corp.local-2021-03-10T10_00_00Z.zip' → 'EXCH01.corp.local' (Velociraptor's default name; unpacked too). */
export function velociraptorArchiveHost(file: string): string | null {
  const m = /^Collection-(.+?)-\d{4}-\d{2}-\d{2}T[\d_:.]+Z?(?:\.zip)?$/i.exec(file);
  return m && plausibleHostName(m[1]!) ? m[1]! : null;
}

/** The names a collection's sources give, weighed by trust and count into one host. */
export class HostVotes {
  private readonly seen = new Map<string, HostCandidate>();

  add(name: string | null | undefined, source: HostSource, evidence: string, count = 1): void {
    const n = name?.trim();
    if (!n || !plausibleHostName(n)) return;
    const key = `${source}\u0000${n.toLowerCase()}`;
    const c = this.seen.get(key);
    if (c) c.count += count;
    else this.seen.set(key, { name: n, source, evidence, count });
  }

  addEvent(e: HuntEvent): void {
    if (e.host) this.add(e.host, e.source === 'evtx' || e.ref.kind === 'json' ? 'event-log-computer' : 'log-field', e.ref.path);
  }

  get candidates(): HostCandidate[] {
    return [...this.seen.values()];
  }

  /**
   * The most trusted source's most seen name. A KAPE folder counts only where no log names another machine:
   * a destination folder may be a case label (the bundled example's 'exchange-2021'), a machine's own logs are not.
   * The name is then given in the fullest form a source agreeing with it gave (client_info's Fqdn, EVTX Computer),
   * so that findings from the files and from the logs name the same host, spelt as the logs spell it.
   */
  resolve(): CollectionHost | null {
    const all = this.candidates;
    const content = all.filter((c) => c.source === 'event-log-computer' || c.source === 'log-field');
    for (const source of HOST_TRUST) {
      let mine = all.filter((c) => c.source === source);
      if (source === 'kape-folder' && content.length > 0) mine = mine.filter((c) => content.some((o) => shortName(o.name) === shortName(c.name)));
      if (mine.length === 0) continue;
      const best = mine.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))[0]!;
      const same = all.filter((c) => shortName(c.name) === shortName(best.name));
      // longest first; at equal length the logs' spelling, which the findings from their events carry
      const spelling = (c: HostCandidate): number => (c.source === 'event-log-computer' ? 0 : c.source === 'log-field' ? 1 : 2);
      const fullest = [...same].sort((a, b) => b.name.length - a.name.length || spelling(a) - spelling(b) || b.count - a.count)[0]!.name;
      return { name: fullest, source: best.source, evidence: best.evidence, others: all.filter((c) => shortName(c.name) !== shortName(best.name)) };
    }
    return null;
  }
}

export interface SampleOptions {
  /** Log files sampled, at most (default 32): a collection's host shows in its first logs. */
  maxFiles?: number;
  /** Events read from each (default 200). */
  eventsPerFile?: number;
}

const EVTX_SAMPLE_BYTES = 4096 + 2 * 65536; // the file header and the first two chunks

/**
 * Adds the hosts the logs name (EVTX and exported-event Computer, Exchange ServerHostName/server-hostname, IIS
 * s-computername) from the first records of the first log files. Damage is not reported here: the scan reads
 * the same files and reports it once.
 */
export async function sampleLogHosts(evidence: readonly Evidence[], votes: HostVotes, opts: SampleOptions = {}): Promise<void> {
  const quiet = (): void => {};
  const perFile = opts.eventsPerFile ?? 200;
  // event logs first: their Computer is the stronger source
  const logs = evidence.filter((e) => e.kind !== 'file').sort((a, b) => Number(b.kind === 'evtx' || b.kind === 'json') - Number(a.kind === 'evtx' || a.kind === 'json'));
  for (const ev of logs.slice(0, opts.maxFiles ?? 32)) {
    if (ev.kind === 'evtx') {
      let buf: Buffer;
      try {
        const fh = await open(ev.absPath, 'r');
        try {
          buf = Buffer.alloc(Math.min(ev.size, EVTX_SAMPLE_BYTES));
          const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
          buf = buf.subarray(0, bytesRead);
        } finally {
          await fh.close();
        }
      } catch {
        continue;
      }
      let n = 0;
      for (const rec of parseEvtx(buf, ev.path, quiet, { quietHeader: true })) {
        votes.addEvent(toWinEvent(rec, ev.path));
        if (++n >= perFile) break;
      }
      continue;
    }
    const reader = readerFor(ev.kind);
    if (!reader) continue;
    let n = 0;
    try {
      for await (const e of reader.read(ev, quiet)) {
        votes.addEvent(e);
        if (++n >= perFile) break;
      }
    } catch {
      // a reader that fails here fails in the scan too, which reports it
    }
  }
}
