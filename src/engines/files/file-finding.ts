// Building file-scan findings: the per-file context every check shares (Windows path, URL, place,
// magic type, hashes and times) and the finding shape with evidence.path relative to the scanned root.
import type { Evidence } from '../../evidence/evidence.js';
import type { Finding, FindingEngine, Level, RuleRef } from '../../finding.js';
import type { FileType } from '../yara/index.js';
import type { PlaceKind } from './locate.js';
import type { FileRead } from './read.js';

export interface FileContext {
  ev: Evidence;
  read: FileRead;
  windowsPath: string;
  /** URL path IIS serves the file under, when in an Exchange / Default Web Site folder. */
  urlPath: string | null;
  place: PlaceKind;
  type: FileType | null;
}

export const EXHUNT_AUTHOR = 'exhunt project';

export function builtinRule(id: string, title: string, tags: string[] = []): RuleRef {
  return { id, title, author: EXHUNT_AUTHOR, source: 'builtin:engines/files', tags };
}

/** The fields every file finding carries: where, what type, hashes and times. */
export function fileFields(ctx: FileContext): Record<string, unknown> {
  const { read } = ctx;
  return {
    windowsPath: ctx.windowsPath,
    ...(ctx.urlPath !== null ? { urlPath: ctx.urlPath } : {}),
    size: read.size,
    filetype: ctx.type?.type ?? null,
    md5: read.md5,
    sha1: read.sha1,
    sha256: read.sha256,
    mtime: read.times.mtime,
    ctime: read.times.ctime,
    atime: read.times.atime,
    birthtime: read.times.birthtime,
    ...recordedFields(ctx),
  };
}

/**
 * The original file's times as the collection recorded them (KAPE copy log, Velociraptor upload rows) and where
 * the finding's time came from; nothing for collections that keep no records (the copy's times above).
 */
function recordedFields(ctx: FileContext): Record<string, unknown> {
  const r = ctx.ev.recorded;
  if (r === undefined) return {};
  if (r === null || r.modified === null) return { timeSource: "copy (the collection's records do not list this file)" };
  return { timeSource: r.source, recordedModified: r.modified, recordedCreated: r.created, recordedAccessed: r.accessed };
}

/** The finding's time: the original file's modification time where the collection recorded it, else the copy's. */
function findingTime(ctx: FileContext): string | null {
  return ctx.ev.recorded?.modified ?? ctx.read.times.mtime;
}

export interface FindingSpec {
  engine: FindingEngine;
  level: Level;
  rule: RuleRef;
  attack: string[];
  cves?: string[];
  kind: string;
  message: string;
  fields?: Record<string, unknown>;
  line?: number;
}

export function fileFinding(ctx: FileContext, spec: FindingSpec): Finding {
  return {
    engine: spec.engine,
    time: findingTime(ctx),
    level: spec.level,
    rule: spec.rule,
    cves: spec.cves ?? [],
    attack: spec.attack,
    host: null,
    evidence: { path: ctx.ev.path, kind: spec.kind, ...(spec.line !== undefined ? { line: spec.line } : {}) },
    fields: { ...fileFields(ctx), ...(spec.fields ?? {}) },
    message: spec.message,
  };
}

/** LOKI-style score → level: ≥100 critical, ≥75 high, ≥60 medium, ≥40 low, else informational. */
export function levelFromScore(score: number): Level {
  if (score >= 100) return 'critical';
  if (score >= 75) return 'high';
  if (score >= 60) return 'medium';
  if (score >= 40) return 'low';
  return 'informational';
}
