// timeline.csv (RFC 4180, one finding per line, formula neutralisation) and timeline.jsonl (Timesketch's
// required fields, integer microsecond timestamps, stable field types, no reserved names).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { attackCatalog } from '../attack/index.js';
import type { Finding } from '../finding.js';
import { safeCell, timelineCsv, timesketchJsonl } from './index.js';
import { TIMELINE_CHUNK_ROWS, timelineCsvChunks } from './csv-timeline.js';
import { timesketchChunks, timesketchLine } from './timesketch.js';
import { timelineRow } from './timeline-rows.js';
import { HOSTILE, hostileFindings, sampleFindings } from '../engines/story/testdata/sample-scan.js';

const cat = attackCatalog();

test('safeCell neutralises formula starters and line breaks', () => {
  assert.equal(safeCell('=1+1'), "'=1+1");
  assert.equal(safeCell('+cmd'), "'+cmd");
  assert.equal(safeCell('-2'), "'-2");
  assert.equal(safeCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(safeCell('\tx'), "'\tx");
  assert.equal(safeCell('\r\nx'), ' ¦ x');
  assert.equal(safeCell('a\nb'), 'a ¦ b');
  assert.equal(safeCell('2021-03-03'), '2021-03-03');
});

test('timeline.csv: header, one physical line per finding, every cell spreadsheet-safe, values kept', () => {
  const f = hostileFindings();
  const text = timelineCsv(f, cat);
  const lines = text.split('\r\n').filter((l) => l !== '');
  assert.equal(lines.length, f.length + 1, 'no embedded line breaks');
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  assert.equal(rows.length, f.length);
  assert.equal(Object.keys(rows[0]!)[0], 'Timestamp');
  for (const r of rows) for (const [k, v] of Object.entries(r)) assert.ok(!/^[=+\-@\t\r\n\0]/.test(v), `${k} starts with a formula character: ${v.slice(0, 20)}`);
  const h = rows.find((r) => r['RuleID']!.startsWith('hostile'))!;
  assert.equal(h['RuleTitle'], `'=HYPERLINK("http://evil")${HOSTILE}`);
  assert.equal(h['UserAgent'], `'+cmd|' /C calc'!A0${HOSTILE}`);
  assert.equal(h['User'], `'-2+3${HOSTILE}`.toLowerCase());
  assert.equal(h['RuleAuthor'], `'@evil ${HOSTILE}`);
  assert.match(h['Details']!, /note: ' ¦ @SUM\(1\)|note:/);
  // sorted by time, ISO UTC
  const times = rows.map((r) => r['Timestamp']!);
  assert.deepEqual(times, [...times].sort());
  assert.match(times[0]!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  const ssrf = rows.find((r) => r['RuleID'] === 'a1b2c3d4-0001')!;
  assert.equal(ssrf['MitreTactics'], 'Initial Access');
  assert.equal(ssrf['ClientIP'], '203.0.113.77');
  assert.equal(ssrf['EvidenceLine'], '12');
});

test('timeline.jsonl: Timesketch fields on every line, microseconds consistent, stable types', () => {
  const f: Finding[] = [...hostileFindings(), { ...sampleFindings()[0]!, time: null }, { ...sampleFindings()[0]!, time: '2021-03-03T01:05:00.1234567Z' }];
  const { text, skipped } = timesketchJsonl(f, cat);
  assert.equal(skipped, 1, 'the finding without a time is left out');
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, f.length - 1);
  const types = new Map<string, string>();
  for (const line of lines) {
    const o = JSON.parse(line) as Record<string, unknown>;
    for (const k of ['message', 'datetime', 'timestamp_desc']) assert.ok(typeof o[k] === 'string' && (o[k] as string).length > 0, k);
    assert.match(o['datetime'] as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(Number.isInteger(o['timestamp']));
    assert.equal(Math.floor((o['timestamp'] as number) / 1000), Date.parse(o['datetime'] as string));
    for (const k of Object.keys(o)) {
      assert.ok(!['_id', '_index', '_type', '_source', 'timesketch_label'].includes(k) && !k.startsWith('__ts_'), k);
      const t = Array.isArray(o[k]) ? 'array' : typeof o[k];
      assert.equal(types.get(k) ?? t, t, `type of ${k}`);
      types.set(k, t);
    }
  }
  assert.ok(types.size < 60);
  const precise = lines.map((l) => JSON.parse(l) as { timestamp: number; datetime: string }).find((o) => o.timestamp % 1000 !== 0)!;
  assert.equal(precise.timestamp, Date.parse('2021-03-03T01:05:00.123Z') * 1000 + 456);
  // machine ingest keeps exact values (not neutralised)
  assert.ok(lines.some((l) => (JSON.parse(l) as { user_agent: string }).user_agent.startsWith('+cmd')));
});

test('timelines come in bounded chunks that add up to the whole file', () => {
  const base = sampleFindings()[0]!;
  const n = 2 * TIMELINE_CHUNK_ROWS + 7;
  const many: Finding[] = Array.from({ length: n }, (_, i) => ({ ...base, time: new Date(Date.UTC(2021, 2, 3) + i * 1000).toISOString() }));
  const csv = [...timelineCsvChunks(many, cat)];
  assert.equal(csv.length, 1 + 3, 'the header, then rows in chunks of at most TIMELINE_CHUNK_ROWS');
  for (const c of csv.slice(1)) assert.ok(c.split('\r\n').length - 1 <= TIMELINE_CHUNK_ROWS);
  assert.equal(csv.join(''), timelineCsv(many, cat));
  assert.equal((parse(csv.join(''), { columns: true }) as unknown[]).length, n);
  const counts = { skipped: 0 };
  const jsonl = [...timesketchChunks(many, cat, counts)];
  assert.equal(jsonl.length, 3);
  assert.equal(jsonl.join('').trimEnd().split('\n').length, n);
  assert.equal(jsonl.join(''), timesketchJsonl(many, cat).text);
});

/** What timesketchLine gives, as it was first written: JSON.stringify of the object (the oracle). */
function sketchOracle(f: Finding): string | null {
  const ms = f.time === null ? NaN : Date.parse(f.time);
  if (Number.isNaN(ms) || ms < Date.UTC(1700, 0, 1)) return null;
  const r = timelineRow(f, cat);
  const fractionUs = /\.(\d{4,6})/.exec(f.time ?? '')?.[1]?.padEnd(6, '0').slice(3) ?? '000';
  const engines = new Set(['yara', 'ioc', 'file']);
  return JSON.stringify({
    message: `[${f.level}] ${f.rule.title}${f.message ? ` — ${f.message}` : ''}`,
    datetime: new Date(ms).toISOString(),
    timestamp: ms * 1000 + Number(fractionUs),
    timestamp_desc: engines.has(f.engine) ? 'File Modified' : f.engine === 'exposure' ? 'Build Observed' : 'Event Recorded',
    data_type: `exhunt:finding:${f.engine}`,
    level: f.level,
    rule_title: r.RuleTitle,
    rule_id: r.RuleID,
    rule_author: r.RuleAuthor,
    rule_file: r.RuleFile,
    computer: r.Computer,
    evidence_file: r.EvidenceFile,
    evidence_line: r.EvidenceLine,
    evidence_record: r.EvidenceRecord,
    attack_tactics: r.MitreTactics,
    attack_techniques: r.MitreTags,
    cves: r.CVEs,
    client_ip: r.ClientIP,
    user_agent: r.UserAgent,
    user: r.User,
    path: r.Path,
    details: r.Details,
    tag: [...f.attack, ...f.cves, f.level],
  });
}

test('a Timesketch line is JSON.stringify of its object, byte for byte, with shared rules and fields, and after a rule changes', () => {
  const base = [...hostileFindings(), ...sampleFindings()];
  const weird = ['"', '\\', '\u0000', '\u2028', '\ud800', '😀', 'a\tb\r\nc', '</script>', '{"x":1}'];
  const many: Finding[] = [];
  for (let i = 0; i < 600; i++) {
    const b = base[i % base.length]!;
    const w = weird[i % weird.length]!;
    // every third shares its neighbour's rule and fields objects, as findings of one event do
    const shared = i % 3 !== 0 ? many[i - 1] : undefined;
    many.push({
      ...b,
      time: i % 7 === 0 ? null : i % 5 === 0 ? `2021-03-0${(i % 9) + 1}T01:02:03.${String(i).padStart(7, '1')}Z` : b.time,
      message: i % 4 === 0 ? `m${w}${i}` : b.message,
      rule: shared?.rule ?? { ...b.rule, title: `${b.rule.title}${w}`, author: i % 2 ? null : `a${w}` },
      fields: shared?.fields ?? { ...b.fields, [`k${w}`]: `v${w}${i}`, nested: { deep: [w, i] } },
    } as Finding);
  }
  for (const [i, f] of many.entries()) assert.equal(timesketchLine(f, cat), sketchOracle(f), `finding ${i}`);
  // a rule object changed after its line was made gets a line of its new values
  const f = many[1]!;
  (f.rule as { title: string }).title = 'renamed';
  assert.equal(timesketchLine(f, cat), sketchOracle(f));
  assert.match(timesketchLine(f, cat)!, /renamed/);
});

test("a timeline.csv row is csv-stringify's row of its safe cells, byte for byte: Details quoted on its own and spliced in, for hostile cells and findings of one event in a row", async () => {
  const { stringify } = await import('csv-stringify/sync');
  const { timelineCsvRow, timelineCsvPieces, TIMELINE_COLUMNS } = { ...(await import('./csv-timeline.js')), ...(await import('./timeline-rows.js')) };
  const { Pieces } = await import('./finding-line.js');
  const base = [...hostileFindings(), ...sampleFindings()];
  const weird = ['"', '""', '","', ',', '\\', '\u0000', '\u2028', '😀', 'a\tb\r\nc', '\r', '=1+1', '-2', '@x', ' ¦ '];
  let compared = 0;
  for (let i = 0; i < 400; i++) {
    const b = base[i % base.length]!;
    const w = weird[i % weird.length]!;
    const f = { ...b, message: i % 3 === 0 ? `${w}m${w}` : b.message, rule: { ...b.rule, title: `${w}${b.rule.title}${w}`, author: i % 2 ? null : `${w}a` }, fields: { ...b.fields, [`k${w}`]: `${w}v${i}"q"` } } as Finding;
    const row = timelineRow(f, cat);
    const oracle = stringify([TIMELINE_COLUMNS.map((c) => safeCell(row[c]))], { quoted: true, quoted_empty: true, record_delimiter: '\r\n' });
    // twice: the second time its Details are the ones quoted last (an event's next finding)
    assert.equal(timelineCsvRow(row), oracle, `finding ${i}`);
    assert.equal(timelineCsvRow(row), oracle, `finding ${i} again`);
    // with its rule's cells quoted once per rule object (what the scan does), before and after the rule changes
    const viaRule = (): string => {
      const out = new Pieces();
      timelineCsvPieces(row, out, f.rule);
      return out.text() + '\r\n';
    };
    assert.equal(viaRule(), oracle, `finding ${i}, rule cells cached`);
    assert.equal(viaRule(), oracle, `finding ${i}, rule cells from the cache`);
    const renamed = { ...row, RuleTitle: `${row.RuleTitle}"x` };
    const out = new Pieces();
    timelineCsvPieces(renamed, out, f.rule);
    assert.equal(out.text() + '\r\n', stringify([TIMELINE_COLUMNS.map((c) => safeCell(renamed[c]))], { quoted: true, quoted_empty: true, record_delimiter: '\r\n' }), `finding ${i}, its rule's title changed`);
    compared++;
  }
  assert.equal(compared, 400);
});

test("a worker's timeline pieces (timelineLinePieces) are the bytes of the digest record made of timelineLines", async () => {
  const { timelineLinePieces, timelineLines } = await import('./ordered-outputs.js');
  const { digestRecord, digestRecordParts } = await import('./digest-record.js');
  const { Pieces } = await import('./finding-line.js');
  const many = [...hostileFindings(), ...sampleFindings()].flatMap((f, i) => [f, { ...f, time: i % 2 ? null : f.time } as Finding]);
  for (const [i, f] of many.entries()) {
    const out = new Pieces();
    digestRecordParts(f, null, out);
    timelineLinePieces(f, cat, out);
    const record = out.text();
    assert.equal(record, digestRecord(f, timelineLines(f, cat)), `finding ${i}`);
    const lines = record.indexOf('\t', record.indexOf('\t') + 1);
    assert.equal(record[lines + 1], '"', `finding ${i}: the raw form (the CSV row), not the JSON pair`);
  }
});

/** detailsOf as it was first written (the oracle): every `Key: value` part joined, cut at 4,000 characters. */
function detailsOracle(fields: Record<string, unknown>): string {
  const out: string[] = [];
  const flatten = (prefix: string, v: unknown, depth: number): void => {
    if (out.length > 200) return;
    if (v === null || v === undefined) return;
    if (typeof v === 'object') {
      if (depth > 4) return;
      if (Array.isArray(v)) v.forEach((x, i) => flatten(`${prefix}[${i}]`, x, depth + 1));
      else for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, depth + 1);
      return;
    }
    const s = String(v);
    if (s === '' || s === '-') return;
    out.push(`${prefix.replace(/^Event\.(?:EventData|System|UserData)\./, '')}: ${s}`);
  };
  flatten('', fields, 0);
  const s = out.join(' ¦ ');
  return s.length > 4000 ? s.slice(0, 4000) + ' …' : s;
}

test('the details cell: every field as Key: value in key order, evtx_dump prefixes left off, at most 201 parts and 4,000 characters', async () => {
  const { detailsOf } = await import('./timeline-rows.js');
  const cases: Record<string, unknown>[] = [
    { Event: { System: { EventID: 1, Computer: 'EX01', Empty: '', Dash: '-', Nil: null }, EventData: { CommandLine: 'a "b" ¦ c', Data: ['x', '', { y: 1 }] }, UserData: { Deep: { a: { b: { c: { d: 1 } } } } }, EventDataX: 'kept' }, 'Event.System': 'dotted key' },
    { 'c-ip': '10.0.0.1', n: 0, f: false, big: 12345678901234567890, nested: [[['z']]] },
    Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, `v${i}`])),
    { long: 'x'.repeat(3990), next: 'y'.repeat(50), more: 'z' },
    { sparse: [1, , 3], Event: 'scalar event' }, // eslint-disable-line no-sparse-arrays
    { Event: { EventData: ['array at EventData'] } },
    {},
  ];
  for (const [i, c] of cases.entries()) assert.equal(detailsOf(c), detailsOracle(c), `case ${i}`);
  for (const f of [...hostileFindings(), ...sampleFindings()]) assert.equal(detailsOf({ ...f.fields }), detailsOracle(f.fields));
});

