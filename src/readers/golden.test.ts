// Golden pairs: each fixture log in test/fixtures/logs read by its reader must give exactly the events
// recorded in src/readers/testdata/<name>.events.json (reviewed by hand when written).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { Evidence, EvidenceKind } from '../evidence/evidence.js';
import { projectRoot } from '../paths.js';
import { readerFor } from './index.js';

const FIX = join(projectRoot, 'test', 'fixtures', 'logs');
const EX = 'kape/C/Program Files/Microsoft/Exchange Server/V15/Logging';
export const GOLDEN: { path: string; kind: EvidenceKind }[] = [
  { path: 'kape/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log', kind: 'iis-w3c' },
  { path: 'kape/C/inetpub/logs/LogFiles/W3SVC2/u_ex210303.log', kind: 'iis-w3c' },
  { path: `${EX}/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG`, kind: 'exchange-csv' },
  { path: `${EX}/ECP/Server/ECPServer20210303-1.LOG`, kind: 'exchange-csv' },
  { path: `${EX}/OABGeneratorLog/OABGeneratorLog_20210303-1.LOG`, kind: 'exchange-csv' },
  { path: 'json/events.jsonl', kind: 'json' },
  { path: 'json/events-array.json', kind: 'json' },
  { path: 'json/evtx-dump.txt', kind: 'json' },
];

export async function readFixture(path: string, kind: EvidenceKind): Promise<{ events: unknown[]; diags: Diagnostic[] }> {
  const absPath = join(FIX, path);
  const st = statSync(absPath);
  const ev: Evidence = { absPath, path, root: FIX, kind, size: st.size, mtime: st.mtime.toISOString() };
  const diags: Diagnostic[] = [];
  const events: unknown[] = [];
  for await (const e of readerFor(kind)!.read(ev, (d) => diags.push(d))) {
    if (e.source === 'exchange') {
      // An Exchange row's `values` (for the keyword pre-filter) must hold every value of its fields; the
      // golden file records the fields only.
      const { values, ...rest } = e;
      if (values !== undefined) for (const v of Object.values(e.fields)) assert.ok(values.includes(v), `${path}:${e.ref.line}: '${v}' missing from values`);
      events.push(rest);
      continue;
    }
    // WinEvent.data is the parsed input object itself; the golden file records only where it came from.
    events.push(e.source === 'json' ? { ...e, data: { recordId: (e.data['Event'] as { System: { EventRecordID: number } }).System.EventRecordID } } : e);
  }
  return { events, diags };
}

export const goldenName = (path: string): string => `${path.split('/').at(-2)}-${basename(path)}.events.json`;

for (const g of GOLDEN) {
  test(`golden: ${g.path}`, async () => {
    const { events, diags } = await readFixture(g.path, g.kind);
    assert.deepEqual(diags, []);
    const expected = JSON.parse(readFileSync(join(projectRoot, 'src', 'readers', 'testdata', goldenName(g.path)), 'utf8')) as unknown[];
    assert.deepEqual(events, expected);
  });
}
