export {
  type Operation,
  type LiteralInput,
  type AnyPredicate,
  type AlwaysTrue,
  type AlwaysFalse,
  type And,
  type Or,
  type Not,
  type Expr,
  type UnboundPredicate,
  type BoundPredicate,
  type PartitionPredicate,
  type Expression,
  type BoundExpression,
  type PartitionExpression,
  Expressions,
  and,
  or,
  not,
  alwaysTrue,
  alwaysFalse,
  negateOperation,
  rewriteNot,
  expressionToString,
} from './expression.ts';
export { bind, suggest } from './bind.ts';
export { convertLiteral } from './literals.ts';
export { projectInclusive, projectPredicate } from './projection.ts';
export { evaluatePartition, evaluateRow, evaluateWith, testPredicate } from './evaluator.ts';
export { ManifestEvaluator } from './manifest-evaluator.ts';
export { MetricsEvaluator } from './metrics-evaluator.ts';
