// Test helper: hand-built Binary XML records (a template defined inline, then its values) for the evtx tests;
// imported by *.test.ts only.

/** A substitution value given by its type code and bytes. */
export interface TypedValue {
  type: number;
  bytes: number[];
}

function utf16le(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0xff, s.charCodeAt(i) >> 8);
  return out;
}

/** One record: a template (inline definition) over `body`, with its values (strings: UTF-16); offsets chunk-relative. */
export function record(body: (w: Writer) => void, values: (string | TypedValue)[]): { buf: Uint8Array; start: number; end: number } {
  const w = new Writer();
  w.u8(0x0f, 1, 1, 0, 0x0c, 1).u32(7);
  const defOff = w.p + 4;
  w.u32(defOff).u32(0).u8(...new Array<number>(16).fill(0xcd));
  const sizeAt = w.p;
  w.u32(0);
  const bodyStart = w.p;
  w.u8(0x0f, 1, 1, 0);
  body(w);
  w.u8(0x00);
  w.dv.setUint32(sizeAt, w.p - bodyStart, true);
  w.u32(values.length);
  const typed = values.map((v) => (typeof v === 'string' ? { type: 0x01, bytes: utf16le(v) } : v));
  for (const v of typed) w.u16(v.bytes.length).u8(v.type, 0x00);
  for (const v of typed) w.u8(...v.bytes);
  return { buf: w.buf, start: 512, end: w.p };
}

export class Writer {
  readonly buf = new Uint8Array(65536);
  readonly dv = new DataView(this.buf.buffer);
  p = 512;
  u8(...v: number[]): this {
    for (const x of v) this.buf[this.p++] = x;
    return this;
  }
  u16(v: number): this {
    this.dv.setUint16(this.p, v, true);
    this.p += 2;
    return this;
  }
  u32(v: number): this {
    this.dv.setUint32(this.p, v, true);
    this.p += 4;
    return this;
  }
  utf16(s: string): this {
    for (let i = 0; i < s.length; i++) this.u16(s.charCodeAt(i));
    return this;
  }
  /** An element with an inline name; `content` writes its children (none: empty element). */
  el(name: string, content?: () => void): this {
    this.u8(0x01).u16(0xffff).u32(0);
    const here = this.p + 4;
    this.u32(here).u32(0).u16(0).u16(name.length).utf16(name).u16(0);
    if (!content) return this.u8(0x03);
    this.u8(0x02);
    content();
    return this.u8(0x04);
  }
  /** An inline name (offset pointing just past itself). */
  name(s: string): this {
    return this.u32(this.p + 4).u32(0).u16(0).u16(s.length).utf16(s).u16(0);
  }
  /** An element with attributes, each written by its value writer (text or substitution tokens). */
  elA(name: string, attrs: [string, () => void][], content?: () => void): this {
    this.u8(0x41).u16(0xffff).u32(0).name(name).u32(0);
    for (const [an, value] of attrs) {
      this.u8(0x06).name(an);
      value();
    }
    if (!content) return this.u8(0x03);
    this.u8(0x02);
    content();
    return this.u8(0x04);
  }
  text(s: string): this {
    return this.u8(0x05, 0x01).u16(s.length).utf16(s);
  }
  sub(i: number): this {
    return this.u8(0x0d).u16(i).u8(0x01);
  }
}
