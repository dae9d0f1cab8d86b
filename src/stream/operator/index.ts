// Stateful stream operators: windowed aggregation and deduplication within the watermark.
export { createWindowOperator } from './window-operator.ts';
export { createDedupOperator } from './dedup-operator.ts';
export { compileAggregate, compareValues, type Aggregate, type Accumulator } from './aggregates.ts';
export { groupKey } from './group-key.ts';
