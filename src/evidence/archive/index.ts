// The archive folder's door: collections received as ZIP (AES/ZipCrypto, ZIP64, Velociraptor's secured double
// zip, one nested level) or tar/tar.gz/tar.zst, read in place into a private temp folder the session removes.
export { ArchiveSession, archiveKindOf, DEFAULT_LIMITS } from './expand.js';
export type { ArchiveKind, ArchiveLimits, ArchiveOptions, ArchiveRecord, SkipSink } from './expand.js';
export { judgeMemberName } from './member-name.js';
