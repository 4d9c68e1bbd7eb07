// The ClickHouse store's door: the client interface, the tables and the event row shape.
export type { StoreClient, StoreInfo, StoreKind, StoreParams } from './client.js';
export { TABLES, EVENT_COLUMNS, EVENT_ORDER, EVIDENCE_COLUMNS, FINDING_COLUMNS, SCAN_COLUMNS, HOT_FIELDS, HOT_MASK, HOT_MASKS, hotBit, hotColumn, hotColumnType, hotMaskOf, KEY_REPEATS, PLACE_CHANNEL, PLACE_EXPRS, PLACE_KEY, visibleEvents } from './schema.js';
export type { TableName, EventRow, ColumnDef } from './schema.js';
export { eventToRow, timeParts } from './event-row.js';
export { findingRow } from './finding-row.js';
export type { FindingRowContext } from './finding-row.js';
export type { RowContext } from './event-row.js';
export { findingIndicators } from './indicators.js';
export { stringLiteral, sqlLiteral } from './literal.js';
export type { IndicatorType, FindingIndicators } from './indicators.js';
export { openStore, parseStoreUrl, redact, isStoreUrl } from './open.js';
export type { OpenStoreOptions } from './open.js';
export { substituteParams } from './params.js';
export { ensureSchema, ensureHotColumns, eventColumnNames, keepsHotColumns, shardOrigins, truncateTables } from './ddl.js';
export { writeFleet, FLEET_FILES } from './fleet.js';
export type { FleetOptions, FleetResult } from './fleet.js';
export { buildFleetModel } from './fleet-model.js';
export type { FleetScope } from './fleet-queries.js';
