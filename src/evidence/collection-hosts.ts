// Which collection each evidence file belongs to (a Velociraptor root, a KAPE destination, an archive, a scanned
// folder) and each collection's host (host.ts), so that findings naming no host of their own get their collection's.
import { readdirSync, type Dirent } from 'node:fs';
import { basename, join } from 'node:path';
import { discover } from './discover.js';
import { ArchiveSession } from './archive/index.js';
import type { Evidence } from './evidence.js';
import { ACCESSORS, isVelociraptorRoot } from './layout.js';
import { CollectionRecords } from './records.js';
import { HostVotes, shortName, kapeFolderHost, sampleLogHosts, velociraptorArchiveHost, type CollectionHost, type SampleOptions } from './host.js';

export type CollectionLayout = 'velociraptor' | 'kape' | 'archive' | 'folder';

export interface CollectionPlace {
  /** The collection's folder as cited ('' or ending in '/'; an archive's is '<archive>!/'). */
  prefix: string;
  layout: CollectionLayout;
}

// The folders a Windows volume's root holds, to tell KAPE's drive folder ('C/Windows/…') from a folder named 'a'.
const VOLUME_TOP = /^(windows|program files|program files \(x86\)|programdata|inetpub|users|documents and settings|perflogs|recovery|system volume information|exchange.*|exchsrvr|temp|\$.+)$/i;

/**
 * What makes a folder a collection of its own: Velociraptor's uploads/ beside its metadata files, or KAPE's
 * destination (a *_CopyLog.csv, or a drive folder holding a volume's usual folders: 'C/Windows'). Null: neither.
 */
export function collectionFolderLayout(dir: string): 'velociraptor' | 'kape' | null {
  let names: Dirent[];
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  if (isVelociraptorRoot(new Set(names.map((n) => n.name)))) return 'velociraptor';
  if (names.some((n) => n.isFile() && /_copylog\.csv$/i.test(n.name))) return 'kape';
  for (const n of names) {
    if (!n.isDirectory() || !isDriveFolder(n.name)) continue;
    try {
      if (readdirSync(join(dir, n.name)).some((c) => VOLUME_TOP.test(c))) return 'kape';
    } catch {
      // an unreadable drive folder says nothing
    }
  }
  return null;
}

/** A KAPE drive folder: 'C' or, for shadow copies, 'VSS3' (research/formats.md §6.2). */
function isDriveFolder(name: string): boolean {
  return /^[A-Za-z]$/.test(name) || /^vss\d+$/i.test(name);
}

/**
 * The collection a cited path lies in: the first Velociraptor uploads/<accessor>/ or KAPE drive folder from the
 * left, else the outermost archive, else the scanned root. A zip staged on the host ('C/ProgramData/x.zip!/…')
 * stays in the collection that holds it.
 */
export function collectionPlace(path: string, copyLogPrefixes: ReadonlySet<string> = new Set()): CollectionPlace {
  const parts = path.split('/');
  let archive = -1;
  for (let i = 0; i < parts.length - 1; i++) {
    const prefix = parts.slice(0, i).map((p) => p + '/').join('');
    if (parts[i] === 'uploads' && i + 2 < parts.length && ACCESSORS.has(parts[i + 1]!)) return { prefix, layout: 'velociraptor' };
    if (isDriveFolder(parts[i]!) && (VOLUME_TOP.test(parts[i + 1]!) || copyLogPrefixes.has(prefix))) return { prefix, layout: 'kape' };
    if (archive < 0 && parts[i]!.endsWith('!')) archive = i + 1;
  }
  return archive < 0 ? { prefix: '', layout: 'folder' } : { prefix: parts.slice(0, archive).map((p) => p + '/').join(''), layout: 'archive' };
}

export interface HostedCollection extends CollectionPlace {
  /** The scanned root it was found under (absolute). */
  root: string;
  /** How reports name it: its cited folder or archive, else the scanned folder's name. */
  label: string;
  files: number;
  host: CollectionHost | null;
}

/** Every collection of a scan with its host, and the host of each evidence path. */
export class CollectionHosts {
  constructor(
    readonly collections: readonly HostedCollection[],
    private readonly byPath: ReadonlyMap<string, string | null>,
  ) {}

  /** The host of the collection an evidence path (as findings cite it) belongs to, or null. */
  hostOf(path: string): string | null {
    return this.byPath.get(path) ?? null;
  }

