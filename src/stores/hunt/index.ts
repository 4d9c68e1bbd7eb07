// Retro-hunting the store: Sigma rules compiled to SQL over the stored events, findings in the usual shape.
export { huntStore, groupQuery, type StoreHuntOptions, type StoreHuntSummary } from './retro-hunt.js';
export { scopeSql } from './retro-hunt.js';
export { huntIocs, IP_FIELDS, type IocHuntOptions } from './ioc-hunt.js';
