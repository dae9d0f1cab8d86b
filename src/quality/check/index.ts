// Checking Strata tables with DQDL rulesets: evaluate, fetch failing rows, quarantine them.
export { checkTable, type CheckTableOptions } from './check-table.ts';
export type { CheckContext, TableCheckResult } from './table-check-result.ts';
export {
  fetchFailedRows,
  quarantineFailedRows,
  quarantineTableName,
  EVALUATION_ID_COLUMN,
  QUARANTINED_AT_COLUMN,
  type FailedRows,
  type QuarantineOptions,
  type QuarantineResult,
} from './failed-rows.ts';
