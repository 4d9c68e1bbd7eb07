// Binary XML of one chunk (research §5.4): tokens → compiled template nodes, with the chunk's name and template
// caches, substitution values decoded (or left lazy for the worker transport); instantiate.ts resolves the tree.

import { NK, VT, isElement, type IrElement, type IrNode, type RawValue, type TAttr, type TElement, type TNode } from './ir.js';
import type { FlatRecord } from './direct-json.js';
import { flatOf, intern } from './flat.js';
import { Instantiator } from './instantiate.js';
import { ValueError, decodeUtf16, decodeValue, isJsonNumeric, lazyValue, numberAt, stringIn } from './values.js';

/** A problem inside one record's Binary XML; `missingTemplate` separates EVTX_MISSING_TEMPLATE from EVTX_BAD_BINXML. */
export class BinXmlError extends Error {
  constructor(message: string, readonly offset: number, readonly missingTemplate = false) {
    super(message);
  }
}

// Crafted input must not blow the stack or the heap (evtx-rs 0.12.2 caps nesting the same way, research §5.7).
const MAX_DEPTH = 256;

const FAILED: TNode[] = [];

export class ChunkBinXml {
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, TNode[]>();
  private p = 0;
  private depth = 0;
  /** Whether any value seen (this record, or any template body of the chunk) is an array of 2+ items. */
  private arrays = false;
  private stickyArrays = false;
  /**
   * For the worker transport: record each instance value's offset, size and type (TInstance.locs) and leave the
   * values lazy (values.ts lazyValue), for the thread receiving the bytes to decode. A record that is not flat, and
   * EvtxTree.json(), parse again without this (parseRecordEager).
   */
  keepLocs = false;
  /** The record's value locations (keepLocs): three numbers per value, refilled for each record. */
  private locTable = new Float64Array(3 * 16); // grows within a chunk's first records (and is tested doing so)
  private locN = 0;

  /** `base` is the chunk's offset in `buf`; `end` its (possibly truncated) end. Offsets in BinXML are chunk-relative. */
  constructor(
    private readonly buf: Uint8Array,
    private readonly dv: DataView,
    private readonly base: number,
    private readonly end: number,
  ) {}

  /** Parse the Binary XML of a record at buf[start, end) and instantiate it into its root element. */
  parseRecord(start: number, end: number): IrElement {
    const r = this.parseRecordFlat(start, end);
    return 'values' in r ? this.instantiateFlat(r) : r;
  }

  /** Like parseRecord, but a flat record (direct-json.ts) comes back uninstantiated, for flatJson. */
  parseRecordFlat(start: number, end: number): IrElement | FlatRecord {
    this.p = start;
    this.depth = 0;
    this.arrays = this.stickyArrays;
    this.locN = 0;
    const nodes = this.document(end, false);
    const flat = this.arrays ? undefined : flatOf(nodes, this.keepLocs ? this.locTable : undefined);
    if (flat) return flat;
    if (this.keepLocs) return this.parseRecordEager(start, end);
    const out: IrNode[] = [];
    new Instantiator(this.arrays, (m) => this.fail(m)).instantiate(nodes, [], out, 0);
    for (const n of out) if (isElement(n)) return n;
    throw new BinXmlError('record holds no element', start);
  }

  /** parseRecordFlat with every value decoded (no lazy values, no locations). */
  parseRecordEager(start: number, end: number): IrElement | FlatRecord {
    const keep = this.keepLocs;
    this.keepLocs = false;
    try {
      return this.parseRecordFlat(start, end);
    } finally {
      this.keepLocs = keep;
    }
  }

  /** A flat record's resolved tree (cannot fail: no instances to nest, no arrays to expand). */
  instantiateFlat(r: FlatRecord): IrElement {
    const out: IrNode[] = [];
    new Instantiator(this.arrays, (m) => this.fail(m)).element2(r.el, r.values as RawValue[], out, 0);
    return out[0] as IrElement;
  }

