// tar, tar.gz and tar.zst members through tar-stream, read as one stream (gunzip from node:zlib, zstd through
// fzstd, a pure-JS decoder, since Node 20 has none): members come in stored order and are read once, in passing.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { extract as tarExtract, type Header } from 'tar-stream';
import { Decompress } from 'fzstd';
import { ArchiveUnreadable, StopArchive, type Member, type MemberSource } from './member.js';

export type TarCompression = 'none' | 'gzip' | 'zstd';

function zstdStream(): Transform {
  let out: Transform;
  const d = new Decompress((chunk) => out.push(Buffer.from(chunk)));
  out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        d.push(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb) {
      try {
        d.push(new Uint8Array(0), true);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  return out;
}

function typeOf(h: Header): Member['type'] {
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
    case null:
    case undefined:
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
    case 'link':
      return 'symlink';
    default:
      return 'other';
  }
}

/** `onBytes` sees every byte of the archive file as it is read (the archive's hash, in the same pass). */
export function openTar(absPath: string, compression: TarCompression, onBytes: (chunk: Buffer) => void): MemberSource {
  let consumed = 0;
  return {
    consumed: () => consumed,
    names: () => null,
    async *members(): AsyncGenerator<Member> {
      const file = createReadStream(absPath);
      file.on('data', (c) => {
        consumed += c.length;
        onBytes(c as Buffer);
      });
      const state: { failure: Error | null } = { failure: null };
      const fail = (err: Error): void => {
        state.failure ??= err;
        ex.destroy(err);
      };
      const ex = tarExtract();
      let stream: Readable = file;
      file.on('error', fail);
      if (compression !== 'none') {
        const inflate = compression === 'gzip' ? createGunzip() : zstdStream();
        inflate.on('error', fail);
        stream = file.pipe(inflate);
      }
      stream.pipe(ex);
      try {
        for await (const entry of ex) {
          const h = entry.header;
          let done = false;
          yield {
            name: h.name,
            type: typeOf(h),
            size: h.size ?? null,
            packed: null,
            mtime: h.mtime ?? null,
            encrypted: false,
            read: (write) =>
              new Promise<void>((resolve, reject) => {
                done = true;
                let refused: Error | null = null;
                entry.on('data', (chunk: unknown) => {
                  if (refused) return; // drained without writing, so the stream reaches the next header
                  try {
                    write(chunk as Buffer);
                  } catch (err) {
                    refused = err as Error;
                    // a bomb stops the whole stream: inflating on to the next header is what it wants
                    if (refused instanceof StopArchive) fail(refused);
                  }
                });
                entry.on('end', () => (refused ? reject(refused) : resolve()));
                entry.on('error', (err: Error) => reject(refused ?? err));
                entry.on('close', () => (refused ? reject(refused) : resolve()));
              }),
          };
          if (!done) entry.resume(); // skipped: drain it so the next header comes
        }
      } catch (err) {
        if (state.failure instanceof StopArchive) throw state.failure;
        throw new ArchiveUnreadable(`tar stream ends early or is damaged (${(state.failure ?? (err as Error)).message})`);
      } finally {
        file.destroy();
      }
      if (state.failure instanceof StopArchive) throw state.failure;
      if (state.failure) throw new ArchiveUnreadable(`tar stream ends early or is damaged (${state.failure.message})`);
    },
  };
}
