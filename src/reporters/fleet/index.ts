// The fleet reporters' door: fleet.html, fleet.json, the fleet's ATT&CK layer and STIX bundle from a FleetModel
// (built by the store from its queries), and the safe folder names of hosts/<host>/.
export { fleetHtml } from './page.js';
export { fleetJson, fleetLayer, fleetStix } from './exports.js';
export { safeHostDir, hostDirs } from './host-dir.js';
export { FLEET_VERDICTS, FLEET_VERDICT_LABELS, compareHosts, countVerdicts } from './model.js';
export type { FleetModel, FleetHost, FleetVerdict, FleetCve, FleetCoverage, FleetCoverageKind, SharedIndicator, FleetDay, FleetTechnique } from './model.js';
