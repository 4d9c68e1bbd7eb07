// One EVTX file in memory → its records, in file order, surviving damage: every chunk slot by file size,
// checksums reported not trusted, bad records skipped with resynchronisation on the next record signature.

import type { DiagnosticCode, DiagnosticSink, Severity } from '../../diagnostics.js';
import { BinXmlError, ChunkBinXml } from './binxml.js';
import { crc32 } from './crc32.js';
import { flatJson, type FlatRecord } from './direct-json.js';
import type { IrElement } from './ir.js';
import { toEvtxJson } from './json.js';
import { planJson, planLocs, type LocSink } from './plan.js';
import { filetimeIso } from './values.js';

export const FILE_HEADER_SIZE = 4096;
export const CHUNK_SIZE = 65536;
const CHUNK_HEADER_SIZE = 512;
const RECORD_HEADER = 24;

/** A record before rendering: its resolved tree plus where it was found. */
export interface EvtxTree {
  /** EventRecordID from the record header. */
  recordId: number;
  /** Absolute byte offset of the record in the file. */
  offset: number;
  /** 0-based chunk slot index. */
  chunk: number;
  /** The record header's written time (FILETIME, ISO 8601), rendered on demand. */
  written(): string;
  /** The resolved tree (instantiated on first access for flat records). */
  readonly root: IrElement;
  /** The record in the evtx_dump JSON shape: equals toEvtxJson(root), rendered without the tree when it can be. */
  json(): Record<string, unknown>;
  /** Store the written FILETIME's low and high 32-bit halves at out[at], out[at + 1]. */
  writtenHalves(out: Float64Array, at: number): void;
  /**
   * For the worker transport (parsed with keepLocs): the id of this thread's compiled builder for the record (plan.ts
   * planLocs), its values' locations given to `out` and any new builder's source appended to `sources`; -1 when the
   * record must travel as JSON.
   */
  packLocs(out: LocSink, sources: (number | string)[]): number;
}

class Tree implements EvtxTree {
  constructor(
    public recordId: number,
    public offset: number,
    public chunk: number,
    private readonly buf: Uint8Array,
    private readonly at: number,
    private r: IrElement | FlatRecord,
    private readonly bx: ChunkBinXml,
  ) {}

  written(): string {
    return filetimeIso(this.buf, this.at);
  }

  writtenHalves(out: Float64Array, at: number): void {
    const b = this.buf;
    const p = this.at;
    out[at] = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    out[at + 1] = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
  }

  packLocs(out: LocSink, sources: (number | string)[]): number {
    const r = this.r;
    return 'values' in r ? planLocs(r, out, sources) : -1;
  }

  /** The record with its values decoded: a transport parse (keepLocs) left them lazy, so parse it again. */
  private decoded(): IrElement | FlatRecord {
    const r = this.r;
    if (!('values' in r) || r.lb === undefined) return r;
    const p = this.at - 16;
    const b = this.buf;
    const size = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    return (this.r = this.bx.parseRecordEager(p + RECORD_HEADER, p + size - 4));
  }

  get root(): IrElement {
    const r = this.decoded();
    return 'values' in r ? (this.r = this.bx.instantiateFlat(r)) : r;
  }

  json(): Record<string, unknown> {
    const r = this.decoded();
    return 'values' in r ? (planJson(r) ?? flatJson(r)) : toEvtxJson(r);
  }
}

export interface ParseOptions {
  /** Chunk slots to read, by index (default: all). Used by the worker pool to split one file. */
  chunks?: { from: number; to: number };
  /** Skip the file-header diagnostics (when a file is split into several jobs, only the first reports them). */
  quietHeader?: boolean;
  /**
   * The buffer is a window of a larger file: its 4,096-byte header area is followed by chunk slots starting at file
   * slot `firstSlot` (default 0). Chunk numbers and offsets in records and diagnostics are file-absolute.
   */
  firstSlot?: number;
  /** Real file size when `buf` is a window (for the header's chunk-count and truncation checks). */
  fileSize?: number;
  /** Keep each substitution value's location (EvtxTree.packLocs, the worker transport). */
  keepLocs?: boolean;
}

const SIG_FILE = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"
const SIG_CHUNK = [0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00]; // "ElfChnk\0"

