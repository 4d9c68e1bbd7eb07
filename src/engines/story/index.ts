// The story engine's only door: verdict, intrusion episodes and remediation, all computed from findings
// (+ summary and taken) alone, so the report can be rebuilt without rescanning.
export { buildStory } from './episodes.js';
export type { Episode, StoryStep, StoryEvidence } from './episodes.js';
export { decideVerdict, VerdictTally } from './verdict.js';
export type { Verdict, VerdictKind } from './verdict.js';
export { remediationSteps, RemediationTally, type RemediationPart } from './remediation.js';
export type { RemediationStep } from './remediation.js';
export { phaseOf } from './phases.js';
export type { Phase } from './phases.js';
