// The SQL backend against chDB, modifier by modifier: each rule runs in-process (closures) and in SQL over
// the same stored events, and both must give the same (rule, event) pairs — and at least one, so both ran.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HuntEvent } from '../../event.js';
import type { Finding } from '../../finding.js';
import { exchangeEvent, exchangeRule, ruleSetFromText, winEvent } from '../../engines/sigma/testkit.js';
import { ensureSchema, HOT_FIELDS, HOT_MASKS } from '../clickhouse/index.js';
import { hotFields, huntStore, multiValuedFields, placementsInScope, scopeSql, type StoreHuntOptions, type StoreHuntSummary } from './retro-hunt.js';
import { openTestStore, putEvents, type TestStore } from './testkit.js';

let chdbMissing: string | false = false;
try {
  await import('chdb');
} catch {
  chdbMissing = 'chdb (optional dependency) is not installed';
}

const key = (host: string, f: Finding): string => `${f.rule.id}|${host}|${f.evidence.path}|${f.evidence.line ?? 0}|${f.evidence.record ?? 0}`;

let db: TestStore;
let hostNo = 0;

/** Both paths over the same events; returns the in-process keys, the SQL keys and the hunt's summary. */
async function both(
  texts: string[],
  events: HuntEvent[],
  placeholders: Record<string, string[]> = {},
  extra: Partial<StoreHuntOptions> = {},
): Promise<{ local: string[]; sql: string[]; summary: StoreHuntSummary }> {
  const { set, problems } = ruleSetFromText(texts, placeholders);
  assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
  const host = `H${++hostNo}`;
  const run = set.createRun();
  const local: string[] = [];
  for (const e of events) for (const f of run.match(e)) local.push(key(host, f));
  for (const f of run.finish()) local.push(key(host, f));
  await putEvents(db.client, host, 'c', events);
  const sql: string[] = [];
  const summary = await huntStore(db.client, { ruleSet: set, hosts: [host], onFinding: (f) => void sql.push(key(host, f)), ...extra });
  return { local: local.sort(), sql: sql.sort(), summary };
}

async function same(detection: string, events: HuntEvent[], opts: { placeholders?: Record<string, string[]>; min?: number; inProcess?: string } = {}): Promise<void> {
  const r = await both([exchangeRule(detection)], events, opts.placeholders);
  assert.deepEqual(r.sql, r.local);
  assert.ok(r.local.length >= (opts.min ?? 1), `expected matches, got ${r.local.length}`);
  assert.deepEqual(
    r.summary.inProcess.map((x) => x.reason),
    opts.inProcess ? [opts.inProcess] : [],
  );
}

const ev = exchangeEvent;

