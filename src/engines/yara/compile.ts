// Compiles rule files once per run into rule sets by target (log signatures vs file rules). A file that
// does not compile is dropped with a YARA_COMPILE diagnostic at its own file:line; the rest still run.
import type { DiagnosticSink } from '../../diagnostics.js';
import type { YaraXModule, YaraXRules } from './loader.js';
import type { RuleFile, RuleHeader, RuleTarget } from './rule-file.js';

/** External variables declared for every rule set, as LOKI and THOR define them. */
export const EXTERNAL_VARIABLES = ['filename', 'filepath', 'extension', 'filetype', 'md5', 'owner'] as const;
export type ExternalVariables = Record<(typeof EXTERNAL_VARIABLES)[number], string>;

export interface CompiledGroup {
  rules: YaraXRules;
  /** rule name → its header and file (names are unique within a group). */
  byName: Map<string, { header: RuleHeader; file: RuleFile }>;
}

interface Pending {
  files: RuleFile[];
}

/** Greedy packing: a file joins the first group where none of its rule names is taken yet. */
function packByNames(files: RuleFile[]): Pending[] {
  const groups: { files: RuleFile[]; names: Set<string> }[] = [];
  for (const f of files) {
    let g = groups.find((x) => f.rules.every((r) => !x.names.has(r.name)));
    if (!g) {
      g = { files: [], names: new Set() };
      groups.push(g);
    }
    g.files.push(f);
    for (const r of f.rules) g.names.add(r.name);
  }
  return groups;
}

function concat(files: RuleFile[]): { source: string; starts: number[] } {
  const starts: number[] = [];
  let line = 1;
  const parts: string[] = [];
  for (const f of files) {
    starts.push(line);
    const text = f.source.endsWith('\n') ? f.source : f.source + '\n';
    parts.push(text);
    line += text.split('\n').length - 1;
  }
  return { source: parts.join(''), starts };
}

function firstLine(message: string): string {
  return (message.split('\n').find((l) => l.includes('error[')) ?? message.split('\n')[0] ?? message).trim();
}

/**
 * Compiles the files into as few rule sets as possible. Errors are located back in the source
 * file; the faulty file is dropped and the group retried, so one bad file never disables the rest.
 */
export function compileGroups(yx: YaraXModule, files: RuleFile[], target: RuleTarget, sink: DiagnosticSink): CompiledGroup[] {
  const defineVariables = Object.fromEntries(EXTERNAL_VARIABLES.map((v) => [v, '']));
  const out: CompiledGroup[] = [];
  const queue = packByNames(files);
  while (queue.length > 0) {
    const group = queue.shift()!;
    let members = group.files;
    while (members.length > 0) {
      const { source, starts } = concat(members);
      try {
        const rules = yx.compile(source, { defineVariables });
        rules.setMaxMatchesPerPattern(16);
        const byName = new Map<string, { header: RuleHeader; file: RuleFile }>();
        for (const file of members) for (const header of file.rules) if (header.target === target || header.isPrivate) byName.set(header.name, { header, file });
        out.push({ rules, byName });
        break;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const at = /--> line:(\d+):(\d+)/.exec(message);
        const line = at ? Number(at[1]) : 1;
        let idx = 0;
        for (let i = 0; i < starts.length; i++) if (starts[i]! <= line) idx = i;
        const bad = members[idx]!;
        if (/\bE012\b/.test(message) && members.length > 1) {
          // duplicate rule name our header scan missed: try the file in a group of its own
          queue.push({ files: [bad] });
        } else {
          sink({
            code: 'YARA_COMPILE',
            severity: 'error',
            message: `rule file not loaded: ${firstLine(message)}`,
            location: { path: bad.origin, line: line - starts[idx]! + 1, ...(at ? { column: Number(at[2]) } : {}) },
          });
        }
        members = members.filter((m) => m !== bad);
      }
    }
  }
  return out;
}
