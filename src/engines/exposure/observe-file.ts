// Build and mitigation sightings in collected files: ExSetup.exe's version resource, exported registry (.reg) text,
// inetpub/wwwroot/web.config rewrite rules and applicationHost.config Extended Protection. Read-only; bad content is a Diagnostic.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import type { MitigationSighting } from '../../summary.js';
import { parseBuild, tryParseBuild } from './build.js';
import { defaultCatalogue, type Catalogue, type ProductId } from './catalogue.js';
import type { BuildObservation } from './observe-event.js';
import { readPeVersion } from './pe-version.js';
import { decodeText, RegExportParser, type RegistryFacts } from './registry.js';
import { findRewriteMitigations } from './web-config.js';
import { readExtendedProtection } from './extended-protection.js';

export interface FileObservations {
  builds: BuildObservation[];
  mitigations: MitigationSighting[];
}

const MAX_PE = 64 * 1024 * 1024; // ExSetup.exe is a few MB at most
const MAX_TEXT = 32 * 1024 * 1024;

type FileRole = 'exsetup' | 'web-config' | 'reg' | 'applicationhost';


export function fileRole(path: string): FileRole | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('/exsetup.exe') || lower === 'exsetup.exe') return 'exsetup';
  if (lower.endsWith('wwwroot/web.config')) return 'web-config';
  if (lower.endsWith('.reg')) return 'reg';
  if (lower.endsWith('inetsrv/config/applicationhost.config')) return 'applicationhost';
  return null;
}

async function readBounded(ev: Evidence, max: number, sink: DiagnosticSink | undefined): Promise<Buffer | null> {
  if (ev.size > max) {
    sink?.({ code: 'FILE_TOO_LARGE', severity: 'warning', message: `larger than ${max} bytes; not read for the Exchange build`, location: { path: ev.path } });
    return null;
  }
  try {
    return await readFile(ev.absPath, { flag: 'r' });
  } catch (e) {
    sink?.({ code: 'IO_ERROR', severity: 'warning', message: `cannot read: ${(e as Error).message}`, location: { path: ev.path } });
    return null;
  }
}

/** What one evidence file says about the build and mitigations; files of other roles return nothing at once. */
export async function observeFile(ev: Evidence, sink?: DiagnosticSink, cat: Catalogue = defaultCatalogue()): Promise<FileObservations> {
  const out: FileObservations = { builds: [], mitigations: [] };
  const role = fileRole(ev.path);
  if (!role) return out;
  const ref = { path: ev.path, kind: 'file' };
  if (role === 'exsetup') {
    const bytes = await readBounded(ev, MAX_PE, sink);
    if (!bytes) return out;
    const v = readPeVersion(bytes);
    const text = v?.fixed ?? v?.fileVersion ?? null;
    const b = tryParseBuild(text);
    if (!v || !b || b.major !== 15) {
      sink?.({ code: 'EXPOSURE_BAD_BUILD', severity: 'warning', message: v ? `ExSetup.exe version resource holds no Exchange build (${text ?? 'empty'})` : 'ExSetup.exe is not a PE file with a version resource', location: { path: ev.path } });
      return out;
    }
    // The file version is the build at collection time; the mtime is not reliably the install time.
    out.builds.push({ build: b, text: v.fileVersion ?? text!, time: null, source: 'ExSetup.exe version resource', ref, host: null });
    return out;
  }
  if (role === 'web-config') {
    const bytes = await readBounded(ev, MAX_TEXT, sink);
    if (!bytes) return out;
    const text = decodeText(bytes);
    for (const m of findRewriteMitigations(text)) {
      out.mitigations.push({
        name: m.name,
        path: ev.path,
        first: ev.mtime,
        detail: `${m.detail}${m.rules.length ? `; rules: ${m.rules.map((r) => `"${r}"`).join(', ')}` : ''}; dated by the file's modification time`,
        cves: m.cves,
      });
    }
    return out;
  }
  if (role === 'applicationhost') {
    const bytes = await readBounded(ev, MAX_TEXT, sink);
    const ep = bytes ? readExtendedProtection(decodeText(bytes)) : null;
    if (ep && ep.enabled > 0) {
      const off = Object.entries(ep.locations).filter(([, v]) => !/^(require|allow)$/i.test(v)).map(([k]) => k);
      out.mitigations.push({
        name: 'Extended Protection',
        path: ev.path,
        first: ev.mtime,
        detail: `tokenChecking Require/Allow on ${ep.enabled} of ${ep.total} Exchange IIS locations${off.length ? ` (not on ${off.join(', ')})` : ''}; dated by the file's modification time`,
        cves: cat.file.configuration['extended-protection']?.cves ?? ['CVE-2024-21410'],
      });
    }
    return out;
  }
  const facts = await streamRegExport(ev, sink);
  if (!facts) return out;
  if (facts.setupBuild) {
    const b = tryParseBuild(facts.setupBuild.text);
    if (b && b.major === 15) out.builds.push({ build: b, text: facts.setupBuild.text, time: null, source: 'registry (Setup MSI version)', ref: { ...ref, line: facts.setupBuild.line }, host: null });
  }
  for (const u of facts.updates) {
    const row = updateBuild(cat, u.product, u.cu, u.kb);
    if (!row) continue;
    out.builds.push({ build: parseBuild(row), text: `${u.packageName}`, time: u.installed, source: 'registry (installed update)', ref: { ...ref, line: u.line }, host: null });
  }
  return out;
}

/** A .reg export may be a whole hive's worth of text: decode (UTF-16 with BOM, else UTF-8) and parse as it streams. */
async function streamRegExport(ev: Evidence, sink: DiagnosticSink | undefined): Promise<RegistryFacts | null> {
  const parser = new RegExportParser();
  let decoder: TextDecoder | null = null;
  let rest = '';
  try {
    for await (const chunk of createReadStream(ev.absPath, { flags: 'r', highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      let bytes: Uint8Array = chunk;
      if (!decoder) {
        const utf16 = bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe;
        decoder = new TextDecoder(utf16 ? 'utf-16le' : 'utf-8');
        if (utf16) bytes = bytes.subarray(2);
      }
      const lines = (rest + decoder.decode(bytes, { stream: true })).split('\n');
      rest = lines.pop()!;
      for (const l of lines) parser.line(l);
    }
  } catch (e) {
    sink?.({ code: 'IO_ERROR', severity: 'warning', message: `cannot read: ${(e as Error).message}`, location: { path: ev.path } });
    return null;
  }
  parser.line(rest.charCodeAt(0) === 0xfeff ? rest.slice(1) : rest);
  return parser.end();
}

/** The catalogue build an installed KB leaves on a CU ("Exchange Server 2016 Cumulative Update 19 (KB5000871)"). */
function updateBuild(cat: Catalogue, product: string | null, cu: string | null, kb: string): string | null {
  if (!product || !cu) return null;
  const list = cat.builds.get(product as ProductId) ?? [];
  const hit = list.find((ib) => ib.row.cu === cu && (ib.row.kb === kb || (ib.row.su !== null && cat.file.securityUpdates[ib.row.su]?.kb === kb)));
  return hit ? hit.row.build : null;
}