describe('Sigma in SQL (chDB) gives the closure compiler’s matches', { skip: chdbMissing }, () => {
  before(async () => {
    db = await openTestStore();
  });
  after(async () => {
    await db?.close();
  });

  test('plain, contains, startswith, endswith: case-insensitive, non-ASCII too', async () => {
    const evs = [ev({ UrlStem: '/ECP/Default.FLT' }), ev({ UrlStem: '/owa/auth/x.aspx' }), ev({ UrlStem: 'ÜBER/Straße' }), ev({ UrlStem: 'other' }), ev({})];
    await same('    s:\n        UrlStem: /ecp/default.flt\n    condition: s', evs);
    await same('    s:\n        UrlStem|contains: AUTH/\n    condition: s', evs);
    await same('    s:\n        UrlStem|startswith: über\n    condition: s', evs);
    await same('    s:\n        UrlStem|endswith: STRASSE\n    t:\n        UrlStem|endswith: straße\n    condition: s or t', evs);
  });

  test('wildcards: ? and several stars, escaped ones, LIKE metacharacters literal', async () => {
    const evs = [ev({ A: 'ab_c%d' }), ev({ A: 'abXc%d' }), ev({ A: 'a*b' }), ev({ A: 'a1b2c3' }), ev({ A: 'a\\b' })];
    await same("    s:\n        A: 'ab_c%d'\n    condition: s", evs);
    await same("    s:\n        A: 'a?b*c*'\n    condition: s", evs, { min: 1 });
    await same("    s:\n        A: 'a\\*b'\n    condition: s", evs);
    await same("    s:\n        A: 'a\\b'\n    condition: s", evs);
  });

  test('all, cased, neq, exists, null and empty', async () => {
    const evs = [ev({ A: 'foo bar', B: '' }), ev({ A: 'FOO', B: 'x' }), ev({ A: 'bar foo' }), ev({ B: 'y' })];
    await same('    s:\n        A|contains|all: [foo, bar]\n    condition: s', evs);
    await same('    s:\n        A|cased: FOO\n    condition: s', evs);
    await same('    s:\n        A|neq: FOO\n    condition: s', evs, { min: 2 });
    await same('    s:\n        B|exists: true\n    condition: s', evs);
    await same('    s:\n        B|exists: false\n    condition: s', evs);
    await same('    s:\n        B: null\n    condition: s', evs);
    await same("    s:\n        B: ''\n    condition: s", evs);
  });

  test('re with i, m and s; RE2 classes; lookaround stays in-process', async () => {
    const evs = [ev({ A: 'Line1\nline2' }), ev({ A: 'abc123' }), ev({ A: 'ABC123' })];
    await same("    s:\n        A|re: '^abc\\d+$'\n    condition: s", evs);
    await same("    s:\n        A|re|i: '^abc\\d+$'\n    condition: s", evs, { min: 2 });
    await same("    s:\n        A|re: '^line2'\n    t:\n        A|re|m: '^line2'\n    condition: s or t", evs);
    await same("    s:\n        A|re: 'Line1.line2'\n    t:\n        A|re|s: 'e1.l'\n    condition: s or t", evs);
    await same("    s:\n        A|re: 'abc(?=1)'\n    condition: s", evs, { inProcess: 'regex-lookaround' });
  });

  test('base64, base64offset, wide, windash', async () => {
    const b = Buffer.from('whoami /all').toString('base64');
    const wide = Buffer.from('Invoke-X', 'utf16le').toString('base64');
    const evs = [ev({ A: `x ${b} y` }), ev({ A: `pre ${wide}` }), ev({ A: 'net user –add' }), ev({ A: 'net user /add' })];
    await same('    s:\n        A|base64|contains: whoami /all\n    condition: s', evs);
    await same('    s:\n        A|wide|base64offset|contains: Invoke\n    condition: s', evs);
    await same('    s:\n        A|windash|contains: net user -add\n    condition: s', evs, { min: 2 });
  });

  test('cidr (IPv4 in SQL, IPv6 in-process), lt/gt on numbers', async () => {
    const evs = [ev({ Ip: '10.1.2.3', N: '42' }), ev({ Ip: ' 192.168.0.1 ', N: '0x10' }), ev({ Ip: '10.1.2', N: 'x' }), ev({ Ip: '2001:db8::1', N: '1e3' })];
    await same('    s:\n        Ip|cidr: [10.0.0.0/8, 192.168.0.0/16]\n    condition: s', evs, { min: 2 });
    await same("    s:\n        Ip|cidr: '2001:db8::/32'\n    condition: s", evs, { inProcess: 'cidr-ipv6' });
    await same('    s:\n        N|gt: 15\n    condition: s', evs, { min: 3 });
    await same('    s:\n        N|lte: 16\n    condition: s', evs);
  });

  test('in-process rules read only the events that pass what SQL can say of them (IPv6 ranges taken as passing)', async () => {
    const evs = [
      ev({ A: 'x', Ip: 'fd00::1' }),
      ev({ A: 'x', Ip: '2001:db8::1' }),
      ev({ A: 'x', Ip: '10.0.0.1' }),
      ev({ A: 'y', Ip: '2001:db8::2' }),
      ev({ A: 'y', Ip: 'fd00::2' }),
      ev({ A: 'z' }),
    ];
    const det = "    sel:\n        A: x\n    v6:\n        Ip|cidr: 'fc00::/7'\n    other:\n        A: y\n";
    for (const [condition, read] of [
      ['sel and not v6', 3],
      ['sel and v6', 3],
      ['not (sel and not v6) and not other', 4],
      ['1 of sel* or (other and v6)', 5],
      ['v6 or other', 6],
      ['not v6 and other', 2],
    ] as const) {
      const r = await both([exchangeRule(`${det}    condition: ${condition}`)], evs);
      assert.deepEqual(r.sql, r.local, condition);
      assert.ok(r.local.length >= 1, `${condition}: expected matches`);
      assert.deepEqual(r.summary.inProcess.map((x) => x.reason), ['cidr-ipv6']);
      assert.equal(r.summary.inProcessEvents, read, condition);
    }
  });

  test('placements without events in scope are known before the hunt (their logsources cost nothing)', async () => {
    const host = `H${++hostNo}`;
    await putEvents(db.client, host, 'c', [winEvent('Microsoft-Windows-Sysmon/Operational', 1, { Image: 'a' }), winEvent('Security', 4688, { NewProcessName: 'b' })]);
    const sysmon1 = "source NOT IN ('w3c', 'exchange') AND (place_key IN ('microsoft-windows-sysmon/operational|1'))";
    const sysmon11 = "source NOT IN ('w3c', 'exchange') AND (place_key IN ('microsoft-windows-sysmon/operational|11'))";
    const security = "source NOT IN ('w3c', 'exchange') AND (place_channel IN ('security'))";
    const web = "source IN ('w3c', 'exchange') AND category = 'webserver'";
    const scope = scopeSql({ hosts: [host] });
    assert.deepEqual(new Set((await placementsInScope(db.client, [sysmon1, sysmon11, security, web], scope, true))?.keys()), new Set([sysmon1, security]));
    // Each placement's narrowing names its events' sort-key values and selects exactly the events its placement does.
    await putEvents(db.client, host, 'c', [winEvent('Microsoft-Windows-Sysmon/Operational', 11, { TargetFilename: 'c' }), winEvent('microsoft-windows-sysmon/operational', 1, { Image: 'd' })]);
    const placed = (await placementsInScope(db.client, [sysmon1, security], scope, true))!;
    assert.equal(placed.get(sysmon1), "source IN ('json') AND service IN ('') AND channel IN ('Microsoft-Windows-Sysmon/Operational', 'microsoft-windows-sysmon/operational') AND event_id IN (1)");
    assert.equal(placed.get(security), "source IN ('json') AND service IN ('') AND channel IN ('Security') AND event_id IN (4688)");
    for (const [w, narrow] of placed) {
      const count = async (cond: string): Promise<number> => Number((await db.client.rows<{ n: number | string }>(`SELECT count() AS n FROM events WHERE ${scope} AND ${cond}`))[0]!.n);
      assert.equal(await count(`(${w}) AND ${narrow}`), await count(w));
      assert.ok((await count(w)) > 0);
    }
    // A placement reading a column it does not group by: not known, every logsource is hunted.
    assert.equal(await placementsInScope(db.client, [sysmon1, "path = 'x'"], scope, true), null);
  });

  test('fieldref, keywords, expand placeholders', async () => {
    const evs = [ev({ A: 'Same', B: 'same' }), ev({ A: 'x', B: 'y' }), ev({ A: 'mimikatz here' })];
    await same('    s:\n        A|fieldref: B\n    condition: s', evs);
    await same('    kw:\n        - MIMIKATZ\n    condition: kw', evs);
    await same('    s:\n        A|expand: \'%who%\'\n    condition: s', evs, { placeholders: { who: ['x', 'same'] }, min: 2 });
  });

  test('keywords and multi-valued fields: only values that may match are lower-cased, the same matches', async () => {
    // K (KELVIN SIGN) lower-cases to ASCII 'k': an ASCII-case-insensitive search alone would miss it, so a value
    // that is not ASCII is always kept for lowerUTF8 and the exact test.
    const evs = [
      ev({ A: 'run KERBEROS::Golden now' }),
      ev({ A: '\u212Aerberos::golden' }),
      ev({ A: 'ÜBER kerberos::golden' }),
      ev({ A: 'İSTANBUL' }),
      ev({ A: 'kerberos', B: '::golden' }),
      ev({ A: 'nothing' }),
      ev({ A: 'EXACT' }),
    ];
    await same('    kw:\n        - kerberos::golden\n        - lsadump::\n    condition: kw', evs, { min: 3 });
    await same('    kw:\n        - \'*exact\'\n        - \'kerberos::golden\'\n    condition: kw', evs, { min: 4 });
    await same('    kw:\n        - \'\'\n        - nothing\n    condition: kw', evs, { min: 1 });
    const r = await both([exchangeRule('    kw:\n        - kerberos::golden\n    condition: kw')], evs);
    assert.deepEqual(r.sql, r.local);
    assert.equal(r.local.length, 3, r.local.join('\n'));
    // A server without isValidASCII (before 23.x) tells a value that is not ASCII by isValidUTF8 and lengthUTF8.
    const old = await both([exchangeRule('    kw:\n        - kerberos::golden\n    condition: kw')], evs, {}, { validAscii: false });
    assert.deepEqual(old.sql, old.local);
    assert.equal(old.local.length, 3, 'KELVIN SIGN and Ü kept without isValidASCII too');
  });

  test('the condition grammar: not, 1 of, all of, them, patterns', async () => {
    const evs = [ev({ A: 'a', B: 'b' }), ev({ A: 'a' }), ev({ B: 'b' }), ev({ C: 'c' })];
    const det = '    sel_a:\n        A: a\n    sel_b:\n        B: b\n    _c:\n        C: c\n';
    await same(`${det}    condition: all of sel_*`, evs);
    await same(`${det}    condition: 1 of them and not sel_b`, evs);
    await same(`${det}    condition: all of them`, evs.slice(0, 1).concat(ev({ A: 'a', B: 'b', C: 'c' })));
    await same(`${det}    condition: not (sel_a or sel_b)`, evs);
    await same(`${det}    condition: 2 of sel_*`, evs);
  });

  test('hostile rule values match literally and harm nothing', async () => {
    const hostile = ["'); DROP TABLE events; --", 'back\\slash', 'quote\'"', 'nul\u0000byte', '{placeholder}', '{p:String}'];
    const evs = hostile.map((h) => ev({ A: h }));
    for (const h of hostile) {
      const yaml = `    s:\n        A: ${JSON.stringify(h)}\n    t:\n        A|contains: ${JSON.stringify(h)}\n    condition: s and t`;
      await same(yaml, evs);
    }
    const [{ n }] = await db.client.rows<{ n: string }>('SELECT count() AS n FROM events');
    assert.ok(Number(n) > 0);
  });

  test('Windows: logsource placement, field mappings, filters, correlations', async () => {
    const rule = (id: string, det: string): string =>
      `title: ${id}\nid: ${id}\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n${det}\n`;
    const sysmon = (img: string, time: string) => winEvent('Microsoft-Windows-Sysmon/Operational', 1, { Image: img, CommandLine: `${img} -x` }, { time });
    const sec = (img: string) => winEvent('Security', 4688, { NewProcessName: img, CommandLine: img });
    const other = winEvent('Security', 4624, { Image: 'C:\\w3wp.exe' });
    const filter = 'title: f\nfilter:\n    rules: [p1]\n    sel:\n        CommandLine|contains: skip\n    condition: not sel\nlogsource:\n    product: windows\n    category: process_creation\n';
    const corr = 'title: c\nid: c1\ncorrelation:\n    type: event_count\n    rules: [p1]\n    group-by: [Computer]\n    timespan: 1h\n    generate: true\n    condition:\n        gte: 2\n';
    const events = [
      sysmon('C:\\Windows\\w3wp.exe', '2024-01-01T00:00:00Z'),
      sysmon('C:\\x\\W3WP.EXE', '2024-01-01T00:10:00Z'),
      sysmon('C:\\skip\\w3wp.exe', '2024-01-01T00:20:00Z'),
      sec('C:\\Windows\\w3wp.exe'),
      other,
    ];
    const r = await both([rule('p1', '    s:\n        Image|endswith: \\w3wp.exe\n    condition: s') + '---\n' + filter + '---\n' + corr], events);
    assert.deepEqual(r.sql, r.local);
    assert.ok(r.local.filter((k) => k.startsWith('p1|')).length === 3, r.local.join('\n'));
    assert.ok(r.local.some((k) => k.startsWith('c1|')));
  });

  test('multi-valued fields: tested as arrays, every other field as one value, same matches', async () => {
    const rule = (id: string, det: string): string =>
      `title: ${id}\nid: ${id}\nlogsource:\n    product: windows\n    service: system\ndetection:\n${det}\n`;
    const e = (data: Record<string, unknown>) => winEvent('System', 7045, data);
    const events = [e({ Tag: ['alpha', 'Beta'], One: 'x' }), e({ Tag: 'beta', One: '' }), e({ Tag: ['', 'gamma'] }), e({ One: 'alphabet' }), e({ Tag: ['10.1.2.3', '7'] }), e({ Tag: 'Same', One: 'same' })];
    const rules = [
      rule('m1', '    s:\n        Tag: beta\n    condition: s'),
      rule('m2', '    s:\n        Tag|contains: [lph, amm]\n    condition: s'),
      rule('m3', '    s:\n        Tag: null\n    condition: s'),
      rule('m4', "    s:\n        Tag: ''\n    condition: s"),
      rule('m5', "    s:\n        One: ''\n    condition: s"),
      rule('m6', '    s:\n        One: null\n    condition: s'),
      rule('m7', '    s:\n        One|re: ^alp\n    t:\n        Tag|re: ^gam\n    condition: s or t'),
      rule('m8', '    s:\n        Tag|cidr: 10.0.0.0/8\n    t:\n        Tag|gt: 5\n    condition: s and t'),
      rule('m9', '    s:\n        Tag|contains|all: [alp, eta]\n    condition: s'),
      // fieldref between a multi-valued field (its values joined) and a single one (its one value).
      rule('m10', '    s:\n        Tag|fieldref: One\n    condition: s'),
    ];
    const r = await both([rules.join('---\n')], events);
    assert.deepEqual(r.sql, r.local);
    // contains|all over a multi-valued field: each value of the list may be in a different value (as the engine reads it).
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']) assert.ok(r.local.some((k) => k.startsWith(`${id}|`)), `${id} matched nothing`);
    assert.deepEqual([...(await multiValuedFields(db.client, `host = 'H${hostNo}'`))].sort(), ['Tag']);
    // The store's flag of events naming a field twice (key_repeats) finds the same fields.
    assert.deepEqual([...(await multiValuedFields(db.client, `host = 'H${hostNo}'`, true))].sort(), ['Tag']);
    assert.deepEqual(
      (await db.client.rows<{ k: number | string; n: number | string }>(`SELECT key_repeats AS k, count() AS n FROM events WHERE host = 'H${hostNo}' GROUP BY k ORDER BY k`)).map((r) => [Number(r.k), Number(r.n)]),
      (await db.client.rows<{ k: number | string; n: number | string }>(`SELECT arrayUniq(keys) < length(keys) AS k, count() AS n FROM events WHERE host = 'H${hostNo}' GROUP BY k ORDER BY k`)).map((r) => [Number(r.k), Number(r.n)]),
    );
  });

  test('fields kept as their own columns: read from there, the same matches; a store made before them gains them', async () => {
    const rule = (id: string, det: string): string =>
      `title: ${id}\nid: ${id}\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n${det}\n`;
    const e = (data: Record<string, unknown>) => winEvent('Microsoft-Windows-Sysmon/Operational', 1, data);
    const events = [
      e({ Image: 'C:\\Windows\\System32\\CMD.exe', CommandLine: 'cmd /c whoami', User: 'NT AUTHORITY\\SYSTEM' }),
      e({ Image: 'C:\\x\\cmd.exe', CommandLine: '', User: 'alice' }),
      e({ Image: 'C:\\x\\powershell.exe' }),
      e({ CommandLine: 'WHOAMI /all', ParentImage: 'C:\\inetpub\\w3wp.exe' }),
      winEvent('Security', 4688, { NewProcessName: 'C:\\Windows\\cmd.exe', CommandLine: 'cmd.exe /c whoami' }),
      // Fields of the second mask (hot_mask_2): ParentUser, LogonId, FileVersion.
      e({ Image: 'C:\\y\\a.exe', ParentUser: 'NT AUTHORITY\\SYSTEM', LogonId: '0x3e7', FileVersion: '' }),
      e({ Image: 'C:\\y\\b.exe', ParentUser: 'bob', FileVersion: '10.0' }),
    ];
    const rules = [
      rule('h1', '    s:\n        Image|endswith: \\cmd.exe\n    condition: s'),
      rule('h2', '    s:\n        CommandLine|contains: whoami\n    condition: s'),
      rule('h3', "    s:\n        CommandLine: ''\n    condition: s"),
      rule('h4', '    s:\n        CommandLine: null\n    condition: s'),
      rule('h5', '    s:\n        ParentImage|endswith: \\w3wp.exe\n    f:\n        User|contains: system\n    condition: s and not f'),
      rule('h6', '    s:\n        Image|endswith: \\cmd.exe\n    f:\n        CommandLine|contains: whoami\n    condition: s and not f'),
      rule('h7', '    s:\n        ParentUser|contains: system\n    condition: s'),
      rule('h8', '    s:\n        Image|contains: \\y\\\n        LogonId: null\n    condition: s'),
      rule('h9', "    s:\n        FileVersion: ''\n    f:\n        ParentUser: bob\n    condition: s or f"),
    ];
    const hot = await both([rules.join('---\n')], events);
    assert.ok(hot.summary.hotFields > 0, 'chDB keeps hot columns');
    assert.equal(hot.summary.valueSets.logsources, 1, 'over value sets, both masks');
    assert.deepEqual(hot.sql, hot.local);
    for (const id of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9']) assert.ok(hot.local.some((k) => k.startsWith(`${id}|`)), `${id} matched nothing`);
    const fields = await hotFields(db.client);
    assert.deepEqual([fields.get('CommandLine')?.mask, fields.get('ParentUser')?.mask, fields.get('FileVersion')?.bit], ['hot_mask', 'hot_mask_2', String(1n << BigInt(HOT_FIELDS.indexOf('FileVersion') - 56))]);
    assert.deepEqual([fields.get('cs-user-agent')?.mask, fields.get('cs-username')?.bit], ['hot_mask_3', String(1n << BigInt(HOT_FIELDS.indexOf('cs-username') - 80))]);
    const { set } = ruleSetFromText([rules.join('---\n')]);
    const hostCols = async (): Promise<string[]> =>
      (
        await db.client.rows<{ name: string }>(
          `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'events' AND (name LIKE 'h\\_%' OR name IN (${[...HOT_MASKS.map((m) => m.name), 'key_repeats', 'place_key', 'place_channel'].map((n) => `'${n}'`).join(', ')}))`,
        )
      ).map((r) => r.name);
    // A store made before the second mask (and those after it): their fields are read from keys/vals, the first
    // mask's from their columns.
    const second = HOT_MASKS[1]!;
    const later = HOT_MASKS.slice(1);
    await db.client.exec(`ALTER TABLE events ${later.flatMap((m) => [`DROP COLUMN ${m.name}`, ...HOT_FIELDS.slice(m.from, m.to).map((_, j) => `DROP COLUMN h_${m.from + j}`)]).join(', ')}`);
    const first = await hotFields(db.client);
    assert.deepEqual([first.has('CommandLine'), first.has('ParentUser'), first.size], [true, false, second.from]);
    const host1 = `H${++hostNo}`;
    await putEvents(db.client, host1, 'c', events);
    const mid: string[] = [];
    await huntStore(db.client, { ruleSet: set, hosts: [host1], onFinding: (f) => void mid.push(key(host1, f)) });
    assert.deepEqual(mid.map((k) => k.replace(`|${host1}|`, '|')).sort(), hot.local.map((k) => k.replace(/\|H\d+\|/, '|')).sort());
    // A store made before the hot columns: they are dropped, the events stored again, and ensureSchema adds them
    // back, computed for the rows already there.
    const cols = await hostCols();
    assert.ok(cols.length >= second.from + 4, `hot columns: ${cols.length}`);
    await db.client.exec(`ALTER TABLE events ${cols.map((c) => `DROP COLUMN \`${c}\``).join(', ')}`);
    const host = `H${++hostNo}`;
    await putEvents(db.client, host, 'c', events);
    const before: string[] = [];
    const plain = await huntStore(db.client, { ruleSet: set, hosts: [host], onFinding: (f) => void before.push(key(host, f)) });
    assert.equal(plain.hotFields, 0);
    await ensureSchema(db.client);
    const after: string[] = [];
    const again = await huntStore(db.client, { ruleSet: set, hosts: [host], onFinding: (f) => void after.push(key(host, f)) });
    assert.equal(again.hotFields, HOT_FIELDS.length);
    assert.equal((await hostCols()).length, HOT_FIELDS.length + HOT_MASKS.length + 3);
    assert.deepEqual(after.sort(), before.sort());
    assert.deepEqual(after.map((k) => k.replace(`|${host}|`, '|')), hot.local.map((k) => k.replace(/\|H\d+\|/, '|')));
  });

  test('value sets: each distinct set of the values a logsource reads is tested once; the same matches as event by event', async () => {
    const rule = (id: string, det: string, category = 'process_creation'): string =>
      `title: ${id}\nid: ${id}\nlogsource:\n    product: windows\n    category: ${category}\ndetection:\n${det}\n`;
    const e = (data: Record<string, unknown>, id = 1) => winEvent('Microsoft-Windows-Sysmon/Operational', id, data);
    // Many events, few value sets: the same process started again and again (only ProcessId differs, which no
    // rule reads), a repeated field (keyword rules read every value), a Security 4688 beside Sysmon 1.
    const events: HuntEvent[] = [];
    for (let i = 0; i < 30; i++) {
      events.push(e({ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami', ProcessId: String(1000 + i) }));
      for (const j of [0, 1]) events.push(e({ Image: 'C:\\Windows\\System32\\svchost.exe', CommandLine: 'svchost -k netsvcs', ProcessId: String(2000 + 2 * i + j) }));
      events.push(e({ TargetFilename: i % 2 ? 'C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx' : 'C:\\Temp\\a.tmp', Tag: ['a', 'b'] }, 11));
    }
    events.push(winEvent('Security', 4688, { NewProcessName: 'C:\\Windows\\cmd.exe', CommandLine: 'cmd.exe /c whoami' }));
    const rules = [
      rule('v1', '    s:\n        Image|endswith: \\cmd.exe\n    condition: s'),
      rule('v2', '    s:\n        CommandLine|contains: whoami\n    f:\n        Image|endswith: \\svchost.exe\n    condition: s and not f'),
      rule('v3', '    s:\n        TargetFilename|contains: \\aspnet_client\\\n    condition: s', 'file_event'),
      rule('v4', '    s:\n        Tag: b\n    condition: s', 'file_event'),
      rule('v5', '    keywords:\n        - netsvcs\n    condition: keywords'),
    ];
    const sets = await both([rules.join('---\n')], events);
    assert.deepEqual(sets.sql, sets.local);
    for (const id of ['v1', 'v2', 'v3', 'v4', 'v5']) assert.ok(sets.local.some((k) => k.startsWith(`${id}|`)), `${id} matched nothing`);
    assert.equal(sets.summary.valueSets.logsources, 2, 'process_creation and file_event ran over value sets');
    assert.equal(sets.summary.valueSets.events, events.length);
    assert.ok(sets.summary.valueSets.sets < events.length / 2, `${sets.summary.valueSets.sets} value sets for ${events.length} events`);
    // Process creation's matching sets (cmd) hold 31 of its 91 events: their image or command line is tested alone
    // first, on its dictionary; file_event's sets all match, so no column goes first there.
    assert.equal(sets.summary.valueSets.leads, 1);
    // Event by event (asked for; or where a logsource has more value sets than allowed): the same matches.
    const hostless = (keys: string[]): string[] => keys.map((k) => k.replace(/\|H\d+\|/, '|'));
    for (const extra of [{ valueSets: false }, { valueSetLimits: { max: 1 } }]) {
      const rows = await both([rules.join('---\n')], events, {}, extra);
      assert.equal(rows.summary.valueSets.logsources, 0, JSON.stringify(extra));
      assert.deepEqual(hostless(rows.sql), hostless(sets.sql));
    }
    // Many value sets: only the matching ones come back (an array of rules each), the same matches.
    const many = await both([rules.join('---\n')], events, {}, { valueSetLimits: { allSets: 0 } });
    assert.equal(many.summary.valueSets.logsources, 2);
    assert.deepEqual(hostless(many.sql), hostless(sets.sql));
  });
});

