export {
  type EvaluationContext,
  type QualityDataset,
  type RuleOutcome,
  type RuleResult,
  type RulesetResult,
} from './evaluation.ts';
export { evaluateRuleset } from './evaluate-ruleset.ts';
export { FAILED_RULES_COLUMN, failingRowsSql } from './failing-rows.ts';
export { metricKeyOf } from './metric-keys.ts';
export { glueTypeOf } from './column-types.ts';
