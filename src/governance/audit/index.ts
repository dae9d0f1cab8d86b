// The audit log: an append-only, hash-chained record of governance decisions and outcomes.
export {
  AuditLog,
  DEFAULT_AUDIT_QUERY_LIMIT,
  MAX_AUDIT_QUERY_LIMIT,
  type AuditAnchor,
  type AuditFilter,
  type AuditLogOptions,
  type AuditVerification,
} from './audit-log.ts';
export { AUDIT_DECISIONS, GENESIS_HASH, statementHash, type AuditEvent, type AuditRecord } from './audit-record.ts';
export { AUDIT_TABLE } from './audit-migration.ts';
export { AUDIT_TABLE_ID, ensureAuditTable, syncAuditTable } from './audit-table.ts';