  private fail(msg: string): never {
    throw new BinXmlError(msg, this.p - this.base);
  }

  private need(n: number, end: number): void {
    if (this.p + n > end) this.fail(`Binary XML runs past its end (${n} bytes needed)`);
  }

  private u16(): number {
    const v = this.buf[this.p]! | (this.buf[this.p + 1]! << 8);
    this.p += 2;
    return v;
  }

  private u32(): number {
    const v = this.dv.getUint32(this.p, true);
    this.p += 4;
    return v;
  }

  /** A name reference; an inline definition (offset == here) is read and skipped (name caching, §5.4). */
  private name(end: number): string {
    this.need(4, end);
    const off = this.u32();
    const here = this.p - this.base;
    const cached = this.names.get(off);
    if (off === here) {
      this.need(8, end);
      const count = this.buf[this.p + 6]! | (this.buf[this.p + 7]! << 8);
      this.need(8 + 2 * count + 2, end);
      const s = cached ?? intern(decodeUtf16(this.buf, this.p + 8, count));
      this.names.set(off, s);
      this.p += 8 + 2 * count + 2;
      return s;
    }
    if (cached !== undefined) return cached;
    const at = this.base + off;
    if (off < 128 || at + 8 > this.end) this.fail(`name offset 0x${off.toString(16)} outside the chunk`);
    const count = this.buf[at + 6]! | (this.buf[at + 7]! << 8);
    if (at + 8 + 2 * count > this.end) this.fail(`name at 0x${off.toString(16)} runs past the chunk`);
    const s = intern(decodeUtf16(this.buf, at + 8, count));
    this.names.set(off, s);
    return s;
  }

  /** Tokens up to EOF (or `end`): fragment headers, elements, template instances, PIs. */
  private document(end: number, noDepId: boolean): TNode[] {
    const nodes: TNode[] = [];
    while (this.p < end) {
      const tok = this.buf[this.p]!;
      switch (tok) {
        case 0x00:
          this.p++;
          return nodes;
        case 0x0f:
          this.need(4, end);
          this.p += 4;
          break;
        case 0x0c:
          nodes.push(this.instance(end));
          break;
        case 0x01:
        case 0x41:
          nodes.push(this.element(end, noDepId));
          break;
        case 0x0a:
          nodes.push(this.pi(end));
          break;
        default:
          this.fail(`unexpected token 0x${tok.toString(16)} at document level`);
      }
    }
    return nodes;
  }

  private element(end: number, noDepId: boolean): TElement {
    if (++this.depth > MAX_DEPTH) this.fail('elements nested too deeply');
    const tok = this.buf[this.p]!;
    this.need(noDepId ? 9 : 11, end);
    this.p += noDepId ? 1 : 3;
    this.p += 4; // data size: we walk the tokens instead
    const name = this.name(end);
    const attrs: TAttr[] = [];
    if (tok & 0x40) {
      this.need(4, end);
      this.p += 4; // attribute list size
      while (this.p < end && (this.buf[this.p]! & 0xbf) === 0x06) {
        this.p++;
        const an = this.name(end);
        attrs.push({ name: an, value: this.attrValue(end) });
      }
    }
    this.need(1, end);
    const close = this.buf[this.p++]!;
    let children: TNode[] = [];
    if (close === 0x02) children = this.content(end, noDepId);
    else if (close !== 0x03) this.fail(`expected close of start element, found token 0x${close.toString(16)}`);
    this.depth--;
    return { k: 'e', name, attrs, children, shape: undefined, attrShape: undefined, uniq: -1 };
  }

  private attrValue(end: number): TNode[] {
    const out: TNode[] = [];
    for (;;) {
      if (this.p >= end) return out;
      const leaf = this.leaf(this.buf[this.p]!, end);
      if (leaf === undefined) return out;
      out.push(leaf);
    }
  }

