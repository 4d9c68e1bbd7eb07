// Chain of custody: the SHA-256 of every evidence file. Archive members were hashed while they were inflated;
// plain files are hashed here, streamed, while the worker threads read the logs (one more read, from the page cache).
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import type { DiagnosticSink } from '../diagnostics.js';
import type { Evidence } from './evidence.js';

/** The SHA-256 of each evidence path: the one computed while inflating, else a streamed read (null: unreadable). */
export async function hashEvidence(evidence: readonly Evidence[], sink: DiagnosticSink): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const ev of evidence) {
    if (ev.sha256 !== undefined) {
      out.set(ev.path, ev.sha256);
      continue;
    }
    try {
      const h = createHash('sha256');
      for await (const chunk of createReadStream(ev.absPath, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
      out.set(ev.path, h.digest('hex'));
    } catch (err) {
      sink({ code: 'NOT_READABLE', severity: 'warning', message: `cannot hash for the chain of custody: ${(err as Error).message}`, location: { path: ev.path } });
      out.set(ev.path, null);
    }
  }
  return out;
}
