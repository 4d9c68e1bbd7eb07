// `exhunt store stats`: what the store holds, counted — visible events only (attempts never completed are not).
import { visibleEvents, type StoreClient } from '../stores/index.js';

export interface StoreStats {
  hosts: number;
  collections: number;
  evidence: number;
  events: number;
  findings: number;
}

export async function storeStats(store: StoreClient): Promise<StoreStats> {
  const one = async (sql: string): Promise<number> => Number((await store.rows<{ n: number }>(sql))[0]?.n ?? 0);
  return {
    hosts: await one('SELECT uniqExact(host) AS n FROM evidence WHERE complete = 1'),
    collections: await one('SELECT uniqExact(host, collection) AS n FROM scans'),
    evidence: await one('SELECT uniqExact(host, path, sha256) AS n FROM evidence WHERE complete = 1'),
    events: await one(`SELECT count() AS n FROM events WHERE ${visibleEvents()}`),
    findings: await one('SELECT count() AS n FROM findings'),
  };
}
