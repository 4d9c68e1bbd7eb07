// The ingest's door: a collection's scan and events kept in the ClickHouse store (exhunt ingest), and its counts.
export { ingest, collectionHost, type IngestOptions, type IngestResult, type IngestCollection } from './ingest.js';
export { storeStats, type StoreStats } from './stats.js';
