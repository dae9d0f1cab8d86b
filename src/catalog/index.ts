// The catalog plane: databases, tables and the atomic pointer to each table's current metadata.
export * from './backend/index.ts';
export { Catalog, ZONE_PROPERTY, type CreateTableOptions, type DropTableOptions, type PartitionFieldInput, type CatalogOptions } from './catalog.ts';
export { CatalogTableOperations } from './catalog-table-operations.ts';
export { parseIdentifier, formatIdentifier, toIdentifier } from './identifier.ts';
export { openStrataHome, defaultHome, type StrataHome, type StrataHomeOptions } from './strata-home.ts';
export { ensureTable } from './ensure-table.ts';
