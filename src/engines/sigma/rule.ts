// YAML → Sigma documents: one file may hold several YAML documents (rules, correlations, filters, and
// the old `action: global/repeat/reset` collections); every problem keeps the file and line.
import jsyaml from 'js-yaml';
import { isMap as isYamlMap, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { Diagnostic, DiagnosticCode } from '../../diagnostics.js';

export type DocKind = 'rule' | 'correlation' | 'filter';

/** One Sigma document after collection actions were applied. */
export interface SigmaDoc {
  kind: DocKind;
  path: string;
  /** 1-based line where the document starts. */
  line: number;
  body: Record<string, unknown>;
  /** The line of a node inside the document (falls back to the document's first line). */
  lineOf(path: readonly (string | number)[]): number;
}

export interface ParsedFile {
  docs: SigmaDoc[];
  problems: Diagnostic[];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObj(b) && isObj(v) ? deepMerge(b, v) : v;
  }
  return out;
}

export function problem(code: DiagnosticCode, message: string, path: string, line: number, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  return { code, severity, message, location: { path, line } };
}

/**
 * Parse a rule file's text into documents. The fast path is js-yaml (YAML 1.2 core schema, about ten
 * times faster than a full CST parse); line numbers come from the `yaml` package's CST, parsed only when
 * a problem needs a line. YAML errors become SIGMA_YAML problems with their line.
 */
export function parseRuleFile(text: string, path: string): ParsedFile {
  let bodies: unknown[];
  try {
    bodies = jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA, filename: path });
  } catch {
    return parseRuleFileSlow(text, path);
  }
  let slow: ParsedFile | undefined;
  const exact = (): ParsedFile => (slow ??= parseRuleFileSlow(text, path));
  const problems: Diagnostic[] = [];
  const docs: SigmaDoc[] = [];
  const starts = docStartLines(text);
  let global: Record<string, unknown> | null = null;
  let previous: Record<string, unknown> | null = null;
  bodies.forEach((raw, i) => {
    const startLine = starts[i] ?? 1;
    if (raw === null || raw === undefined) return;
    if (!isObj(raw)) {
      problems.push(problem('SIGMA_BAD_RULE', 'a Sigma document must be a YAML map', path, startLine));
      return;
    }
    let body: Record<string, unknown> = { ...raw };
    const action = body['action'];
    delete body['action'];
    if (action === 'global') {
      global = global ? deepMerge(global, body) : body;
      return;
    }
    if (action === 'reset') {
      global = null;
      return;
    }
    if (action === 'repeat') {
      if (!previous) {
        problems.push(problem('SIGMA_BAD_RULE', "'action: repeat' without a previous document", path, startLine));
        return;
      }
      body = deepMerge(previous, body);
    } else if (action !== undefined) {
      problems.push(problem('SIGMA_BAD_RULE', `unknown action '${String(action)}'`, path, startLine));
      return;
    } else if (global) body = deepMerge(global, body);
    previous = body;
    const n = docs.length;
    docs.push({
      kind: docKind(body),
      path,
      line: startLine,
      body,
      // The n-th emitted document is the n-th of the exact parse too (both apply the same actions).
      lineOf: (p) => exact().docs[n]?.lineOf(p) ?? startLine,
    });
  });
  return { docs, problems };
}

function docKind(body: Record<string, unknown>): DocKind {
  return 'correlation' in body ? 'correlation' : 'filter' in body && !('detection' in body) ? 'filter' : 'rule';
}

/** 1-based first line of each YAML document (after each `---` separator). */
function docStartLines(text: string): number[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let sawContent = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^---(\s|$)/.test(l)) {
      starts.push(i + 2);
      sawContent = false;
      continue;
    }
    if (!sawContent && l.trim() !== '' && !l.startsWith('#')) {
      if (starts.length === 0) starts.push(i + 1);
      sawContent = true;
    }
  }
  return starts.length ? starts : [1];
}

/** The exact (slower) parse: a CST with line numbers for every node. */
export function parseRuleFileSlow(text: string, path: string): ParsedFile {
  const problems: Diagnostic[] = [];
  const docs: SigmaDoc[] = [];
  const lc = new LineCounter();
  let yamlDocs: Document.Parsed[];
  try {
    yamlDocs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false }) as Document.Parsed[];
  } catch (e) {
    problems.push(problem('SIGMA_YAML', `YAML: ${e instanceof Error ? e.message : String(e)}`, path, 1));
    return { docs, problems };
  }
  if (!Array.isArray(yamlDocs)) yamlDocs = [yamlDocs];
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lc.linePos(offset).line);
  const makeLineOf = (sources: Document.Parsed[]) => (p: readonly (string | number)[]) => {
    for (let n = p.length; n >= 0; n--) {
      for (const d of sources) {
        const node = n === 0 ? d.contents : d.getIn(p.slice(0, n), true);
        const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
        if (range) return lineAt(range[0]);
      }
    }
    return 1;
  };
  let global: { body: Record<string, unknown>; doc: Document.Parsed } | null = null;
  let previous: { body: Record<string, unknown>; sources: Document.Parsed[] } | null = null;
  for (const d of yamlDocs) {
    const startLine = lineAt(d.contents?.range?.[0] ?? d.range?.[0]);
    if (d.errors.length > 0) {
      for (const err of d.errors) problems.push(problem('SIGMA_YAML', `YAML: ${err.message.split('\n')[0]}`, path, lineAt(err.pos[0])));
      continue;
    }
    if (d.contents === null) continue;
    if (!isYamlMap(d.contents)) {
      problems.push(problem('SIGMA_BAD_RULE', 'a Sigma document must be a YAML map', path, startLine));
      continue;
    }
    let body = d.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
    const action = body['action'];
    delete body['action'];
    let sources = [d];
    if (action === 'global') {
      global = { body: global ? deepMerge(global.body, body) : body, doc: d };
      continue;
    }
    if (action === 'reset') {
      global = null;
      continue;
    }
    if (action === 'repeat') {
      if (!previous) {
        problems.push(problem('SIGMA_BAD_RULE', "'action: repeat' without a previous document", path, startLine));
        continue;
      }
      body = deepMerge(previous.body, body);
      sources = [d, ...previous.sources];
    } else if (action !== undefined) {
      problems.push(problem('SIGMA_BAD_RULE', `unknown action '${String(action)}'`, path, startLine));
      continue;
    } else if (global) {
      body = deepMerge(global.body, body);
      sources = [d, global.doc];
    }
    previous = { body, sources };
    docs.push({ kind: docKind(body), path, line: startLine, body, lineOf: makeLineOf(sources) });
  }
  return { docs, problems };
}
