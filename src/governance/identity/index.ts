// Identity: principals, groups, roles and API tokens, stored in the catalog database.
export {
  IdentityStore,
  type CreateTokenOptions,
  type CreatedToken,
  type EffectiveRole,
  type GovernanceConnection,
  type IdentityStoreOptions,
  type Principal,
  type PrincipalKind,
  type Role,
  type RoleGrantee,
  type TokenInfo,
} from './identity-store.ts';
export { ADMIN_ROLE, bootstrapAdmin, type BootstrapResult } from './bootstrap.ts';
export { GOVERNANCE_MIGRATIONS, GOVERNANCE_MIGRATION_TABLE, migrateGovernance, openMigratedSqlite } from './migrations.ts';
export { TOKEN_PREFIX } from './tokens.ts';
export { MAX_NAME_LENGTH, validateName, type IdentityKind } from './names.ts';
