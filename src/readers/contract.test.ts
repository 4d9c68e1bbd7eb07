// The contract every text-evidence reader keeps (W3C, Exchange CSV, JSON): empty and truncated files,
// 1-based locations, UTC times, diagnostics instead of throws, hostile input, evidence left untouched.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { Evidence, EvidenceKind } from '../evidence/evidence.js';
import type { HuntEvent } from '../event.js';
import { readerFor } from './index.js';

interface Format {
  kind: EvidenceKind;
  /** A file path under the temp dir that makes the reader name its log (site / protocol). */
  rel: string;
  header: string[];
  /** The i-th valid record (one line). */
  record(i: number): string;
  /** Where record i (0-based) is cited: 1-based line or record number. */
  where(i: number): { line?: number; record?: number };
  /** A record with a wrong column count (or otherwise malformed), on one line. */
  malformed: string;
  /** Two-line header whose #Fields list names a column twice (null when the format has no header). */
  duplicateHeader: string[] | null;
}

const W3C_HEADER = [
  '#Software: Microsoft Internet Information Services 10.0',
  '#Version: 1.0',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip cs(User-Agent) sc-status',
];
const EX_HEADER = [
  '#Software: Microsoft Exchange Server',
  '#Version: 15.02.0986.005',
  '#Log-type: HttpProxy Logs',
  '#Fields: DateTime,RequestId,UrlStem,UserAgent,HttpStatus',
];
const winEvent = (i: number): object => ({
  Event: {
    System: {
      Provider: { '#attributes': { Name: 'MSExchange CmdletLogs' } },
      EventID: 1,
      TimeCreated: { '#attributes': { SystemTime: `2022-09-30T10:00:0${i}.5000000Z` } },
      Channel: 'MSExchange Management',
      Computer: 'EXCH01',
    },
    EventData: { Data: [`Get-Mailbox ${i}`] },
  },
});

const FORMATS: Format[] = [
  {
    kind: 'iis-w3c',
    rel: 'W3SVC1/u_ex220930.log',
    header: W3C_HEADER,
    record: (i) => `2022-09-30 10:00:0${i} 10.0.0.5 GET /owa/x${i} - 443 192.0.2.${i} Mozilla/5.0+(X) 200`,
    where: (i) => ({ line: W3C_HEADER.length + i + 1 }),
    malformed: '2022-09-30 10:00:09 10.0.0.5 GET /owa/',
    duplicateHeader: ['#Fields: date time cs-uri-stem cs-uri-stem sc-status'],
  },
  {
    kind: 'exchange-csv',
    rel: 'Logging/HttpProxy/Owa/HttpProxy_2022093010-1.LOG',
    header: EX_HEADER,
    record: (i) => `2022-09-30T10:00:0${i}.123Z,req-${i},/owa/x${i},"Mozilla/5.0 (X, Y)",200`,
    where: (i) => ({ line: EX_HEADER.length + i + 1 }),
    malformed: '2022-09-30T10:00:09.000Z,req-9',
    duplicateHeader: ['#Fields: DateTime,UrlStem,UrlStem,HttpStatus'],
  },
  {
    kind: 'json',
    rel: 'events.jsonl',
    header: [],
    record: (i) => JSON.stringify(winEvent(i)),
    where: (i) => ({ line: i + 1 }),
    malformed: '{"Event": {"System": ',
    duplicateHeader: null,
  },
];

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'exhunt-contract-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(f: Format, content: string | Buffer): Evidence {
  const path = `${n++}/${f.rel}`;
  const abs = join(dir, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  const st = statSync(abs);
  return { absPath: abs, path, root: dir, kind: f.kind, size: st.size, mtime: st.mtime.toISOString() };
}

async function readAll(ev: Evidence): Promise<{ events: HuntEvent[]; diags: Diagnostic[] }> {
  const reader = readerFor(ev.kind);
  assert.ok(reader, `a reader for ${ev.kind}`);
  const diags: Diagnostic[] = [];
  const events: HuntEvent[] = [];
  for await (const e of reader.read(ev, (d) => diags.push(d))) events.push(e);
  return { events, diags };
}

const lines = (f: Format, records: string[], eol = '\n'): string => [...f.header, ...records].join(eol) + eol;
const codes = (ds: Diagnostic[]): string[] => ds.map((d) => d.code);

