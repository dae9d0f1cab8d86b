export {
  RULE_TYPES,
  type CompareOperator,
  type CompositeRule,
  type Condition,
  type DurationUnit,
  type RuleCall,
  type RuleNode,
  type RuleType,
  type Ruleset,
  type SourcePosition,
  type ValueExpr,
} from './ast.ts';
export { parseDqdl } from './parse-dqdl.ts';
export { formatCondition, formatRule, formatValue } from './format-dqdl.ts';
export { RULE_SIGNATURES, describeParams, type RuleSignature } from './rule-signatures.ts';
export { tokenizeDqdl, type DqdlToken, type DqdlTokenKind } from './lexer.ts';
