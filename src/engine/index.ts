// The engine plane: the `Engine` contract and its embedded DuckDB implementation.
export type { Engine, QueryOptions, QueryResult, ColumnInfo, EngineTableWrite, LakeEngine } from './engine.ts';
export { isLakeEngine } from './engine.ts';
export { DuckDbEngine, type DuckDbEngineOptions } from './duckdb/duckdb-engine.ts';
export type { PoolStats } from './duckdb/connection-pool.ts';
export { engineValueConverter } from './duckdb/value-forms.ts';
export { duckDbError } from './duckdb/duckdb-errors.ts';