  /** A value-like token (text, substitution, references, CDATA), or undefined when the token is something else. */
  private leaf(tok: number, end: number): TNode | undefined {
    switch (tok) {
      case 0x05:
      case 0x45: {
        this.need(4, end);
        this.p += 2;
        const n = this.u16();
        this.need(2 * n, end);
        const v = intern(decodeUtf16(this.buf, this.p, n));
        this.p += 2 * n;
        return { k: 'v', leaf: { t: VT.STRING, v } };
      }
      case 0x0d:
      case 0x0e: {
        this.need(4, end);
        this.p++;
        const index = this.u16();
        this.p++; // expected type: the instance's descriptor is what counts
        return { k: 's', index, optional: tok === 0x0e };
      }
      case 0x08:
      case 0x48: {
        this.need(3, end);
        this.p++;
        return { k: 'v', leaf: { t: NK.CHARREF, v: this.u16() } };
      }
      case 0x09:
      case 0x49: {
        this.p++;
        return { k: 'v', leaf: { t: NK.ENTITY, v: this.name(end) } };
      }
      case 0x07:
      case 0x47: {
        this.need(3, end);
        this.p++;
        const n = this.u16();
        this.need(2 * n, end);
        const v = decodeUtf16(this.buf, this.p, n);
        this.p += 2 * n;
        return { k: 'v', leaf: { t: NK.CDATA, v } };
      }
      default:
        return undefined;
    }
  }

  private pi(end: number): TNode {
    this.p++;
    const target = this.name(end);
    let data = '';
    if (this.p < end && this.buf[this.p] === 0x0b) {
      this.need(3, end);
      this.p++;
      const n = this.u16();
      this.need(2 * n, end);
      data = decodeUtf16(this.buf, this.p, n);
      this.p += 2 * n;
    }
    return { k: 'v', leaf: { t: NK.PI, v: data ? `${target} ${data}` : target } };
  }

  private content(end: number, noDepId: boolean): TNode[] {
    const out: TNode[] = [];
    for (;;) {
      if (this.p >= end) this.fail('element not closed before the end of its data');
      const tok = this.buf[this.p]!;
      if (tok === 0x04) {
        this.p++;
        return out;
      }
      if (tok === 0x01 || tok === 0x41) out.push(this.element(end, noDepId));
      else if (tok === 0x0c) out.push(this.instance(end));
      else if (tok === 0x0a) out.push(this.pi(end));
      else {
        const leaf = this.leaf(tok, end);
        if (leaf === undefined) this.fail(`unexpected token 0x${tok.toString(16)} in element content`);
        out.push(leaf);
      }
    }
  }

