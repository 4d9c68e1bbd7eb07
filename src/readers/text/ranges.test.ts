// Range splitter tests: ranges cover every line exactly once, start at line starts with exact line numbers and
// the header lines in force there; reading a W3C or Exchange log range by range gives the whole-file read's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import type { HuntEvent } from '../../event.js';
import { readExchangeBatches } from '../exchange/index.js';
import { readW3cBatches } from '../w3c/index.js';
import { DiagnosticLimiter, planTextRanges } from './index.js';

function w3cLog(): string {
  const out = ['\uFEFF#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', '#Fields: date time cs-method cs-uri-stem c-ip sc-status'];
  for (let i = 0; i < 300; i++) {
    if (i === 100) out.push('#Software: Microsoft Internet Information Services 10.0', '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query c-ip cs(User-Agent) sc-status');
    if (i === 220) out.push('#Fields: date time cs-uri-stem sc-status');
    const t = `2021-03-03 04:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    if (i < 100) out.push(`${t} GET /owa/auth/x${i}.aspx 203.0.113.${i % 250} 200`);
    else if (i < 220) out.push(`${t} 10.0.0.1 POST /ecp/y${i}.js a=${i} 198.51.100.7 Mozilla/5.0+(x${i}) 500`);
    else out.push(`${t} /autodiscover/autodiscover.json${i} 302`);
    if (i === 150) out.push('a torn line');
  }
  return out.join('\r\n') + '\r\n';
}

function exchangeLog(): string {
  const out = ['#Software: Microsoft Exchange Server', '#Version: 15.01.2176.002', '#Log-type: HttpProxy Logs', '#Date: 2021-03-03T00:00:00.000Z', '#Fields: DateTime,Protocol,UrlStem,ClientIpAddress,HttpStatus'];
  for (let i = 0; i < 200; i++) {
    if (i === 90) out.push('#Version: 15.01.2242.004', '#Log-type: Ignored After The First', '#Fields: DateTime,UrlStem,HttpStatus,UserAgent');
    const t = `2021-03-03T05:00:${String(i % 60).padStart(2, '0')}.000Z`;
    out.push(i < 90 ? `${t},Ecp,/ecp/a${i}.js,203.0.113.9,200` : `${t},/owa/b${i},241,"Mozilla/5.0 (q, ${i})"`);
  }
  return out.join('\n'); // no final newline
}

function withFile<T>(text: string, f: (ev: Evidence, bytes: Buffer) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-ranges-'));
  const abs = join(dir, 'u_ex210303.log');
  writeFileSync(abs, text);
  const bytes = readFileSync(abs);
  const ev: Evidence = { absPath: abs, path: 'Logging/HttpProxy/Ecp/u_ex210303.log', root: dir, kind: 'iis-w3c', size: bytes.length, mtime: '2021-03-04T00:00:00Z' };
  return f(ev, bytes).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('ranges cover every byte and line once, start at line starts, and number lines exactly', async () => {
  await withFile(w3cLog(), async (ev, bytes) => {
    for (const size of [300, 1000, 4096]) {
      const ranges = planTextRanges(ev.absPath, ev.size, size);
      assert.ok(ranges.length > 2, `${size}: several ranges`);
      assert.equal(ranges[0]!.start, 0);
      assert.equal(ranges.at(-1)!.end, bytes.length);
      for (let i = 0; i < ranges.length; i++) {
        const r = ranges[i]!;
        if (i > 0) {
          assert.equal(r.start, ranges[i - 1]!.end, 'contiguous');
          assert.equal(bytes[r.start - 1], 10, 'starts just after a line break');
        }
        assert.ok(r.end > r.start);
        let nl = 0;
        for (let b = 0; b < r.start; b++) if (bytes[b] === 10) nl++;
        assert.equal(r.firstLine, nl + 1, 'line number at the start');
      }
    }
  });
});

test('a range starts with the #Fields: in force there, and line 1 (BOM removed)', async () => {
  await withFile(w3cLog(), async (ev, bytes) => {
    const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').split('\r\n');
    for (const r of planTextRanges(ev.absPath, ev.size, 700)) {
      if (r.start === 0) {
        assert.deepEqual(r.headers, []);
        continue;
      }
      const before = lines.slice(0, r.firstLine - 1);
      const lastFields = before.map((t, i) => ({ t, line: i + 1 })).filter((h) => h.t.startsWith('#Fields:')).at(-1)!;
      const fields = r.headers.filter((h) => h.text.startsWith('#Fields:')).at(-1)!;
      assert.deepEqual(fields, { line: lastFields.line, text: lastFields.t });
      assert.deepEqual(r.headers[0], { line: 1, text: lines[0] });
      for (const h of r.headers) assert.equal(h.text, lines[h.line - 1], 'header text as in the file');
    }
  });
});

async function readAll(ev: Evidence, read: typeof readW3cBatches, rangeBytes: number | null): Promise<{ events: HuntEvent[]; diags: Diagnostic[] }> {
  const events: HuntEvent[] = [];
  const diags: Diagnostic[] = [];
  const sink = (d: Diagnostic): void => void diags.push(d);
  if (rangeBytes === null) {
    for await (const b of read(ev, sink)) events.push(...b);
    return { events, diags };
  }
  const ranges = planTextRanges(ev.absPath, ev.size, rangeBytes);
  assert.ok(ranges.length > 3);
  for (const range of ranges) {
    const limiter = new DiagnosticLimiter(sink, ev.path);
    for await (const b of read(ev, sink, { part: { range, limiter } })) events.push(...b);
  }
  return { events, diags };
}

test('W3C: read range by range (#Fields: changing mid-file), the events and line numbers equal the whole-file read', async () => {
  await withFile(w3cLog(), async (ev) => {
    const whole = await readAll(ev, readW3cBatches, null);
    assert.equal(whole.events.length, 301);
    for (const size of [200, 999]) {
      const parts = await readAll(ev, readW3cBatches, size);
      assert.deepEqual(parts.events, whole.events);
      assert.deepEqual(parts.diags, whole.diags);
    }
    assert.ok(whole.events.some((e) => e.source === 'w3c' && e.fields['cs-user-agent'] === 'Mozilla/5.0 (x150)'), 'the second header bound its lines');
  });
});

test('Exchange: read range by range (#Fields:, #Version: changing, first #Log-type: kept), the events equal the whole-file read', async () => {
  await withFile(exchangeLog(), async (ev) => {
    const exch = { ...ev, kind: 'exchange-csv' as const };
    const read = readExchangeBatches as unknown as typeof readW3cBatches;
    const whole = await readAll(exch, read, null);
    assert.equal(whole.events.length, 200);
    const parts = await readAll(exch, read, 400);
    assert.deepEqual(parts.events, whole.events);
    const last = parts.events.at(-1)!;
    assert.ok(last.source === 'exchange' && last.version === '15.01.2242.004' && last.log === 'httpproxy' && last.fields['UserAgent'] === 'Mozilla/5.0 (q, 199)');
  });
});

test('Exchange in the shapes Exchange writes: CSV-compatible with a repeated header block, # first after a BOM, CSV-strict; range by range equals whole', async () => {
  const { exchangeLogHeader, exchangeLogRow } = await import('../exchange/testkit.js');
  const a = ['DateTime', 'RequestId', 'UrlStem', 'HttpStatus', 'UserAgent'];
  const b = ['DateTime', 'RequestId', 'Ring', 'HttpStatus', 'UrlStem', 'UserAgent'];
  const rows = (f: string[], from: number, n: number): string =>
    Array.from({ length: n }, (_, k) => {
      const i = from + k;
      const v: Record<string, string> = { DateTime: i % 17 === 0 ? '' : `2022-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`, RequestId: `r${i}`, Ring: 'R1', HttpStatus: String(200 + (i % 3)), UrlStem: `/EWS/x${i}.asmx`, UserAgent: `Mozilla/5.0 (KHTML, like Gecko) n${i}` };
      return exchangeLogRow(f.map((x) => v[x] ?? ''), { requestDetails: true }) + '\r\n';
    }).join('');
  const head = (mode: 'csv-compatible' | 'hash-first' | 'csv-strict', f: string[]): string => exchangeLogHeader({ mode, version: '15.01.2375.007', logType: 'EWS Logs', date: '2022-01-01T00:00:00.000Z', fields: f });
  const shapes = [
    head('csv-compatible', a) + rows(a, 0, 120) + head('csv-compatible', b) + rows(b, 120, 120),
    head('hash-first', a) + rows(a, 0, 150) + head('hash-first', b).replace('\uFEFF', '') + rows(b, 150, 90),
    head('csv-strict', a) + rows(a, 0, 240),
  ];
  for (const text of shapes) {
    await withFile(text, async (ev) => {
      const exch = { ...ev, path: 'Logging/Ews/Ews_2022010100-1.LOG', kind: 'exchange-csv' as const };
      const read = readExchangeBatches as unknown as typeof readW3cBatches;
      const whole = await readAll(exch, read, null);
      assert.equal(whole.events.length, 240);
      assert.deepEqual(whole.diags, []);
      for (const size of [300, 1500]) {
        const parts = await readAll(exch, read, size);
        assert.deepEqual(parts.events, whole.events);
      }
      const last = whole.events.at(-1)!;
      assert.ok(last.source === 'exchange' && last.fields['UrlStem'] === '/EWS/x239.asmx' && last.log === 'ews');
    });
  }
});
