// YARA engine door: rule loading and routing (log signatures vs file rules), compile-once rule sets,
// per-file LOKI variables, and the magic-byte file types shared with the file checks.
export { createYaraEngine, externalVariables } from './engine.js';
export type { YaraEngine, YaraEngineOptions, YaraHit, YaraString } from './engine.js';
export type { ExternalVariables } from './compile.js';
export { EXTERNAL_VARIABLES } from './compile.js';
export { parseRuleHeaders, ruleTarget, loadRuleFiles } from './rule-file.js';
export type { RuleTarget, RuleHeader, RuleFile } from './rule-file.js';
export { fileTypeOf } from './file-type.js';
export type { FileType, FileFamily } from './file-type.js';
export { YARA_X_PACKAGE, YARA_X_HINT, loadYaraX } from './loader.js';
