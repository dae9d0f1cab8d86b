// The decision engine: pure, synchronous answers to "may this principal read / do / grant this?"
// over a PolicySnapshot. Every function accepts the snapshot or its index (indexSnapshot), and
// indexes a snapshot once per snapshot object.
export type { AppliedMask, AppliedRowFilter, ColumnDecision, PrivilegeDecision, ReadDecision, TableShape } from './decisions.ts';
export { decideRead } from './decide-read.ts';
export { decidePrivilege, visibleTables } from './decide-privilege.ts';
export { decideGrantOption } from './decide-grant-option.ts';
export { effectiveTags, grantAppliesTo, indexSnapshot, PolicyIndex } from './policy-index.ts';
export { maskStrictness } from './mask-precedence.ts';
