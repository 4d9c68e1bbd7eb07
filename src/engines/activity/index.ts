// The activity engine's only door: the "what was taken" collector and its TakenSummary output, the
// attacker indicators that select the attacker's share, and the finding-field readers other engines share.
export { createActivityCollector, isRequestLog } from './collector.js';
export type { ActivityCollector, ActivityLimits, ActivityPart, RevisitHit } from './collector.js';
export type { TakenSummary, TakenAccess, TakenExport, TakenMail, ActorTotals, AccessVia } from './taken.js';
export { mailboxFromAnchor } from './fields.js';
export { attackerIndicators, addAttackerIndicators } from './indicators.js';
export type { AttackerIndicators } from './indicators.js';
export { cmpStr, fieldValue, findingIp, findingAgent, findingUser, findingFileKey, findingPath, findingHashes, slimFinding, findingUrlStem, findingUrlHost, findingView, wantsHashes, wantsSample, wantsUrl, slimText, slimFacts, slimFromText } from './finding-fields.js';
export type { FindingHashes, FindingView } from './finding-fields.js';
export { cmdletIdentityFinding } from './identity.js';
