// Differential test of the retro-hunt (issue 14): SigmaHQ's regression events (when ../shared is there), the
// example collection and a generated second server are stored in chDB; for every rule the (rule, host, evidence
// path, line, record) set from SQL equals the in-process engine's. Counts the rules, proves both paths ran.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { discover } from '../src/evidence/index.js';
import type { HuntEvent } from '../src/event.js';
import type { Finding } from '../src/finding.js';
import { eventBatches, readerFor } from '../src/readers/index.js';
import { loadSigma, type SigmaRuleSet } from '../src/engines/sigma/index.js';
import { hasShared, projectRoot, rulesDir, sharedDir } from '../src/paths.js';
import { huntStore, type StoreHuntSummary } from '../src/stores/hunt/index.js';
import { ensureSchema, HOT_FIELDS, keepsHotColumns, openStore, parseStoreUrl, PLACE_EXPRS, type StoreClient } from '../src/stores/clickhouse/index.js';
import { openTestStore, putEvents, type TestStore } from '../src/stores/hunt/testkit.js';
import { readSidecar } from './conformance/sidecar.js';
import { writeBehindBalancer } from './e2e/balancer-collection.js';

let chdbMissing: string | false = false;
try {
  await import('chdb');
} catch {
  chdbMissing = 'chdb (optional dependency) is not installed';
}
if (!hasShared) console.log('# store-hunt differential: ../shared absent, SigmaHQ rules and regression events left out');

async function readCollection(paths: string[]): Promise<HuntEvent[]> {
  const out: HuntEvent[] = [];
  const sink = (): void => {};
  for await (const ev of discover(paths, sink)) {
    const reader = readerFor(ev.kind);
    if (!reader) continue;
    for await (const batch of eventBatches(reader, ev, sink)) out.push(...batch);
  }
  return out;
}

const key = (host: string, f: Finding): string => `${f.rule.id}\t${host}\t${f.evidence.path}\t${f.evidence.line ?? 0}\t${f.evidence.record ?? 0}`;

