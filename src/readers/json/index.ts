// JSON evidence reader (evtx_dump-shaped Windows events as JSON Lines, array or evtx_dump output):
// the folder's only door.
export { jsonReader, readJsonBatches, jsonLayout, toWinEvent } from './json-reader.js';
export type { JsonLayout, JsonReadOptions } from './json-reader.js';
