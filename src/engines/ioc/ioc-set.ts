// IOC lists loaded for a run: which list is which (LOKI picks by the words in the file name, we also
// sniff the content), matching a file's Windows path against name IOCs and its digests against hash IOCs.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { DiagnosticSink } from '../../diagnostics.js';
import { requiredLiteral } from './literal.js';
import { parseFilenameIocs, parseHashIocs, type FilenameIoc, type HashIoc } from './parse.js';

export interface FileDigests {
  md5: string;
  sha1: string;
  sha256: string;
}

export interface IocSet {
  readonly filenameIocs: readonly FilenameIoc[];
  readonly hashIocs: ReadonlyMap<string, HashIoc>;
  /** Name IOCs whose regex is found in the path (LOKI: search, not full match) and whose FP regex is not. */
  matchPath(windowsPath: string): FilenameIoc[];
  /** Hash IOCs equal to one of the file's digests. */
  matchDigests(d: FileDigests): HashIoc[];
}

export type IocListKind = 'filename' | 'hash' | 'unsupported';

/** LOKI's rule: the file name says 'hash', 'filename' or 'c2'; otherwise the first entry decides. */
export function iocListKind(path: string, text: string): IocListKind {
  const name = basename(path).toLowerCase();
  if (name.includes('hash')) return 'hash';
  if (name.includes('filename')) return 'filename';
  if (name.includes('c2') || name.includes('keyword')) return 'unsupported';
  const first = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
  if (first === undefined) return 'filename';
  return /^([0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})(;|$)/.test(first) ? 'hash' : 'filename';
}

export function createIocSet(filenameIocs: FilenameIoc[], hashIocs: HashIoc[]): IocSet {
  const byHash = new Map<string, HashIoc>();
  for (const h of hashIocs) if (!byHash.has(h.hash)) byHash.set(h.hash, h);
  // index IOCs by the first three characters of their required literal; the rest always run
  const byTrigram = new Map<string, { ioc: FilenameIoc; literal: string }[]>();
  const alwaysRun: FilenameIoc[] = [];
  for (const ioc of filenameIocs) {
    const literal = requiredLiteral(ioc.regex);
    if (literal === null) {
      alwaysRun.push(ioc);
      continue;
    }
    const key = literal.slice(0, 3);
    const list = byTrigram.get(key) ?? [];
    list.push({ ioc, literal });
    byTrigram.set(key, list);
  }
  const hit = (ioc: FilenameIoc, path: string): boolean => ioc.pattern.test(path) && !(ioc.falsePositive?.test(path) ?? false);
  return {
    filenameIocs,
    hashIocs: byHash,
    matchPath(windowsPath) {
      const lower = windowsPath.toLowerCase();
      const out = alwaysRun.filter((ioc) => hit(ioc, windowsPath));
      const seen = new Set<string>();
      for (let i = 0; i + 3 <= lower.length; i++) {
        const key = lower.slice(i, i + 3);
        if (seen.has(key)) continue;
        seen.add(key);
        for (const c of byTrigram.get(key) ?? []) if (lower.includes(c.literal) && hit(c.ioc, windowsPath)) out.push(c.ioc);
      }
      return out.sort((a, b) => (a.source === b.source ? a.line - b.line : a.source < b.source ? -1 : 1));
    },
    matchDigests(d) {
      const out: HashIoc[] = [];
      for (const h of [d.md5, d.sha1, d.sha256]) {
        const hit = byHash.get(h.toLowerCase());
        if (hit) out.push(hit);
      }
      return out;
    },
  };
}

/** Reads the IOC files given with --iocs; c2 and keyword lists are reported as not used for files. */
export function loadIocFiles(paths: string[], sink: DiagnosticSink): IocSet {
  const names: FilenameIoc[] = [];
  const hashes: HashIoc[] = [];
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      sink({ code: 'IO_ERROR', severity: 'error', message: `cannot read IOC file: ${(err as Error).message}`, location: { path: p } });
      continue;
    }
    switch (iocListKind(p, text)) {
      case 'hash':
        hashes.push(...parseHashIocs(text, p, sink));
        break;
      case 'filename':
        names.push(...parseFilenameIocs(text, p, sink));
        break;
      case 'unsupported':
        sink({ code: 'UNKNOWN_FORMAT', severity: 'info', message: 'C2 and keyword IOC lists are not used by the file scan', location: { path: p } });
        break;
    }
  }
  return createIocSet(names, hashes);
}
