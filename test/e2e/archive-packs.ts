// Builds test archives of a folder in the shapes responders receive: Velociraptor offline-collector zip (plain,
// AES password, secured double zip), KAPE zip, tar.gz; with @zip.js/zip.js and tar-stream, as the readers use.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipWriter, type ZipWriterAddDataOptions } from '@zip.js/zip.js';

export interface PackEntry {
  name: string;
  data: Uint8Array;
  options?: ZipWriterAddDataOptions;
}

/** Every file under `dir`, with its '/'-separated relative path, in sorted order. */
export function filesOf(dir: string, rel = ''): { rel: string; abs: string }[] {
  const out: { rel: string; abs: string }[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(join(dir, r)).isDirectory()) out.push(...filesOf(dir, r));
    else out.push({ rel: r, abs: join(dir, r) });
  }
  return out;
}

export interface ZipOptions {
  password?: string;
  zipCrypto?: boolean;
}

export async function zipOf(entries: PackEntry[], opts: ZipOptions = {}): Promise<Uint8Array> {
  const w = new ZipWriter(new Uint8ArrayWriter(), {
    useWebWorkers: false,
    ...(opts.password !== undefined ? { password: opts.password, encryptionStrength: 3 as const } : {}),
    ...(opts.zipCrypto ? { zipCrypto: true } : {}),
  });
  for (const e of entries) await w.add(e.name, new Uint8ArrayReader(e.data), e.options ?? {});
  return w.close();
}

/** Velociraptor's ZIP escaping of one path component (research/formats.md §6.1). */
export function veloEscape(component: string): string {
  let s = component.replace(/[%/\\:*?<>|]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  if (/^[. ]/.test(s)) s = '%' + s.charCodeAt(0).toString(16).toUpperCase() + s.slice(1);
  return s;
}

/** A KAPE collection folder ('C/...') as Velociraptor's offline collector lays it out. */
export function velociraptorEntries(dir: string, host = 'EXCH01'): PackEntry[] {
  const enc = (s: string): Uint8Array => Buffer.from(s);
  const files = filesOf(dir).filter((f) => f.rel.startsWith('C/'));
  const entries: PackEntry[] = [
    { name: 'client_info.json', data: enc(JSON.stringify({ Hostname: host, Fqdn: `${host}.corp.local`, OS: 'windows' })) },
    { name: 'collection_context.json', data: enc('{"session_id":"F.TEST"}') },
    { name: 'uploads.json', data: enc(files.map((f) => JSON.stringify({ Components: ['auto', 'C:', ...f.rel.split('/').slice(1)] })).join('\n')) },
    { name: 'uploads.json.index', data: new Uint8Array(8) },
    { name: 'log.json', data: enc('{"message":"collection done"}\n') },
    { name: 'results/Windows.KapeFiles.Targets%2FUploads.json', data: enc('{"SourceFile":"C:\\\\x"}\n') },
  ];
  for (const f of files) {
    const parts = ['C:', ...f.rel.split('/').slice(1)];
    entries.push({ name: `uploads/auto/${parts.map(veloEscape).join('/')}`, data: readFileSync(f.abs) });
  }
  return entries;
}

/** The same folder as KAPE's --zip output: drive folders plus the copy log. */
export function kapeEntries(dir: string): PackEntry[] {
  const files = filesOf(dir);
  const log = ['CopiedTimestamp,SourceFile,DestinationFile,FileSize,SourceFileSha1,DeferredCopy,CreatedOnUtc,ModifiedOnUtc,LastAccessedOnUtc,CopyDuration'];
  return [
    ...files.map((f) => ({ name: f.rel, data: readFileSync(f.abs) })),
    { name: '2021-03-10T10_00_00_0000000_CopyLog.csv', data: Buffer.from(log.join('\r\n') + '\r\n') },
  ];
}

/** Velociraptor's secured collection: data.zip (AES with `password`) and metadata.json in a plain outer zip. */
export async function securedZip(entries: PackEntry[], password: string): Promise<Uint8Array> {
  const data = await zipOf(entries, { password });
  const meta = Buffer.from(JSON.stringify([{ hostname: 'EXCH01', device: 'C:', fingerprint_hex: '00', b64_enc_secret: '' }]));
  return zipOf([
    { name: 'data.zip', data },
    { name: 'metadata.json', data: meta },
  ]);
}

export async function tarGzOf(entries: PackEntry[], out: string): Promise<void> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  const gz = createGzip();
  gz.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => gz.on('end', r));
  p.pipe(gz);
  for (const e of entries) {
    await new Promise<void>((res, rej) => p.entry({ name: e.name, size: e.data.length }, Buffer.from(e.data), (err) => (err ? rej(err) : res())));
  }
  p.finalize();
  await done;
  writeFileSync(out, Buffer.concat(chunks));
}
