// Golden conformance: every EVTX file of SigmaHQ's regression data parses to exactly its evtx_dump JSON sidecar,
// record for record (202 files, 238 records), with the normalisation documented in `normalise` below.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../src/paths.js';
import { parseEvtx, type EvtxRecord } from '../../src/readers/evtx/index.js';
import type { Diagnostic } from '../../src/diagnostics.js';

interface ManifestEntry {
  data_path: string;
  json_path: string;
}

/** The sidecars hold one pretty-printed object per record, concatenated without an enclosing array. */
export function splitConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  let esc = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inStr) {
      if (esc) esc = false;
      else if (ch === '\\') esc = true;
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') inStr = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}

/**
 * Normalisation applied to BOTH sides before comparing:
 * 1. Trailing whitespace of string values is removed. The sidecars' producer trimmed it (e.g. CommandLine
 *    "chcp  " appears as "chcp"); the EVTX bytes hold it and our reader keeps it, as Windows shows it and as
 *    the Sigma rules expect (proc_creation_win_chcp_codepage_lookup lists 'chcp', 'chcp ' and 'chcp  ').
 * 2. Timestamps are compared to the microsecond: one sidecar (ad691d92…) has 7 fractional digits
 *    ("…26.751156500Z") where evtx_dump writes 6.
 * 3. Known sidecar defect: in ad691d92… ParentCommandLine reads "Explorer.exe" while the EVTX holds "Explorer.EXE";
 *    that one field of that one file is compared case-insensitively (lower-cased on both sides).
 */
function normalise(v: unknown, file: string, key = ''): unknown {
  if (typeof v === 'string') {
    let s = v.trimEnd().replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})\d*Z$/, '$1Z');
    if (file.includes('ad691d92-15f2-4181-9aa4-723c74f9ddc3') && key === 'ParentCommandLine') s = s.toLowerCase();
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => normalise(x, file, key));
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = normalise(x, file, k);
    return o;
  }
  return v;
}

test('every regression EVTX equals its JSON sidecar, record for record', { skip: !hasShared && 'needs ../shared' }, () => {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as ManifestEntry[];
  assert.equal(manifest.length, 202);
  let records = 0;
  let exactWithoutNormalisation = 0;
  const failures: string[] = [];
  for (const m of manifest) {
    const diags: Diagnostic[] = [];
    const got: EvtxRecord[] = [...parseEvtx(readFileSync(join(sharedDir, 'sigma', m.data_path)), m.data_path, (d) => diags.push(d))];
    const want = splitConcatenatedJson(readFileSync(join(sharedDir, 'sigma', m.json_path), 'utf8'));
    assert.deepEqual(diags, [], `${m.data_path}: clean file must give no diagnostics`);
    assert.equal(got.length, want.length, `${m.data_path}: record count`);
    records += got.length;
    try {
      assert.deepStrictEqual(got.map((r) => r.data), want);
      exactWithoutNormalisation++;
    } catch {
      try {
        assert.deepStrictEqual(normalise(got.map((r) => r.data), m.data_path), normalise(want, m.data_path));
      } catch (e) {
        failures.push(`${m.data_path}: ${(e as Error).message.slice(0, 800)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.equal(records, 238);
  // Most files need no normalisation at all; the rest differ only by the sidecar producer's trimming.
  assert.ok(exactWithoutNormalisation >= 120, `exact matches: ${exactWithoutNormalisation}`);
});

test('record metadata: ids, offsets and times come from the file', { skip: !hasShared && 'needs ../shared' }, () => {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as ManifestEntry[];
  for (const m of manifest.slice(0, 20)) {
    const recs = [...parseEvtx(readFileSync(join(sharedDir, 'sigma', m.data_path)), m.data_path, () => undefined)];
    let prev = 0;
    let prevId = 0;
    for (const r of recs) {
      const sys = (r.data['Event'] as { System: { TimeCreated: { '#attributes': { SystemTime: string } } } }).System;
      // Exported logs renumber the record header (1, 2, …) while System.EventRecordID keeps the original number.
      assert.equal(r.recordId, prevId + 1);
      prevId = r.recordId;
      assert.equal(r.time, sys.TimeCreated['#attributes'].SystemTime);
      assert.equal(r.chunk, 0);
      assert.ok(r.offset >= 4096 + 512 && r.offset > prev);
      prev = r.offset;
    }
  }
});
