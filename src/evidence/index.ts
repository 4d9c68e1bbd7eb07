// The evidence family's door: discovery of files in collections (with skipped-file reporting), content
// sniffing, collection layouts (KAPE, Velociraptor), each collection's host, and log coverage with its blind spots.
export type { Evidence, EvidenceKind, RecordedFile, RecordSource } from './evidence.js';
export { discover } from './discover.js';
export type { Discovery, DiscoverOptions, SkippedFile } from './discover.js';
export { sniffKind, SNIFF_BYTES } from './sniff.js';
export { decodeComponent, windowsPath } from './layout.js';
export { CoverageTracker, coverageKind, coverageWarnings, EXPLOITATION_WINDOWS, type CoveragePart } from './coverage.js';
export { ArchiveSession, archiveKindOf, DEFAULT_LIMITS } from './archive/index.js';
export type { ArchiveKind, ArchiveLimits, ArchiveOptions, ArchiveRecord } from './archive/index.js';
export { hashEvidence, integrityFindings, type Hashes } from './custody.js';
export { CollectionRecords, parseKapeCopyLog, parseVelociraptorUploads, recordedTime } from './records.js';
export { HostVotes, HOST_TRUST, clientInfoHost, kapeFolderHost, velociraptorArchiveHost, sampleLogHosts, shortName, plausibleHostName } from './host.js';
export type { CollectionHost, HostCandidate, HostSource, SampleOptions } from './host.js';
export { CollectionHosts, chooseHost, collectionFolderLayout, collectionHosts, collectionPlace, hostOfInputs } from './collection-hosts.js';
export type { CollectionLayout, CollectionPlace, HostedCollection } from './collection-hosts.js';
