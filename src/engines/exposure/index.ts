// The exposure engine's only door: Exchange build parsing and classification, the build catalogue,
// build/mitigation discovery in evidence, exposure windows and findings, and the scan collector.
export { parseBuild, tryParseBuild, formatBuild, compareBuild, type Build } from './build.js';
export { defaultCatalogue, loadCatalogue, CATALOGUE_PATH, type Catalogue, type ProductId } from './catalogue.js';
export { classifyBuild, isPatchedFor, firstFixFor, productOf, type BuildInfo } from './classify.js';
export {
  assessBuild,
  type BuildAssessment,
  type MissingSu,
  type OpenCve,
  type FixRef,
  type SupportStatus,
  type ConfigurationExposure,
} from './assess.js';
export { observeBuild, type BuildObservation, type BuildSource } from './observe-event.js';
export { observeFile, type FileObservations } from './observe-file.js';
export { readPeVersion, type PeVersion } from './pe-version.js';
export { findRewriteMitigations, type RewriteMitigation } from './web-config.js';
export { readExtendedProtection, type ExtendedProtectionState } from './extended-protection.js';
export { buildExposure } from './timeline.js';
export { exposureFindings, TraceTally, type TracePart } from './findings.js';
export { createExposureCollector, type ExposureCollector, type ExposureEventPart } from './collector.js';
export { probeUrl, versionsFromOwa, versionFromManifest, type ProbeResult, type ProbeOptions } from './remote.js';
