// A finding's findings.jsonl line (and the story's slim copy of it) as pieces that join to exactly JSON.stringify's
// text, for writing straight into a record buffer: the rule's JSON made once per rule, the fields' once per event.
import type { Finding } from '../finding.js';

// V8's stringifier builds a 2 KB line in doubling parts and a buffer write flattens them again (about 6 KB of
// garbage a finding, the largest single share of a scan worker's allocations on attack-dense EVTX). A rule's
// RuleRef is made once when the rule is compiled and never changed; findings of one event share its fields
// object, made per event (EventFields.flat) and not changed once findings are made of it.
const ruleText = new WeakMap<object, string>();
let lastFields: object | null = null;
let lastFieldsText = '';
/** The finding whose line was made last, and its values' texts by key position (its slim copy comes next). */
let lineOf: Finding | null = null;
const texts: (string | undefined)[] = [];
/** The values whose texts those are (a value's JSON is the same whatever its key). */
const values: unknown[] = [];
const firstKey = new Map<string, string>();
const nextKey = new Map<string, string>();

/** Strings to be written one after another; reused from record to record (no array grows anew each time). */
export class Pieces {
  readonly list: string[] = [];
  n = 0;
  push(a: string, b?: string): void {
    this.list[this.n++] = a;
    if (b !== undefined) this.list[this.n++] = b;
  }
  clear(): void {
    this.n = 0;
  }
  /** Pieces from..to joined (to: the end). */
  text(from = 0, to = this.n): string {
    let s = '';
    for (let i = from; i < to; i++) s += this.list[i]!;
    return s;
  }
}

function keyPiece(k: string, first: boolean): string {
  const m = first ? firstKey : nextKey;
  let p = m.get(k);
  if (p === undefined) {
    p = `${first ? '{' : ','}${JSON.stringify(k)}:`;
    if (m.size < 1024) m.set(k, p);
  }
  return p;
}

/**
 * Appends the pieces of JSON.stringify(f) to `out` (f holds plain data, as every finding does). `slim`: of
 * JSON.stringify({ ...f, rule: 0, fields: {} }) instead, the copy a story sample keeps (slimText's first element).
 */
export function findingLineParts(f: Finding, out: Pieces, slim = false): void {
  const rec = f as unknown as Record<string, unknown>;
  // The slim copy of the finding whose line was written last (JobFindings.add writes one, then the other, with
  // nothing changing the finding between them) reuses that line's texts (time, host, evidence...), once.
  const again = slim && f === lineOf;
  if (!slim) lineOf = f;
  let first = true;
  let i = -1;
  for (const k of Object.keys(rec)) {
    i++;
    const v = rec[k];
    let text: string | undefined;
    if (k === 'rule' && (slim || (typeof v === 'object' && v !== null))) {
      if (slim) text = '0';
      else {
        text = ruleText.get(v as object);
        if (text === undefined) ruleText.set(v as object, (text = JSON.stringify(v)));
      }
    } else if (k === 'fields' && (slim || (typeof v === 'object' && v !== null))) {
      if (slim) text = '{}';
      else {
        if (v !== lastFields) {
          lastFieldsText = JSON.stringify(v);
          lastFields = v as object;
        }
        text = lastFieldsText;
      }
    } else if (again) text = texts[i];
    else {
      // A value the last finding had at this key (an event's findings share their time, host and evidence object;
      // a rule's its level) is not made into JSON again: a string by its value, the evidence by its object.
      if ((typeof v === 'string' || (k === 'evidence' && typeof v === 'object' && v !== null)) && values[i] === v) text = texts[i];
      else text = JSON.stringify(v) as string | undefined; // undefined (a key JSON leaves out) for undefined, functions, symbols
      if (!slim) {
        texts[i] = text;
        values[i] = v;
      }
    }
    if (text === undefined) continue;
    out.push(keyPiece(k, first), text);
    first = false;
  }
  out.push(first ? '{}' : '}');
  if (again) lineOf = null; // once: a finding changed after its copy was made must not be given stale texts
}
