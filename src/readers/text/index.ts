// Shared text-log plumbing for the line-based readers (W3C, Exchange CSV, JSON Lines): the bounded
// streaming line splitter and the per-file diagnostic limiter.
export { readLineBatches } from './lines.js';
export type { LineBatch, LineOptions } from './lines.js';
export { DiagnosticLimiter } from './limiter.js';
export { toUtcIso } from './time.js';
export { compileFieldBuilder } from './field-builder.js';
export type { BuilderColumn, FieldBuilder } from './field-builder.js';
export { readParsedBatches } from './parsed-batches.js';
export type { LineParser } from './parsed-batches.js';
