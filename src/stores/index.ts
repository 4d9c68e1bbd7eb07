// Stores: events, findings and scan summaries persisted in ClickHouse and queried there (retro-hunts, fleet views).
export * from './clickhouse/index.js';
export * from './hunt/index.js';
