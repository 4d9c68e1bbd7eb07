// IIS W3C extended log reader (W3SVC1 front end, W3SVC2 back end, HTTPERR): the folder's only door.
// See w3c-reader.ts for header handling and field-name normalisation.
export { w3cReader, readW3cBatches, normaliseW3cField, siteFromPath, type LineSelection, type W3cOptions } from './w3c-reader.js';
export { detectProxies, SAMPLE_REQUESTS } from './proxy-sample.js';