  /** Template instance (§5.4): definition inline (offset == here) or cached earlier in the chunk; then the values. */
  private instance(end: number): TNode {
    this.need(10, end);
    this.p += 6; // token, unknown byte, template id
    const defOff = this.u32();
    let nodes: TNode[];
    if (defOff === this.p - this.base) {
      this.need(24, end);
      const size = this.dv.getUint32(this.p + 20, true);
      nodes = this.template(defOff);
      this.p += 24 + size;
    } else {
      nodes = this.template(defOff);
    }
    this.need(4, end);
    const count = this.u32();
    this.need(4 * count, end);
    const desc = this.p;
    this.p += 4 * count;
    const values: RawValue[] = new Array(count);
    let locs = -1;
    let L = this.locTable;
    if (this.keepLocs) {
      locs = this.locN;
      if (locs + 3 * count > L.length) {
        const bigger = new Float64Array(Math.max(2 * L.length, locs + 3 * count));
        bigger.set(L);
        L = this.locTable = bigger;
      }
      this.locN += 3 * count;
    }
    // The instance's own strings: decoded by one native call from the first to the end of the last, each then a
    // substring (values.ts stringIn). Only values that fit before `end`.
    let lo = 0;
    let hi = 0;
    let strings = 0;
    if (locs < 0) {
      for (let i = 0, q = this.p; i < count; i++) {
        const size = this.buf[desc + 4 * i]! | (this.buf[desc + 4 * i + 1]! << 8);
        if (q + size > end) break;
        if (this.buf[desc + 4 * i + 2] === VT.STRING) {
          if (strings++ === 0) lo = q;
          hi = q + size;
        }
        q += size;
      }
    }
    const text = strings >= 2 ? decodeUtf16(this.buf, lo, (hi - lo) >> 1) : '';
    for (let i = 0; i < count; i++) {
      const size = this.buf[desc + 4 * i]! | (this.buf[desc + 4 * i + 1]! << 8);
      const type = this.buf[desc + 4 * i + 2]!;
      this.need(size, end);
      const at = this.p;
      if (locs >= 0) {
        L[locs + 3 * i] = at;
        L[locs + 3 * i + 1] = size;
        L[locs + 3 * i + 2] = type;
      }
      if (type === VT.BINXML) {
        values[i] = size === 0 ? { t: VT.NULL, v: '' } : { t: VT.BINXML, nodes: this.nested(at, at + size) };
        L = this.locTable; // the nested instances may have grown it
      } else {
        if (type === VT.STRING && strings >= 2 && ((at - lo) & 1) === 0) {
          values[i] = { t: VT.STRING, v: stringIn(text, (at - lo) >> 1, this.buf, at, size) };
          this.p = at + size;
          continue;
        }
        const lazy = locs >= 0 ? lazyValue(this.buf, at, size, type) : undefined;
        if (lazy !== undefined) {
          values[i] = lazy;
          // Numbers travel as themselves, in place of their offset.
          if (isJsonNumeric(type)) L[locs + 3 * i] = numberAt(this.buf, this.dv, at, size, type);
          this.p = at + size;
          continue;
        }
        try {
          const v = decodeValue(this.buf, this.dv, at, size, type);
          if (type & 0x80 && (v.v as unknown[]).length > 1) this.arrays = true;
          values[i] = v;
        } catch (e) {
          if (e instanceof ValueError) this.fail(`substitution ${i}: ${e.message}`);
          throw e;
        }
      }
      this.p = at + size;
    }
    return { k: 'i', nodes, values, locs };
  }

  /** A BinXml-typed value: a fragment whose elements carry no dependency id (libevtx, research §5.4). */
  private nested(start: number, end: number): TNode[] {
    const save = this.p;
    this.p = start;
    const nodes = this.document(end, true);
    this.p = save;
    return nodes;
  }

  /** Compiled body of the template definition at chunk offset `off` (parsed once per chunk). */
  private template(off: number): TNode[] {
    const cached = this.templates.get(off);
    if (cached === FAILED) throw new BinXmlError(`template at 0x${off.toString(16)} is missing or damaged`, off, true);
    if (cached !== undefined) return cached;
    const at = this.base + off;
    if (off < 512 || at + 24 > this.end) throw new BinXmlError(`template offset 0x${off.toString(16)} outside the chunk`, off, true);
    const size = this.dv.getUint32(at + 20, true);
    if (at + 24 + size > this.end || size < 4) throw new BinXmlError(`template at 0x${off.toString(16)} runs past the chunk`, off, true);
    this.templates.set(off, FAILED); // a template that refers to itself fails instead of recursing
    const save = this.p;
    const saveDepth = this.depth;
    this.p = at + 24;
    try {
      const before = this.arrays;
      this.arrays = false;
      const nodes = this.document(at + 24 + size, false);
      if (this.arrays) this.stickyArrays = true;
      this.arrays ||= before;
      this.templates.set(off, nodes);
      return nodes;
    } catch (e) {
      if (e instanceof BinXmlError) throw new BinXmlError(`template at 0x${off.toString(16)}: ${e.message}`, e.offset, true);
      throw e;
    } finally {
      this.p = save;
      this.depth = saveDepth;
    }
  }
}
