// The policy compiler: a ReadDecision rendered as SQL for one engine (DuckDB or Spark), and the checks
// policy SQL passes before it is stored.
export type { PolicyDialect } from './policy-dialect.ts';
export { duckDbDialect } from './duckdb-dialect.ts';
export { sparkDialect, sparkType } from './spark-dialect.ts';
export { compileGovernedRelation, BASE_ALIAS } from './governed-relation.ts';
export { bindPrincipalFunctions, renderPolicySql, PRINCIPAL_FUNCTIONS } from './principal-functions.ts';
export { validatePolicySql } from './validate-policy-sql.ts';
export { hmacPads, type HmacPads } from './keyed-hash.ts';
export { parseIcebergTypeText } from './iceberg-type-text.ts';