function hasSig(b: Uint8Array, at: number, sig: number[]): boolean {
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function allZero(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/** Number of chunk slots: by file size, never by header counters (research §5.7); a partial last slot counts. */
export function chunkSlots(size: number): number {
  return size <= FILE_HEADER_SIZE ? 0 : Math.ceil((size - FILE_HEADER_SIZE) / CHUNK_SIZE);
}

export function* parseEvtxTrees(buf: Uint8Array, path: string, sink: DiagnosticSink, opts: ParseOptions = {}): Generator<EvtxTree> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const first = opts.firstSlot ?? 0;
  const shift = first * CHUNK_SIZE;
  const report = (code: DiagnosticCode, severity: Severity, message: string, loc: { chunk?: number; offset?: number; record?: number }): void => {
    const l = { path, ...loc };
    if (l.chunk !== undefined) l.chunk += first;
    if (l.offset !== undefined && (l.chunk !== undefined || first > 0)) l.offset += shift;
    sink({ code, severity, message, location: l });
  };
  if (!opts.quietHeader) checkFileHeader(buf, dv, report, opts.fileSize ?? buf.length);
  const slots = chunkSlots(buf.length);
  const from = Math.max(0, opts.chunks?.from ?? 0);
  const to = Math.min(slots, opts.chunks?.to ?? slots);
  for (let c = from; c < to; c++) {
    for (const t of parseChunk(buf, dv, c, report, opts.keepLocs === true)) {
      if (first > 0) {
        t.chunk += first;
        t.offset += shift;
      }
      yield t;
    }
  }
}

type Report = (code: DiagnosticCode, severity: Severity, message: string, loc: { chunk?: number; offset?: number; record?: number }) => void;

function checkFileHeader(buf: Uint8Array, dv: DataView, report: Report, fileSize: number): void {
  if (buf.length < 128 || !hasSig(buf, 0, SIG_FILE)) {
    if (buf.length === 0 || allZero(buf, 0, Math.min(buf.length, FILE_HEADER_SIZE))) report('EVTX_BAD_FILE_HEADER', 'error', 'file header is empty (zero bytes); scanning chunks anyway', { offset: 0 });
    else report('EVTX_BAD_FILE_HEADER', 'error', 'no ElfFile signature; scanning chunks anyway', { offset: 0 });
    return;
  }
  const crc = dv.getUint32(124, true);
  if (crc32(buf, 0, 120) !== crc) report('EVTX_BAD_FILE_HEADER', 'warning', 'file header checksum mismatch (header counters ignored)', { offset: 0 });
  const flags = dv.getUint32(120, true);
  if (flags & 1) report('EVTX_DIRTY', 'info', 'file was not closed cleanly (dirty flag); all chunk slots are scanned', { offset: 120 });
  const declared = dv.getUint16(42, true);
  const slots = chunkSlots(fileSize);
  if (declared > slots) report('EVTX_BAD_FILE_HEADER', 'warning', `header declares ${declared} chunks but the file holds ${slots} slots (truncated?)`, { offset: 42 });
  if ((fileSize - FILE_HEADER_SIZE) % CHUNK_SIZE !== 0 && fileSize > FILE_HEADER_SIZE) {
    report('EVTX_BAD_CHUNK', 'warning', `file size is not a whole number of chunks: last chunk truncated at ${fileSize - FILE_HEADER_SIZE - (slots - 1) * CHUNK_SIZE} bytes`, { chunk: slots - 1, offset: FILE_HEADER_SIZE + (slots - 1) * CHUNK_SIZE });
  }
}

/** Find the next plausible record (signature, size == copy of size, fits) at or after `from`, before `limit`. */
function resync(buf: Uint8Array, dv: DataView, from: number, limit: number, chunkEnd: number): number {
  for (let q = from; q + RECORD_HEADER + 4 <= limit; q++) {
    if (buf[q] !== 0x2a || buf[q + 1] !== 0x2a || buf[q + 2] !== 0 || buf[q + 3] !== 0) continue;
    const size = dv.getUint32(q + 4, true);
    if (size >= RECORD_HEADER + 4 && q + size <= chunkEnd && dv.getUint32(q + size - 4, true) === size) return q;
  }
  return -1;
}

function* parseChunk(buf: Uint8Array, dv: DataView, c: number, report: Report, keepLocs: boolean): Generator<EvtxTree> {
  const base = FILE_HEADER_SIZE + c * CHUNK_SIZE;
  const end = Math.min(buf.length, base + CHUNK_SIZE);
  if (end - base < CHUNK_HEADER_SIZE) {
    if (!allZero(buf, base, end)) report('EVTX_BAD_CHUNK', 'warning', `chunk truncated to ${end - base} bytes, too short for its header`, { chunk: c, offset: base });
    return;
  }
  let limit = end;
  let sigOk = hasSig(buf, base, SIG_CHUNK);
  if (!sigOk) {
    if (allZero(buf, base, end)) return; // an unused, preallocated slot
    report('EVTX_BAD_CHUNK', 'error', 'chunk signature missing; recovering records by scanning', { chunk: c, offset: base });
  } else {
    const hcrc = crc32(buf, base + 128, base + 512, crc32(buf, base, base + 120));
    if (hcrc !== dv.getUint32(base + 124, true)) report('EVTX_CHUNK_CHECKSUM', 'warning', 'chunk header checksum mismatch', { chunk: c, offset: base });
    const free = dv.getUint32(base + 48, true);
    if (free >= CHUNK_HEADER_SIZE && free <= CHUNK_SIZE) {
      if (base + free <= end) {
        const dcrc = crc32(buf, base + CHUNK_HEADER_SIZE, base + free);
        if (dcrc !== dv.getUint32(base + 52, true)) report('EVTX_RECORD_CHECKSUM', 'warning', 'checksum of the chunk\'s record data does not match', { chunk: c, offset: base + 52 });
      } else report('EVTX_BAD_CHUNK', 'warning', 'chunk truncated before its free-space offset', { chunk: c, offset: end });
      limit = Math.min(end, base + free);
    } else {
      report('EVTX_BAD_CHUNK', 'warning', `free-space offset 0x${free.toString(16)} out of range; scanning the whole chunk`, { chunk: c, offset: base + 48 });
      sigOk = false;
    }
  }
  const bx = new ChunkBinXml(buf, dv, base, end);
  bx.keepLocs = keepLocs;
  let p = base + CHUNK_HEADER_SIZE;
  for (;;) {
    if (p + RECORD_HEADER + 4 > limit) {
      // Stale header (dirty file): records may continue past the free-space offset.
      if (sigOk && limit < end && p + RECORD_HEADER + 4 <= end && resync(buf, dv, p, p + RECORD_HEADER + 5, end) === p) {
        report('EVTX_DIRTY', 'info', 'records continue past the chunk\'s free-space offset (stale chunk header)', { chunk: c, offset: p });
        limit = end;
        continue;
      }
      break;
    }
    const size = dv.getUint32(p + 4, true);
    const isRecord = buf[p] === 0x2a && buf[p + 1] === 0x2a && buf[p + 2] === 0 && buf[p + 3] === 0;
    if (!isRecord || size < RECORD_HEADER + 4 || p + size > end || dv.getUint32(p + size - 4, true) !== size) {
      if (allZero(buf, p, limit)) {
        if (sigOk && limit > p) report('EVTX_BAD_CHUNK', 'info', 'zero bytes where a record was expected before the free-space offset', { chunk: c, offset: p });
        break;
      }
      const next = resync(buf, dv, p + 1, limit, end);
      const why = !isRecord ? 'no record signature' : size < RECORD_HEADER + 4 || p + size > end ? `record size ${size} runs past the chunk` : 'record size and its trailing copy differ';
      report('EVTX_BAD_RECORD', 'error', `${why}; ${next < 0 ? 'rest of chunk skipped' : `resuming at offset 0x${next.toString(16)}`}`, { chunk: c, offset: p });
      if (next < 0) break;
      p = next;
      continue;
    }
    const recordId = Number(dv.getBigUint64(p + 8, true));
    let root: IrElement | FlatRecord | undefined;
    try {
      root = bx.parseRecordFlat(p + RECORD_HEADER, p + size - 4);
    } catch (e) {
      // Anything thrown while decoding one record (including a RangeError on hostile bytes) costs only that record.
      const missing = e instanceof BinXmlError && e.missingTemplate;
      const msg = e instanceof Error ? e.message : String(e);
      report(missing ? 'EVTX_MISSING_TEMPLATE' : 'EVTX_BAD_BINXML', 'error', msg, { chunk: c, offset: p, record: recordId });
    }
    if (root) yield new Tree(recordId, p, c, buf, p + 16, root, bx);
    p += size;
  }
}
