// Retro-hunting the store: Sigma rules compiled to SQL over the stored events, findings in the usual shape.
export { huntStore, groupQuery, type StoreHuntOptions, type StoreHuntSummary } from './retro-hunt.js';
