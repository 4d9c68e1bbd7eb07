// The resolved tree of one event record (templates instantiated, substitutions filled) that the
// JSON and XML renderers walk; plus the compiled template nodes it is instantiated from.

/** Value type codes of Binary XML (research §5.5). Arrays are `type | 0x80`. */
export const VT = {
  NULL: 0x00,
  STRING: 0x01,
  ANSI: 0x02,
  INT8: 0x03,
  UINT8: 0x04,
  INT16: 0x05,
  UINT16: 0x06,
  INT32: 0x07,
  UINT32: 0x08,
  INT64: 0x09,
  UINT64: 0x0a,
  REAL32: 0x0b,
  REAL64: 0x0c,
  BOOL: 0x0d,
  BINARY: 0x0e,
  GUID: 0x0f,
  SIZE_T: 0x10,
  FILETIME: 0x11,
  SYSTIME: 0x12,
  SID: 0x13,
  HEX32: 0x14,
  HEX64: 0x15,
  EVT_HANDLE: 0x20,
  BINXML: 0x21,
  EVT_XML: 0x23,
  ARRAY: 0x80,
} as const;

/** Node kinds that are not typed values (negative so they never collide with a value type). */
export const NK = { ENTITY: -1, CHARREF: -2, CDATA: -3, PI: -4 } as const;

export type Scalar = string | number | boolean;

/**
 * A leaf: text or a typed value. `t` is a value type code (VT, strings are VT.STRING) or a node kind (NK).
 * For arrays `v` holds the items (already rendered to scalars); for PI `v` is "target data".
 */
export interface IrValue {
  readonly t: number;
  readonly v: Scalar | Scalar[];
}

export interface IrAttr {
  readonly name: string;
  readonly value: IrNode[];
}

export interface IrElement {
  readonly t: 'e';
  readonly name: string;
  readonly attrs: IrAttr[];
  readonly children: IrNode[];
}

export type IrNode = IrElement | IrValue;

export function isElement(n: IrNode): n is IrElement {
  return n.t === 'e';
}

// ---- compiled template nodes (per chunk, shared by every record that uses the template) ----

export interface TSubst {
  readonly k: 's';
  readonly index: number;
  readonly optional: boolean;
}

/** A template instance met inside a template body or a BinXml value: template + its own values. */
export interface TInstance {
  readonly k: 'i';
  readonly nodes: TNode[];
  readonly values: RawValue[];
  /**
   * Where each value lies, when the parser was asked to keep it (ChunkBinXml keepLocs, the worker transport): the
   * index in the record's location table (FlatRecord.lb) of three numbers per value: buffer offset (for integers and
   * booleans: the value itself, booleans as 1/0), size, type byte; -1 otherwise.
   */
  readonly locs: number;
}

export interface TAttr {
  readonly name: string;
  readonly value: TNode[];
}

export interface TElement {
  readonly k: 'e';
  readonly name: string;
  readonly attrs: TAttr[];
  readonly children: TNode[];
  /** direct-json.ts's caches: object shapes last built for this element and its attributes, child names unique. */
  shape: unknown;
  attrShape: unknown;
  uniq: number;
}

export interface TLeaf {
  readonly k: 'v';
  readonly leaf: IrValue;
}

export type TNode = TElement | TLeaf | TSubst | TInstance;

/** One decoded substitution value: a leaf, or a nested BinXml fragment (VT.BINXML). */
export type RawValue = IrValue | { readonly t: typeof VT.BINXML; readonly nodes: TNode[] };