test('rows one after another that differ in one cell only (any column) get that cell: the pieces an event or a rule shares are made again whenever a value differs', async () => {
  const { stringify } = await import('csv-stringify/sync');
  const { timelineCsvPieces, TIMELINE_COLUMNS } = { ...(await import('./csv-timeline.js')), ...(await import('./timeline-rows.js')) };
  const { timesketchPieces } = await import('./timesketch.js');
  const { Pieces } = await import('./finding-line.js');
  const oracle = (row: ReturnType<typeof timelineRow>): string => stringify([TIMELINE_COLUMNS.map((c) => safeCell(row[c]))], { quoted: true, quoted_empty: true, record_delimiter: '\r\n' });
  const [f] = sampleFindings();
  const base = timelineRow(f!, cat);
  let compared = 0;
  for (const col of TIMELINE_COLUMNS) {
    // the same finding, then one whose row differs in `col` alone (the rule object kept), then the first again
    const changed = { ...base, [col]: `${base[col]}"x,y` };
    for (const row of [base, changed, base]) {
      const out = new Pieces();
      timelineCsvPieces(row, out, f!.rule);
      assert.equal(out.text() + '\r\n', oracle(row), `csv, ${col}`);
      const sketch = new Pieces();
      assert.ok(timesketchPieces(f!, cat, row, sketch));
      const parsed = JSON.parse(sketch.text()) as Record<string, unknown>;
      const named: Record<string, string> = { Computer: 'computer', EvidenceFile: 'evidence_file', EvidenceLine: 'evidence_line', EvidenceRecord: 'evidence_record', MitreTactics: 'attack_tactics', MitreTags: 'attack_techniques', CVEs: 'cves', ClientIP: 'client_ip', UserAgent: 'user_agent', User: 'user', Path: 'path', Details: 'details', RuleTitle: 'rule_title', RuleID: 'rule_id', RuleAuthor: 'rule_author', RuleFile: 'rule_file' };
      if (named[col]) assert.equal(parsed[named[col]!], row[col], `timesketch, ${col}`);
      compared++;
    }
  }
  // a finding without a usable time between two with one: left out, and the next one's time is its own
  const times = [f!.time, null, '1600-01-01T00:00:00Z', f!.time, '2021-03-02T01:02:03.123456Z'];
  for (const t of times) {
    const g = { ...f!, time: t } as Finding;
    const out = new Pieces();
    const made = timesketchPieces(g, cat, timelineRow(g, cat), out);
    assert.equal(made ? out.text() : null, sketchOracle(g), `time ${t}`);
  }
  assert.equal(compared, TIMELINE_COLUMNS.length * 3);
});
