// IOC engine door: LOKI-format file-name and hash IOC lists, parsed with untrusted regexes kept in
// re2js, and matched against a file's Windows-style path and its MD5/SHA-1/SHA-256 digests.
export { parseFilenameIocs, parseHashIocs, DEFAULT_HASH_SCORE } from './parse.js';
export type { FilenameIoc, HashIoc, HashKind } from './parse.js';
export { createIocSet, loadIocFiles, iocListKind } from './ioc-set.js';
export type { IocSet, FileDigests, IocListKind } from './ioc-set.js';
export { parseIpIocs, loadIpIocs, type IpIoc } from './c2.js';
