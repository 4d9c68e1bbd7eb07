// File type by magic bytes (rules/data/file-magic.json): the YARA `filetype` variable as LOKI sets it,
// and the family (archive, dump, executable...) that exhunt's own file checks judge by.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesDir } from '../../paths.js';

export type FileFamily = 'dump' | 'mailbox' | 'archive' | 'executable' | 'document' | 'image' | 'log' | 'certificate' | 'script' | 'other';

export interface FileType {
  /** Label, e.g. 'MDMP', 'ZIP', '7Zip', 'RAR', 'EXE', 'PST'. */
  type: string;
  family: FileFamily;
}

interface Signature extends FileType {
  bytes: Buffer;
}

let table: Signature[] | null = null;

function signatures(): Signature[] {
  if (table) return table;
  const raw = JSON.parse(readFileSync(join(rulesDir, 'data', 'file-magic.json'), 'utf8')) as {
    signatures: { hex: string; type: string; family: FileFamily }[];
  };
  table = raw.signatures
    .map((s) => ({ type: s.type, family: s.family, bytes: Buffer.from(s.hex.replace(/\s+/g, ''), 'hex') }))
    // longest first, so 'Office' wins over 'ZIP' and 'MDMP' with version over plain 'MDMP'
    .sort((a, b) => b.bytes.length - a.bytes.length);
  return table;
}

/** The type of a file from its first bytes, or null when none of the signatures matches. */
export function fileTypeOf(header: Buffer): FileType | null {
  for (const s of signatures()) {
    if (header.length >= s.bytes.length && header.subarray(0, s.bytes.length).equals(s.bytes)) {
      return { type: s.type, family: s.family };
    }
  }
  return null;
}
