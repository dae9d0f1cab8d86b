// Data-quality results kept as the Strata table system.quality_results.
export { QualityResultsTable, QUALITY_RESULTS_TABLE_ID, newEvaluationId, type ResultsFilter, type StoredRuleResult } from './quality-results-table.ts';
