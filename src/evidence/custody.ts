// Chain of custody: the SHA-256 of every evidence file. Archive members were hashed while they were inflated;
// plain files are hashed here, streamed, while the worker threads read the logs (one more read, from the page cache).
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import type { DiagnosticSink } from '../diagnostics.js';
import type { Evidence } from './evidence.js';
import type { Finding } from '../finding.js';

export interface Hashes {
  sha256: string | null;
  /** Only where the collection recorded a SHA-1 (KAPE) to check it against. */
  sha1: string | null;
}

/** The SHA-256 of each evidence path: the one computed while inflating, else a streamed read (null: unreadable). */
export async function hashEvidence(evidence: readonly Evidence[], sink: DiagnosticSink): Promise<Map<string, Hashes>> {
  const out = new Map<string, Hashes>();
  for (const ev of evidence) {
    const wantSha1 = typeof ev.recorded?.sha1 === 'string';
    if (ev.sha256 !== undefined && !wantSha1) {
      out.set(ev.path, { sha256: ev.sha256, sha1: null });
      continue;
    }
    try {
      const h = createHash('sha256');
      const h1 = wantSha1 ? createHash('sha1') : null;
      for await (const chunk of createReadStream(ev.absPath, { highWaterMark: 1 << 20 })) {
        h.update(chunk as Buffer);
        h1?.update(chunk as Buffer);
      }
      out.set(ev.path, { sha256: h.digest('hex'), sha1: h1?.digest('hex') ?? null });
    } catch (err) {
      sink({ code: 'NOT_READABLE', severity: 'warning', message: `cannot hash for the chain of custody: ${(err as Error).message}`, location: { path: ev.path } });
      out.set(ev.path, { sha256: null, sha1: null });
    }
  }
  return out;
}

/** A file whose bytes differ from the hash its collection recorded: the collection's integrity is in doubt. */
export function integrityFindings(evidence: readonly Evidence[], hashes: Map<string, Hashes>): Finding[] {
  const out: Finding[] = [];
  for (const ev of evidence) {
    const r = ev.recorded;
    const h = hashes.get(ev.path);
    if (!r || !h) continue;
    const bad =
      r.sha256 !== null && h.sha256 !== null && r.sha256 !== h.sha256
        ? { algorithm: 'SHA-256', recorded: r.sha256, actual: h.sha256 }
        : r.sha1 !== null && h.sha1 !== null && r.sha1 !== h.sha1
          ? { algorithm: 'SHA-1', recorded: r.sha1, actual: h.sha1 }
          : null;
    if (!bad) continue;
    out.push({
      engine: 'file',
      time: r.modified,
      level: 'medium',
      rule: { id: 'exhunt-collection-hash-mismatch', title: 'File differs from the hash its collection recorded', author: 'exhunt project', source: 'builtin:evidence/custody', tags: [] },
      cves: [],
      attack: [],
      host: null,
      evidence: { path: ev.path, kind: 'file' },
      fields: { algorithm: bad.algorithm, recordedHash: bad.recorded, actualHash: bad.actual, recordedBy: r.source, size: ev.size },
      message: `the ${bad.algorithm} the collection recorded (${r.source}) is not that of the bytes read: the copy was altered or damaged after collection`,
    });
  }
  return out;
}
