// Shared text-log plumbing for the line-based readers (W3C, Exchange CSV, JSON Lines): the bounded
// streaming line splitter and block reader, and the per-file diagnostic limiter.
export { readLineBatches } from './lines.js';
export type { LineBatch } from './lines.js';
export type { LineOptions } from './blocks.js';
export { readTextBlocks } from './blocks.js';
export type { TextBlock } from './blocks.js';
export { DiagnosticLimiter } from './limiter.js';
export { toUtcIso } from './time.js';
export { compileFieldBuilder } from './field-builder.js';
export type { BuilderColumn, FieldBuilder } from './field-builder.js';
export { readParsedBatches, readParsedBlocks } from './parsed-batches.js';
export { LiteralLines } from './literal-lines.js';
export type { BlockParser, LineParser, RangeRead } from './parsed-batches.js';
export { planTextRanges, type TextRange, type HeaderLine } from './ranges.js';
