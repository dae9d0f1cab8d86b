/**
 * Persistence layer of the catalog plane: the `CatalogBackend` contract and its SQLite (embedded)
 * and Postgres (shared) implementations. The catalog service in `src/catalog/` builds on this; other planes import the
 * catalog through `src/catalog/index.ts`, not from here.
 */
export type { CatalogBackend, PropertiesUpdateResult, TableIdentifier, TableRecord } from './catalog-backend.ts';
export type { CatalogDialect, ConstraintViolation } from './catalog-dialect.ts';
export { KyselyCatalogBackend } from './kysely-catalog-backend.ts';
export { SqliteCatalogBackend } from './sqlite-catalog-backend.ts';
export { PostgresCatalogBackend, isPostgresUrl, redactUrl, type PostgresCatalogOptions } from './postgres-catalog-backend.ts';
export { CATALOG_MIGRATIONS, migrateCatalog, runMigrations, type MigrateOptions, type MigrationSet } from './migrations.ts';
export { closestName, editDistance } from '../../core/index.ts';
export {
  NAMESPACE_SEPARATOR,
  formatNamespace,
  formatTableIdentifier,
  validateNamespace,
  validateTableIdentifier,
} from './names.ts';
