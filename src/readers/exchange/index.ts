// Exchange CSV log reader (HttpProxy, ECP, OAB generator, other header-described logs): the folder's only door.
// ExchangeEvent.log names come from log-names.ts; the rule pack's logsources depend on them.
export { exchangeReader, readExchangeBatches } from './exchange-reader.js';
export { logFromPath, logFromType, splitEventData } from './log-names.js';
export type { LogName } from './log-names.js';
export { bareHeaderNames, namesExchangeColumns, EXCHANGE_TIME_COLUMNS } from './bare-header.js';
