// Enforcement: the per-session governor, the per-statement guard, the fail-closed query inspector.
export { Governor, StatementGuard, shapeOf, policyDialectFor, type GovernorOptions, type PrivilegeCheck } from './governor.ts';
export { checkSparkStatementText } from './spark-statement-text.ts';
export { loadPrincipalContext } from './principal-context.ts';
export { builtinFunctions } from './builtin-functions.ts';
export { inspectQuery, refuseUnparsedStatement, type InspectContext, type StrataReference } from './duckdb-query-inspector.ts';
export { findHiddenColumnReference, type HiddenColumnReference, type ReadTable } from './column-references.ts';
export type { GovernedReference, GovernedRelation, ReferenceGovernance } from './reference-governance.ts';
