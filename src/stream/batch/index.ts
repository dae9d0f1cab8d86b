// Micro-batches in DuckDB: rows ↔ tables, and the SQL transform.
export { loadBatch, queryRows, fromDuckDb, type BatchTable } from './batch-table.ts';
export { createSqlOperator, withInput } from './sql-operator.ts';
export { valueToStaged, timestampText } from './value-to-staged.ts';
export { engineToValue } from './engine-values.ts';
