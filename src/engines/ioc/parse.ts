// LOKI IOC list parsing: file-name IOCs (`REGEX;SCORE[;FP-REGEX]`) and hash IOCs (`HASH;[SCORE;]COMMENT`).
// The regexes are untrusted input, so they compile with re2js (linear time); bad lines are IOC_BAD_LINE.
import { RE2JS } from 're2js';
import type { DiagnosticSink } from '../../diagnostics.js';

export interface FilenameIoc {
  regex: string;
  pattern: RE2JS;
  falsePositive: RE2JS | null;
  score: number;
  /** The '#' comment block heading this entry (LOKI's description), or null. */
  description: string | null;
  source: string;
  line: number;
}

export type HashKind = 'md5' | 'sha1' | 'sha256';

export interface HashIoc {
  /** Lower-case hex. */
  hash: string;
  kind: HashKind;
  score: number;
  comment: string;
  source: string;
  line: number;
}

/** A hash IOC line without a score is worth this much (LOKI's default). */
export const DEFAULT_HASH_SCORE = 100;

const HASH_KIND: Record<number, HashKind> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/** Python's `(?i)` prefix and RE2's agree; Python's `\Z` is RE2's `\z`. */
function compileUntrusted(regex: string): RE2JS {
  return RE2JS.compile(regex.replace(/\\Z/g, '\\z'));
}

function* lines(text: string): Generator<{ line: number; raw: string }> {
  const all = text.split(/\r?\n/);
  for (let i = 0; i < all.length; i++) yield { line: i + 1, raw: all[i]! };
}

export function parseFilenameIocs(text: string, source: string, sink: DiagnosticSink): FilenameIoc[] {
  const out: FilenameIoc[] = [];
  let description: string | null = null;
  let lastWasComment = false;
  for (const { line, raw } of lines(text)) {
    const s = raw.trim();
    if (s === '') {
      lastWasComment = false;
      continue;
    }
    if (s.startsWith('#')) {
      const note = s.replace(/^#+\s*/, '');
      // a bare '#' separates blocks; consecutive comment lines form one description
      if (note === '') {
        description = null;
        lastWasComment = false;
      } else {
        description = lastWasComment && description ? `${description} ${note}` : note;
        lastWasComment = true;
      }
      continue;
    }
    lastWasComment = false;
    const bad = (why: string): void =>
      sink({ code: 'IOC_BAD_LINE', severity: 'warning', message: `file-name IOC skipped: ${why}`, location: { path: source, line } });
    // the regex itself may contain ';' only inside classes in practice; LOKI splits on ';' too
    const parts = s.split(';');
    if (parts.length < 2 || parts.length > 3) {
      bad(`expected REGEX;SCORE[;FP-REGEX], got ${parts.length} field(s)`);
      continue;
    }
    const [regex, scoreText, fpText] = parts as [string, string, string | undefined];
    const score = Number(scoreText.trim());
    if (regex === '' || !/^-?\d+$/.test(scoreText.trim()) || !Number.isFinite(score)) {
      bad(regex === '' ? 'empty regex' : `score "${scoreText}" is not a number`);
      continue;
    }
    let pattern: RE2JS;
    let falsePositive: RE2JS | null = null;
    try {
      pattern = compileUntrusted(regex);
      if (fpText !== undefined && fpText.trim() !== '') falsePositive = compileUntrusted(fpText.trim());
    } catch (err) {
      bad(`regex not supported (RE2 syntax): ${(err as Error).message}`);
      continue;
    }
    out.push({ regex, pattern, falsePositive, score, description, source, line });
  }
  return out;
}

export function parseHashIocs(text: string, source: string, sink: DiagnosticSink): HashIoc[] {
  const out: HashIoc[] = [];
  for (const { line, raw } of lines(text)) {
    const s = raw.trim();
    if (s === '' || s.startsWith('#')) continue;
    const parts = s.split(';');
    const hash = parts[0]!.trim().toLowerCase();
    const kind = /^[0-9a-f]+$/.test(hash) ? HASH_KIND[hash.length] : undefined;
    if (!kind) {
      sink({ code: 'IOC_BAD_LINE', severity: 'warning', message: 'hash IOC skipped: first field is not an MD5, SHA-1 or SHA-256 hex digest', location: { path: source, line } });
      continue;
    }
    let score = DEFAULT_HASH_SCORE;
    let comment = parts.slice(1).join(';').trim();
    if (parts.length >= 3 && /^\s*\d+\s*$/.test(parts[1]!)) {
      score = Number(parts[1]);
      comment = parts.slice(2).join(';').trim();
    }
    out.push({ hash, kind, score, comment, source, line });
  }
  return out;
}