  /**
   * The host a finding names: its collection's where its event names none or the same machine otherwise spelt
   * (IIS s-computername 'EXCH01', EVTX 'EXCH01.corp.example.com'), so one server is one host in the story and
   * per-host views; another machine its event names (a forwarded event) stays.
   */
  hostFor(path: string, named: string | null): string | null {
    return chooseHost(this.hostOf(path), named);
  }

  /** Evidence path → host, for the paths that have one: what worker threads need to apply chooseHost (cloneable). */
  pathHosts(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [p, h] of this.byPath) if (h !== null) out[p] = h;
    return out;
  }

  /** The distinct hosts found, in order of first collection. */
  get names(): string[] {
    return [...new Set(this.collections.map((c) => c.host?.name).filter((n): n is string => typeof n === 'string'))];
  }
}

/**
 * The host a finding names, given its collection's host and the one its event names: the collection's where the
 * event names none or the same machine otherwise spelt; another machine the event names stays.
 */
export function chooseHost(collection: string | null, named: string | null): string | null {
  if (named === null || named === '') return collection;
  return collection !== null && shortName(named) === shortName(collection) ? collection : named;
}

/** The folder's or archive's own name, as a host source: KAPE's %m folder or Velociraptor's 'Collection-<host>-…'. */
function ownName(c: CollectionPlace, root: string): string {
  const parts = c.prefix.split('/').filter(Boolean);
  return (parts.length > 0 ? parts[parts.length - 1]! : basename(root)).replace(/!$/, '');
}

/**
 * Groups the evidence into collections and finds each one's host: client_info.json, the KAPE folder, then the
 * logs' own names for their machine (sampled: the first records of the first logs), then the archive's name.
 */
export async function collectionHosts(evidence: readonly Evidence[], records?: CollectionRecords, opts: SampleOptions = {}): Promise<CollectionHosts> {
  const groups = new Map<string, { place: CollectionPlace; root: string; evidence: Evidence[] }>();
  const copyLogs = records?.copyLogPrefixes ?? new Set<string>();
  for (const ev of evidence) {
    const place = collectionPlace(ev.path, copyLogs);
    const key = `${ev.root}\u0000${place.prefix}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { place, root: ev.root, evidence: [] }));
    g.evidence.push(ev);
  }
  const collections: HostedCollection[] = [];
  const byPath = new Map<string, string | null>();
  for (const g of groups.values()) {
    const votes = new HostVotes();
    for (const ci of records?.clientInfos ?? []) if (ci.prefix === g.place.prefix) votes.add(ci.host, 'velociraptor-client-info', ci.citedAs);
    const own = ownName(g.place, g.root);
    if (g.place.layout === 'kape') votes.add(kapeFolderHost(own), 'kape-folder', g.place.prefix || basename(g.root));
    votes.add(velociraptorArchiveHost(own), 'collection-name', g.place.prefix || basename(g.root));
    await sampleLogHosts(g.evidence, votes, opts);
    const host = votes.resolve();
    collections.push({ ...g.place, root: g.root, label: g.place.prefix.replace(/!?\/$/, '') || basename(g.root), files: g.evidence.length, host });
    for (const ev of g.evidence) if (!byPath.has(ev.path)) byPath.set(ev.path, host?.name ?? null);
  }
  // An archive given as the collection is evidence itself, cited outside its own members: it is its members' host's.
  for (const c of collections) {
    const archive = c.layout !== 'folder' && c.prefix.endsWith('!/') ? c.prefix.slice(0, -2) : null;
    if (archive !== null && c.host && byPath.has(archive) && byPath.get(archive) === null) byPath.set(archive, c.host.name);
  }
  return new CollectionHosts(collections, byPath);
}

/**
 * The host of one collection given as paths (a folder, an archive), before scanning it, e.g. for `exhunt ingest`:
 * the host of the collection holding the most files. Archives are inflated into a temp folder removed here.
 */
export async function hostOfInputs(inputs: string[], opts: { password?: string | null } = {}): Promise<CollectionHost | null> {
  const archives = new ArchiveSession({ password: opts.password ?? null });
  const records = new CollectionRecords();
  const quiet = (): void => {};
  try {
    const evidence: Evidence[] = [];
    for await (const ev of discover(inputs, quiet, { archives, records })) evidence.push(ev);
    const found = (await collectionHosts(evidence, records)).collections.filter((c) => c.host !== null);
    return found.sort((a, b) => b.files - a.files)[0]?.host ?? null;
  } finally {
    archives.dispose();
  }
}
