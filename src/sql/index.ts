// SQL over the catalog: statements, `db.table` resolution with pruning, time travel, metadata tables.
export { SqlSession, type AccessExplanation, type PlannedQuery, type StatementOptions, type StatementResult, type StatementWriteOptions, type SqlSessionOptions } from './sql-session.ts';
export { resolveQuery, type TableReadPlan } from './table-refs.ts';
export { fieldsFromDuckDbColumns, icebergTypeOf } from './type-mapping.ts';
export { splitStatements } from '../core/index.ts';
export { ownTheNewObject } from './governed-catalog.ts';
