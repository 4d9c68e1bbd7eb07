// Sigma compiled to ClickHouse SQL (the store backends' retro-hunt): the same parsed rules and condition AST as
// the closure compiler, over the events table's keys/vals arrays. The plan, and the reasons a rule stays in-process.
export { planSql, GROUP_MAX, type SqlPlan, type SqlGroup, type SqlRule, type InProcessRule } from './sql-plan.js';
export { InProcessOnly, type HotField, type PlaceExprs, type InProcessReason } from './sql-env.js';
export { regexForClickHouse } from './sql-values.js';
export { subsetRuleSet } from './in-process.js';
