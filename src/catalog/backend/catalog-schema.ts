/**
 * Row types of the catalog database, as Kysely sees them. The DDL lives in `migrations.ts`; change
 * both together, and only by adding a migration.
 *
 * Gotcha: `bigint` columns come back as numbers from SQLite; node-postgres returns strings unless
 * told otherwise (Strata's pool parses them, see postgres-dialect.ts). Readers still pass
 * timestamps through `Number(...)`, so a connection made elsewhere cannot leak strings.
 */
import type { ColumnType } from 'kysely';

type Millis = ColumnType<number | string, number, number>;

export interface NamespaceRow {
  /** Levels joined by U+001F; see `names.ts`. */
  path: string;
  /** Path of the parent namespace; null for a top-level namespace. */
  parent: string | null;
  /** Sorted JSON object of strings; see `properties.ts`. */
  properties: string;
}

export interface TableRow {
  namespace: string;
  name: string;
  metadata_location: string;
  previous_metadata_location: string | null;
  properties: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface CatalogDatabase {
  strata_namespace: NamespaceRow;
  strata_table: TableRow;
}
