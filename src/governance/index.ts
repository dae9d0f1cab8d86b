// The governance plane: identity, policies (grants, tags, masks, row filters), decisions, the
// DuckDB policy compiler, enforcement on SQL sessions, and the hash-chained audit log.
export * from './identity/index.ts';
export * from './model.ts';
export * from './policy/index.ts';
export * from './decision/index.ts';
export * from './compile/index.ts';
export * from './audit/index.ts';
export * from './sql/index.ts';
export { parseTagExpression, formatTagExpression, evaluateTagExpression, tagPairsOf } from './tags/tag-expression.ts';
export { Governor, StatementGuard, loadPrincipalContext, builtinFunctions, shapeOf, type GovernorOptions, type PrivilegeCheck } from './enforce/index.ts';
export { openGovernance, type GovernancePlane } from './governance-plane.ts';