for (const f of FORMATS) {
  describe(`reader contract: ${f.kind}`, () => {
    test('empty file: no events, no diagnostics', async () => {
      const { events, diags } = await readAll(write(f, ''));
      assert.equal(events.length, 0);
      assert.deepEqual(diags, []);
    });

    test('1-based locations, UTC ISO times, evidence path kept', async () => {
      const ev = write(f, lines(f, [f.record(0), f.record(1), f.record(2)], '\r\n'));
      const { events, diags } = await readAll(ev);
      assert.deepEqual(diags, []);
      assert.equal(events.length, 3);
      events.forEach((e, i) => {
        const w = f.where(i);
        assert.equal(e.ref.line, w.line);
        assert.equal(e.ref.record, w.record);
        assert.equal(e.ref.path, ev.path);
        assert.match(e.time ?? '', /^2022-09-30T10:00:0\dZ$|^2022-09-30T10:00:0\d\.\d{3}Z$/);
        assert.equal(e.time!.slice(0, 19), `2022-09-30T10:00:0${i}`);
      });
    });

    test('truncated file: complete records read, the cut one reported, no throw', async () => {
      const full = lines(f, [f.record(0), f.record(1)]);
      const cut = full + f.record(2).slice(0, Math.floor(f.record(2).length / 2));
      const ev = write(f, cut);
      const { events, diags } = await readAll(ev);
      // Text logs keep the cut row's leading columns (bound by position); JSON loses the cut record.
      assert.equal(events.length, f.kind === 'json' ? 2 : 3);
      assert.deepEqual(events.slice(0, 2).map((e) => e.ref.line), [f.where(0).line, f.where(1).line]);
      const d = diags.find((x) => x.location?.line === f.header.length + 3);
      assert.ok(d, `the cut record is reported at its line: ${JSON.stringify(diags)}`);
      assert.equal(d.location?.path, ev.path);
    });

    test('malformed record: diagnostic with its line, neighbours still read', async () => {
      const { events, diags } = await readAll(write(f, lines(f, [f.record(0), f.malformed, f.record(1)])));
      const malformedLine = f.header.length + 2;
      assert.ok(events.some((e) => e.ref.line === f.where(0).line));
      assert.ok(events.some((e) => e.ref.line === f.where(2).line));
      const d = diags.find((x) => x.location?.line === malformedLine);
      assert.ok(d, `a diagnostic at line ${malformedLine}: ${JSON.stringify(diags)}`);
      assert.ok(['LOG_COLUMN_COUNT', 'JSON_BAD_RECORD'].includes(d.code));
    });

    test('a 10 MB line is skipped with LOG_LINE_TOO_LONG and reading goes on', async () => {
      const huge = 'A'.repeat(10 * 1024 * 1024);
      const { events, diags } = await readAll(write(f, lines(f, [f.record(0), huge, f.record(1)])));
      assert.equal(events.length, 2);
      const d = diags.find((x) => x.code === 'LOG_LINE_TOO_LONG');
      assert.ok(d);
      assert.equal(d.location?.line, f.header.length + 2);
      assert.equal(events[1]!.ref.line ?? events[1]!.ref.record, f.header.length + 3);
    });

    test('invalid UTF-8 is reported and the line still read', async () => {
      const text = lines(f, [f.record(0)]);
      const bad = Buffer.from(f.record(1).replace('/owa/x1', '/owa/x\u00e91').replace('Get-Mailbox 1', 'Get-Mailbox \u00e9'), 'utf8');
      const at = bad.indexOf(0xc3);
      assert.ok(at > 0);
      bad[at] = 0xff; // not a valid UTF-8 lead byte
      const { events, diags } = await readAll(write(f, Buffer.concat([Buffer.from(text), bad, Buffer.from('\n')])));
      assert.ok(diags.some((d) => d.code === 'LOG_INVALID_UTF8' && d.location?.line === f.header.length + 2));
      if (f.kind !== 'json') assert.equal(events.length, 2);
    });

    test('binary garbage in the file: LOG_BINARY, no crash, good lines read', async () => {
      const garbage = Buffer.alloc(3000);
      for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) % 256;
      const content = Buffer.concat([Buffer.from(lines(f, [f.record(0)])), garbage, Buffer.from('\n' + f.record(1) + '\n')]);
      const { events, diags } = await readAll(write(f, content));
      assert.ok(codes(diags).includes('LOG_BINARY'), JSON.stringify(codes(diags)));
      assert.ok(events.length >= 2);
    });

    if (f.duplicateHeader) {
      test('#Fields naming a column twice: LOG_DUPLICATE_FIELD, first column wins', async () => {
        const dup = f.duplicateHeader!;
        const row = f.kind === 'iis-w3c' ? '2022-09-30 10:00:00 /first /second 200' : '2022-09-30T10:00:00.000Z,/first,/second,200';
        const { events, diags } = await readAll(write(f, [...dup, row].join('\n') + '\n'));
        assert.ok(codes(diags).includes('LOG_DUPLICATE_FIELD'));
        assert.equal(events.length, 1);
        const fields = (events[0] as { fields: Record<string, string> }).fields;
        assert.equal(fields[f.kind === 'iis-w3c' ? 'cs-uri-stem' : 'UrlStem'], '/first');
      });
    }

    test('evidence is unchanged after reading (hash and mtime)', async () => {
      const ev = write(f, lines(f, [f.record(0), f.malformed, f.record(1)]));
      const before = statSync(ev.absPath);
      const hash = createHash('sha256').update(readFileSync(ev.absPath)).digest('hex');
      await readAll(ev);
      const afterSt = statSync(ev.absPath);
      assert.equal(createHash('sha256').update(readFileSync(ev.absPath)).digest('hex'), hash);
      assert.equal(afterSt.mtimeMs, before.mtimeMs);
      assert.equal(afterSt.size, before.size);
    });
  });
}