function differential(label: string, skip: string | false, url?: string): void {
  describe(`retro-hunt in SQL equals the in-process engine (${label})`, { skip }, () => {
    let db: TestStore;
    let set: SigmaRuleSet;
    let rulesLoaded = 0;
    const local = new Set<string>();
    const sql = new Set<string>();
    let summary: StoreHuntSummary;
    const rowSql = new Set<string>();
    let rowSummary: StoreHuntSummary | null = null;
    let t0 = 0;
    const gen = mkdtempSync(join(tmpdir(), 'exhunt-diff-'));

    before(async () => {
      const sigma = join(sharedDir, 'sigma');
      const manifest = hasShared ? (JSON.parse(readFileSync(join(sigma, 'regression_manifest.json'), 'utf8')) as { json_path: string; rule_path: string }[]) : [];
      // exhunt's packs and the rules SigmaHQ's regression events test (all SigmaHQ Windows rules: bench/store-hunt.ts).
      const paths = [join(rulesDir, 'sigma'), ...new Set(manifest.map((m) => join(sigma, m.rule_path)))];
      t0 = Date.now();
      const loaded = await loadSigma(paths, { builtinRoot: rulesDir });
      set = loaded.ruleSet;
      rulesLoaded = set.size;
      writeBehindBalancer(gen);
      const collections: [string, HuntEvent[]][] = [
        ['EXCH2021', await readCollection([join(projectRoot, 'examples', 'exchange-2021')])],
        ['EXCH-GEN', [...(await readCollection([gen])), ...(await readCollection([join(projectRoot, 'test', 'fixtures', 'exchange')]))]],
      ];
      if (hasShared) {
        collections.push(['SIGMAHQ', manifest.flatMap((m) => readSidecar(join(sigma, m.json_path), m.json_path))]);
      }
      console.log(`# loaded and read in ${Date.now() - t0} ms`);
      db = await openTestStore(url);
      for (const [host, events] of collections) {
        const run = set.createRun();
        for (const e of events) for (const f of run.match(e)) local.add(key(host, f));
        for (const f of run.finish()) local.add(key(host, f));
        await putEvents(db.client, host, host, events);
      }
      console.log(`# in-process and stored in ${Date.now() - t0} ms`);
      summary = await huntStore(db.client, { ruleSet: set, onFinding: (f) => void sql.add(key(f.host!, f)) });
      // Where the hunt ran over value sets, once more event by event: both SQL paths are compared.
      if (summary.valueSets.logsources > 0) rowSummary = await huntStore(db.client, { ruleSet: set, valueSets: false, onFinding: (f) => void rowSql.add(key(f.host!, f)) });
    });
    after(async () => {
      console.log(`# hunted by ${Date.now() - t0} ms`);
      await db?.close();
      rmSync(gen, { recursive: true, force: true });
    });

    test('every rule gives the same (rule, host, path, line, record) set on both paths', () => {
      const missing = [...local].filter((k) => !sql.has(k));
      const extra = [...sql].filter((k) => !local.has(k));
      assert.deepEqual({ missing: missing.slice(0, 20), extra: extra.slice(0, 20) }, { missing: [], extra: [] });
      const rules = new Set([...local].map((k) => k.split('\t')[0]));
      console.log(
        `# rules loaded ${rulesLoaded}, compared ${summary.rules} (SQL ${summary.sqlRules}, in-process ${summary.inProcess.length}) in ${summary.queries} queries, ${summary.hotFields} fields from their own columns; ` +
          `${local.size} findings from ${rules.size} rules; base matches SQL ${summary.sqlMatches}, in-process ${summary.inProcessMatches}`,
      );
      assert.ok(summary.rules > (hasShared ? 250 : 50), `${summary.rules} rules`);
      assert.ok(summary.sqlMatches > 0 && local.size > 0, 'both paths ran and matched');
      // Every store reads the hot fields from their own columns (18.16 and clusters too, since session 16).
      assert.equal(summary.hotFields > 0, keepsHotColumns(db.client.info), `hot fields read from columns: ${summary.hotFields}`);
      // With them, each logsource's rules run over its distinct value sets; the same hunt event by event agrees.
      assert.equal(summary.valueSets.logsources > 0, keepsHotColumns(db.client.info), `value sets: ${JSON.stringify(summary.valueSets)}`);
      if (rowSummary) {
        assert.equal(rowSummary.valueSets.logsources, 0);
        assert.deepEqual([...rowSql].sort(), [...sql].sort());
        console.log(`# value sets: ${summary.valueSets.logsources} logsources, ${summary.valueSets.sets} sets of ${summary.valueSets.events} events; event by event: the same ${rowSql.size} findings`);
      }
    });

    test('the in-process-only set is small and named', () => {
      const byReason = new Map<string, number>();
      for (const r of summary.inProcess) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
      console.log(`# in-process only: ${JSON.stringify(Object.fromEntries(byReason))}`);
      for (const r of summary.inProcess) console.log(`#   ${r.reason}: ${r.rule.meta.id} ${r.rule.meta.title} — ${r.detail.slice(0, 120)}`);
      assert.ok(summary.inProcess.length <= summary.rules / 50, `${summary.inProcess.length} of ${summary.rules}`);
      for (const r of summary.inProcess) assert.ok(['regex-lookaround', 'regex-store-rejects', 'cidr-ipv6', 'time-part-modifier', 'dotted-field-path', 'query-too-large'].includes(r.reason), r.detail);
    });
  });
}

differential('chDB', chdbMissing);
// Debian's clickhouse-server 18.16 (no multiSearchAny, its own lowerUTF8): one node, and two shards behind
// Distributed tables, as .ci/run starts them (scripts/clickhouse-local.sh).
const single = process.env['EXHUNT_TEST_CLICKHOUSE'];
const cluster = process.env['EXHUNT_TEST_CLICKHOUSE_CLUSTER'];
differential('one ClickHouse server', single ? false : 'EXHUNT_TEST_CLICKHOUSE is not set (a ClickHouse server URL)', single);
differential('two-shard cluster', cluster ? false : 'EXHUNT_TEST_CLICKHOUSE_CLUSTER is not set (the first shard\'s URL with &cluster=)', cluster);

