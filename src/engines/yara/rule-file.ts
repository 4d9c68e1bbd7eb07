// YARA rule files: gathering them from --yara paths and the built-in pack, and reading each rule's
// header (name, tags, description, line) without a full parser, for routing and file:line diagnostics.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { DiagnosticSink } from '../../diagnostics.js';

/** Where a rule is meant to run: over log files (IIS, Exchange) or over files on disk (web roots...). */
export type RuleTarget = 'log' | 'file';

export interface RuleHeader {
  name: string;
  /** 1-based line of the `rule` keyword in its file. */
  line: number;
  tags: string[];
  description: string | null;
  isPrivate: boolean;
  target: RuleTarget;
}

export interface RuleFile {
  /** Absolute path of the rule file (realpath), used to keep scans out of rule folders. */
  absPath: string;
  /** What findings cite: 'builtin:yara/x.yar' or the path as the user gave it. */
  origin: string;
  source: string;
  rules: RuleHeader[];
}

const RULE_EXTS = new Set(['.yar', '.yara']);

/** Strips comments (keeping line breaks, so line numbers stay right) while leaving strings intact. */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const n = text[i + 1];
    if (c === '"') {
      // a text string: copy to the closing quote, honouring backslash escapes
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && n === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && n === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const HEADER = /^[ \t]*((?:(?:private|global)\s+)*)rule\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([A-Za-z0-9_ \t]*))?\s*\{/gm;
const DESCRIPTION = /\bdescription\s*=\s*"((?:[^"\\\n]|\\.)*)"/;
const TARGET_META = /\bscan_target\s*=\s*"(log|file)"/;
// signature-base marks log signatures by name (LOG_, EXPL_LOG_), by the LOG tag, or says so in the description.
const LOG_NAME = /(?:^|_)LOG(?:_|$)/;
const LOG_DESCRIPTION = /\b(?:in|from) (?:\w+ )?log (?:files|entries|lines)\b|\blog entries\b|\blogs generated\b/i;

/** Decides whether a rule is a log signature; an explicit `scan_target` meta wins. */
export function ruleTarget(name: string, tags: string[], description: string | null, explicit: string | null): RuleTarget {
  if (explicit === 'log' || explicit === 'file') return explicit;
  if (LOG_NAME.test(name) || tags.some((t) => t.toUpperCase() === 'LOG')) return 'log';
  if (description !== null && LOG_DESCRIPTION.test(description)) return 'log';
  return 'file';
}

/** Lists the rules declared in a rule file's text. */
export function parseRuleHeaders(text: string): RuleHeader[] {
  const clean = stripComments(text);
  const found: { name: string; index: number; tags: string[]; isPrivate: boolean }[] = [];
  for (const m of clean.matchAll(HEADER)) {
    found.push({
      name: m[2]!,
      index: m.index + m[0].indexOf('rule'),
      tags: (m[3] ?? '').split(/\s+/).filter(Boolean),
      isPrivate: /\bprivate\b/.test(m[1] ?? ''),
    });
  }
  const lineStarts: number[] = [0];
  for (let i = 0; i < clean.length; i++) if (clean.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (index: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return found.map((f, k) => {
    const body = clean.slice(f.index, k + 1 < found.length ? found[k + 1]!.index : clean.length);
    const description = DESCRIPTION.exec(body)?.[1] ?? null;
    const explicit = TARGET_META.exec(body)?.[1] ?? null;
    return {
      name: f.name,
      line: lineOf(f.index),
      tags: f.tags,
      description,
      isPrivate: f.isPrivate,
      target: ruleTarget(f.name, f.tags, description, explicit),
    };
  });
}

function walkRuleFiles(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walkRuleFiles(p, out);
    else if (RULE_EXTS.has(extname(name).toLowerCase())) out.push(p);
  }
}

/**
 * Reads rule files from paths (files or folders, recursive). `builtinRoot`, when given, makes the
 * origin 'builtin:<path relative to rules/>'. Unreadable paths become IO_ERROR diagnostics.
 */
export function loadRuleFiles(paths: string[], sink: DiagnosticSink, builtinRoot?: string): RuleFile[] {
  const files: RuleFile[] = [];
  for (const given of paths) {
    let list: string[] = [];
    try {
      if (statSync(given).isDirectory()) walkRuleFiles(given, list);
      else list = [given];
    } catch (err) {
      sink({ code: 'IO_ERROR', severity: 'error', message: `cannot read YARA rules: ${(err as Error).message}`, location: { path: given } });
      continue;
    }
    for (const p of list) {
      try {
        const source = readFileSync(p, 'utf8');
        const origin = builtinRoot ? `builtin:${relative(builtinRoot, p).split(sep).join('/')}` : p;
        files.push({ absPath: realpathSync(p), origin, source, rules: parseRuleHeaders(source) });
      } catch (err) {
        sink({ code: 'IO_ERROR', severity: 'error', message: `cannot read YARA rule file: ${(err as Error).message}`, location: { path: p } });
      }
    }
  }
  return files;
}
