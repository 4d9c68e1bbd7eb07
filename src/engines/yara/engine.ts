// The YARA engine: rules gathered and compiled once per run, then each buffer scanned with the per-file
// external variables; matches come back with the rule's author, description, score and source file.
import { basename, dirname } from 'node:path';
import type { DiagnosticSink } from '../../diagnostics.js';
import { compileGroups, type CompiledGroup, type ExternalVariables } from './compile.js';
import { YARA_X_HINT, loadYaraX } from './loader.js';
import { loadRuleFiles, type RuleFile, type RuleTarget } from './rule-file.js';

export interface YaraEngineOptions {
  /** Rule files or folders given by the user (--yara, repeatable). */
  paths: string[];
  /** Folder of the built-in pack (rules/yara), or null to leave it out. */
  builtinDir: string | null;
  /** Package to load; tests give a missing name to see the engine switch off. */
  yaraPackage?: string;
}

export interface YaraString {
  identifier: string;
  offset: number;
  data: string;
}

export interface YaraHit {
  rule: string;
  /** Where the rule came from: 'builtin:yara/x.yar' or the user's path. */
  source: string;
  author: string | null;
  description: string | null;
  reference: string | null;
  /** meta.score when given (LOKI: default 70). */
  score: number | null;
  /** meta.level when given (exhunt's own rules: informational..critical). */
  level: string | null;
  /** ATT&CK technique IDs from meta.mitre_attack / meta.attack ('T1505.003, T1190'). */
  attack: string[];
  tags: string[];
  target: RuleTarget;
  strings: YaraString[];
}

export interface YaraEngine {
  /** Absolute (real) paths of every rule file in use: never scan these. */
  readonly ruleFiles: readonly string[];
  /** Rules per target that are compiled and in use. */
  readonly ruleCount: Record<RuleTarget, number>;
  scan(data: Buffer, target: RuleTarget, vars: ExternalVariables): YaraHit[];
}

function metaString(meta: Record<string, unknown>, key: string): string | null {
  const v = meta[key];
  return typeof v === 'string' && v.trim() !== '' ? v : typeof v === 'number' ? String(v) : null;
}

function techniques(meta: Record<string, unknown>): string[] {
  const raw = metaString(meta, 'mitre_attack') ?? metaString(meta, 'attack') ?? '';
  return [...new Set(raw.split(/[\s,;]+/).map((t) => t.trim().toUpperCase()).filter((t) => /^T\d{4}(?:\.\d{3})?$/.test(t)))];
}

/**
 * Gathers and compiles the rules. Returns null (after one YARA_UNAVAILABLE diagnostic) when the
 * native binding cannot be loaded, and null without a diagnostic when there are no rules at all.
 */
export async function createYaraEngine(opts: YaraEngineOptions, sink: DiagnosticSink): Promise<YaraEngine | null> {
  const files: RuleFile[] = [];
  // origins relative to rules/: 'builtin:yara/exchange-webshells.yar'
  if (opts.builtinDir) files.push(...loadRuleFiles([opts.builtinDir], sink, dirname(opts.builtinDir)));
  files.push(...loadRuleFiles(opts.paths, sink));
  if (files.length === 0) return null;
  const yx = await loadYaraX(opts.yaraPackage);
  if (yx instanceof Error) {
    sink({
      code: 'YARA_UNAVAILABLE',
      severity: 'warning',
      message: `YARA scanning is off: the optional package ${opts.yaraPackage ?? '@litko/yara-x'} cannot be loaded (${yx.message.split('\n')[0]}); ${files.length} rule file(s) not used; ${YARA_X_HINT}`,
    });
    return null;
  }
  const groups: Record<RuleTarget, CompiledGroup[]> = {
    file: compileGroups(yx, files.filter((f) => f.rules.some((r) => r.target === 'file')), 'file', sink),
    log: compileGroups(yx, files.filter((f) => f.rules.some((r) => r.target === 'log')), 'log', sink),
  };
  const count = (t: RuleTarget): number =>
    groups[t].reduce((n, g) => n + [...g.byName.values()].filter((v) => !v.header.isPrivate).length, 0);
  const ruleCount = { file: count('file'), log: count('log') };
  return {
    ruleFiles: files.map((f) => f.absPath),
    ruleCount,
    scan(data, target, vars) {
      const hits: YaraHit[] = [];
      for (const g of groups[target]) {
        for (const m of g.rules.scan(data, vars)) {
          const known = g.byName.get(m.ruleIdentifier);
          if (!known || known.header.target !== target) continue; // a rule routed to the other target
          const meta = (m.meta ?? {}) as Record<string, unknown>;
          const score = Number(meta['score']);
          hits.push({
            rule: m.ruleIdentifier,
            source: known.file.origin,
            author: metaString(meta, 'author'),
            description: metaString(meta, 'description'),
            reference: metaString(meta, 'reference'),
            score: Number.isFinite(score) && meta['score'] !== undefined ? score : null,
            level: metaString(meta, 'level'),
            attack: techniques(meta),
            tags: m.tags,
            target,
            strings: m.matches.slice(0, 8).map((s) => ({ identifier: s.identifier, offset: s.offset, data: s.data.slice(0, 120) })),
          });
        }
      }
      return hits;
    },
  };
}

/** LOKI's per-file variables: base name, directory part of the (Windows) path, lower-case extension with dot. */
export function externalVariables(windowsPath: string, filetype: string, md5: string): ExternalVariables {
  const name = basename(windowsPath.replace(/\\/g, '/'));
  const cut = windowsPath.length - name.length;
  const dot = name.lastIndexOf('.');
  return {
    filename: name,
    filepath: windowsPath.slice(0, Math.max(0, cut - 1)),
    extension: dot > 0 ? name.slice(dot).toLowerCase() : '',
    filetype,
    md5,
    owner: '',
  };
}