/**
 * A server store made before the hot columns (issue 14; servers keep them since session 16): its events stored
 * without them, ensureSchema adds them — on a cluster to every shard's table (DEFAULT, computed for the rows already
 * there) and to the Distributed table (MATERIALIZED, computed for new rows and forwarded) — and the retro-hunt then
 * reads them, over value sets, with the same findings as before for the old rows and for rows stored after.
 */
function upgrade(label: string, skip: string | false, url?: string): void {
  test(`${label}: a store made before the hot columns gains them, for its old rows and its new ones`, { skip }, async () => {
    const db = await openTestStore(url);
    // the store's own connection, or one per shard (each shard's tables: its local one and its Distributed one)
    const shards: { client: StoreClient; tables: string[] }[] = [];
    try {
      if (url && db.client.info.cluster) {
        // the shards as the URL names them (the first is the URL's own server; .ci/run's URL gives the second)
        const target = parseStoreUrl(url);
        for (const origin of [target.origin, ...target.shards.filter((o) => o !== target.origin)]) {
          shards.push({ client: await openStore(`${origin}/?database=${target.database}`), tables: ['events_local', 'events'] });
        }
        assert.equal(shards.length, 2, 'both shards named');
      } else shards.push({ client: db.client, tables: ['events'] });
      const isHot = (n: string): boolean => /^h_\d+$/.test(n) || /^hot_mask/.test(n) || ['key_repeats', 'place_key', 'place_channel'].includes(n);
      for (const { client, tables } of shards) {
        for (const t of tables) {
          const cols = (await client.rows<{ name: string }>(`SELECT name FROM system.columns WHERE database = currentDatabase() AND table = '${t}'`)).map((r) => r.name).filter(isHot);
          assert.ok(cols.length > HOT_FIELDS.length, `${t}: ${cols.length} hot columns to drop`);
          await client.exec(`ALTER TABLE ${t} ${cols.map((c) => `DROP COLUMN ${c}`).join(', ')}`);
        }
      }
      const set = (await loadSigma([join(rulesDir, 'sigma')], { builtinRoot: rulesDir })).ruleSet;
      const events = await readCollection([join(projectRoot, 'examples', 'exchange-2021')]);
      const local = new Set<string>();
      const run = set.createRun();
      for (const e of events) for (const f of run.match(e)) local.add(key('OLD', f));
      for (const f of run.finish()) local.add(key('OLD', f));
      await putEvents(db.client, 'OLD', 'OLD', events);
      const hunt = async (host: string): Promise<{ keys: string[]; summary: StoreHuntSummary }> => {
        const keys: string[] = [];
        const summary = await huntStore(db.client, { ruleSet: set, hosts: [host], onFinding: (f) => void keys.push(key('OLD', f)) });
        return { keys: keys.sort(), summary };
      };
      const before = await hunt('OLD');
      assert.equal(before.summary.hotFields, 0, 'without the columns, no field is read from one');
      assert.deepEqual(before.keys, [...local].sort());
      assert.ok(local.size > 20, `${local.size} findings`);
      await ensureSchema(db.client);
      const after = await hunt('OLD');
      assert.equal(after.summary.hotFields, HOT_FIELDS.length);
      assert.ok(after.summary.valueSets.logsources > 0, `value sets: ${JSON.stringify(after.summary.valueSets)}`);
      assert.deepEqual(after.keys, before.keys, 'the old rows: the same findings over the added columns');
      await putEvents(db.client, 'NEW', 'NEW', events);
      assert.deepEqual((await hunt('NEW')).keys, before.keys, 'rows stored after: the same findings');
      // every row, old and new, holds its placement as the expression gives it (not the type's default)
      const [wrong] = await db.client.rows<{ n: number | string }>(`SELECT count() AS n FROM events WHERE place_key != ${PLACE_EXPRS.place_key}`);
      assert.equal(Number(wrong?.n), 0);
    } finally {
      for (const { client } of shards) if (client !== db.client) await client.close();
      await db.close();
    }
  });
}

upgrade('one ClickHouse server', single ? false : 'EXHUNT_TEST_CLICKHOUSE is not set (a ClickHouse server URL)', single);
upgrade('two-shard cluster', cluster ? false : 'EXHUNT_TEST_CLICKHOUSE_CLUSTER is not set (the first shard\'s URL with &cluster=)', cluster);
