// JSON evidence tests: the three layouts (JSON Lines, array, evtx_dump output), record numbering,
// braces inside strings, truncated arrays, oversized records and objects that are not events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import { jsonLayout, readJsonBatches } from './index.js';

const ev = (id: number, extra = ''): object => ({
  Event: {
    System: {
      Provider: { '#attributes': { Name: 'P' } },
      EventID: { '#attributes': { Qualifiers: 16384 }, '#text': id },
      TimeCreated: { '#attributes': { SystemTime: '2022-10-01T08:00:00.1234567Z' } },
      Channel: 'Application',
      Computer: 'EXCH01',
    },
    EventData: { Data: `x{[}]"\\${extra}` },
  },
});

async function read(text: string, maxRecordChars?: number): Promise<{ events: WinEvent[]; diags: Diagnostic[]; layout: string | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-json-'));
  try {
    const abs = join(dir, 'e.json');
    writeFileSync(abs, text);
    const diags: Diagnostic[] = [];
    const events: WinEvent[] = [];
    const opts = maxRecordChars !== undefined ? { maxRecordChars } : {};
    for await (const b of readJsonBatches({ absPath: abs, path: 'e.json', root: dir, kind: 'json', size: text.length, mtime: '' }, (d) => diags.push(d), opts)) {
      events.push(...b);
    }
    return { events, diags, layout: await jsonLayout(abs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('JSON array: 1-based record positions, braces and quotes inside strings do not confuse the scanner', async () => {
  const { events, diags, layout } = await read(JSON.stringify([ev(1), ev(2), ev(3)], null, 1));
  assert.equal(layout, 'array');
  assert.deepEqual(diags, []);
  assert.deepEqual(events.map((e) => [e.ref.record, e.eventId]), [[1, 1], [2, 2], [3, 3]]);
  const e = events[0]!;
  assert.equal(e.time, '2022-10-01T08:00:00.123Z');
  assert.equal(e.channel, 'Application');
  assert.equal(e.provider, 'P');
  assert.equal(e.host, 'EXCH01');
  assert.equal(e.source, 'json');
  assert.equal(((e.data['Event'] as Record<string, unknown>)['EventData'] as Record<string, string>)['Data'], 'x{[}]"\\');
});

test('evtx_dump output: Record N lines between pretty objects', async () => {
  const text = [1, 2].map((i) => `Record ${i + 40}\n${JSON.stringify(ev(i), null, 2)}`).join('\n') + '\n';
  const { events, diags, layout } = await read(text);
  assert.equal(layout, 'concatenated');
  assert.deepEqual(diags, []);
  assert.deepEqual(events.map((e) => e.ref.record), [1, 2]);
  assert.equal(events[0]!.ref.line, undefined);
});

test('truncated array: whole records kept, LOG_TRUNCATED for the cut one', async () => {
  const full = JSON.stringify([ev(1), ev(2)]);
  const { events, diags } = await read(full.slice(0, full.length - 30));
  assert.deepEqual(events.map((e) => e.eventId), [1]);
  assert.deepEqual(diags.map((d) => [d.code, d.location?.record]), [['LOG_TRUNCATED', 2]]);
});

test('oversized record and bad JSON: JSON_BAD_RECORD with the record, the rest read', async () => {
  const big = JSON.stringify(ev(2, 'y'.repeat(5000)));
  const { events, diags } = await read(`[${JSON.stringify(ev(1))},${big},{"Event": {"System": nope}},${JSON.stringify(ev(4))}]`, 2000);
  assert.deepEqual(events.map((e) => e.ref.record), [1, 4]);
  assert.deepEqual(diags.map((d) => [d.code, d.location?.record]), [['JSON_BAD_RECORD', 2], ['JSON_BAD_RECORD', 3]]);
});

test('objects that are not evtx_dump events are counted once, not yielded', async () => {
  const { events, diags, layout } = await read(`${JSON.stringify(ev(1))}\n{"SourceFile":"C:\\\\x"}\n{"a":1}\n`);
  assert.equal(layout, 'jsonl');
  assert.equal(events.length, 1);
  assert.equal(events[0]!.ref.line, 1);
  assert.equal(diags.length, 1);
  assert.equal(diags[0]!.severity, 'info');
  assert.match(diags[0]!.message, /^2 JSON records/);
});
