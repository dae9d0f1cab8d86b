/**
 * The catalog: Strata's one list of databases and tables, shared by every engine. It owns the
 * pointer from a table name to the table's current metadata file (in the catalog database) and
 * creates, loads, renames, drops and registers Iceberg tables in the lake.
 *
 * @example
 *   const catalog = await Catalog.open({ backend, lake, runtime });
 *   await catalog.createNamespace(['sales']);
 *   const orders = await catalog.createTable('sales.orders', schema, { partitionBy: [{ source: 'ts', transform: 'day' }] });
 */
import { StrataError } from '../core/index.ts';
import { ZONES, type LakeLayout, type ObjectStore, type Zone } from '../storage/index.ts';
import {
  DuckDbRuntime,
  Table,
  UNPARTITIONED,
  keyOf,
  newMetadataLocation,
  newTableMetadata,
  readMetadataFile,
  reachableFiles,
  updateSpec,
  writeNewMetadataFile,
  type NestedField,
  type PartitionSpec,
  type Schema,
  type TableMetadata,
} from '../table/index.ts';
import type { CatalogBackend, TableIdentifier } from './backend/index.ts';
import { CatalogTableOperations } from './catalog-table-operations.ts';
import { formatIdentifier, toIdentifier } from './identifier.ts';

/** Database property naming the lake zone its tables live in (`raw`, `processed`, `curated`, …). */
export const ZONE_PROPERTY = 'zone';

export interface PartitionFieldInput {
  /** Source column name. */
  readonly source: string;
  /** `identity`, `bucket[16]`, `truncate[4]`, `year`, `month`, `day`, `hour`. */
  readonly transform: string;
  readonly name?: string;
}

export interface CreateTableOptions {
  readonly partitionBy?: readonly PartitionFieldInput[];
  readonly properties?: Readonly<Record<string, string>>;
  /** The lake zone the table lives in (default: the database's `zone` property, else `curated`). */
  readonly zone?: Zone;
  /** An explicit location URI, overriding the zone layout. */
  readonly location?: string;
}

export interface DropTableOptions {
  /** Also delete every file the table references (data, manifests, metadata). */
  readonly purge?: boolean;
}

export interface CatalogOptions {
  readonly backend: CatalogBackend;
  readonly lake: LakeLayout;
  readonly runtime: DuckDbRuntime;
}

export class Catalog {
  readonly backend: CatalogBackend;
  readonly lake: LakeLayout;
  readonly runtime: DuckDbRuntime;

  constructor(options: CatalogOptions) {
    this.backend = options.backend;
    this.lake = options.lake;
    this.runtime = options.runtime;
  }

  // ---- namespaces ------------------------------------------------------------------------

  createNamespace(namespace: readonly string[], properties?: Readonly<Record<string, string>>): Promise<void> {
    return this.backend.createNamespace(namespace, properties);
  }

  listNamespaces(parent?: readonly string[]): Promise<string[][]> {
    return this.backend.listNamespaces(parent);
  }

  loadNamespaceProperties(namespace: readonly string[]): Promise<Record<string, string>> {
    return this.backend.loadNamespaceProperties(namespace);
  }

  dropNamespace(namespace: readonly string[]): Promise<void> {
    return this.backend.dropNamespace(namespace);
  }

  listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    return this.backend.listTables(namespace);
  }

  tableExists(id: string | TableIdentifier): Promise<boolean> {
    return this.backend.tableExists(toIdentifier(id));
  }

  // ---- tables ----------------------------------------------------------------------------

  async createTable(id: string | TableIdentifier, schema: Schema | readonly NestedField[], options: CreateTableOptions = {}): Promise<Table> {
    const ident = toIdentifier(id);
    if (await this.backend.tableExists(ident)) {
      throw new StrataError('TABLE_ALREADY_EXISTS', `Table ${formatIdentifier(ident)} already exists`, { table: formatIdentifier(ident) });
    }
    if (!(await this.backend.namespaceExists(ident.namespace))) {
      throw new StrataError(
        'NAMESPACE_NOT_FOUND',
        `Database ${ident.namespace.join('.')} does not exist; create it first (CREATE DATABASE ${ident.namespace.join('.')})`,
        { namespace: ident.namespace },
      );
    }
    const tableSchema: Schema = Array.isArray(schema) ? { schemaId: 0, fields: schema as readonly NestedField[] } : (schema as Schema);
    const meta = newTableMetadata({
      location: options.location ?? (await this.defaultTableLocation(ident, options.zone)),
      schema: tableSchema,
      spec: buildSpec(tableSchema, options.partitionBy ?? []),
      properties: options.properties ?? {},
    });
    return this.createTableFromMetadata(ident, meta);
  }

  /** Where a new table lives unless told otherwise: its database's zone (or `zone`) in the lake layout. */
  async defaultTableLocation(id: string | TableIdentifier, zone?: Zone): Promise<string> {
    const ident = toIdentifier(id);
    return this.lake.tableUri(zone ?? (await this.#namespaceZone(ident.namespace)), ident.namespace, ident.name);
  }

  /**
   * Creates a table whose first metadata version is already built (the Iceberg REST catalog's
   * create and staged-create commits): writes it as version 0 and registers it. The backend
   * refuses with TABLE_ALREADY_EXISTS / NAMESPACE_NOT_FOUND; the file is then deleted.
   */
  async createTableFromMetadata(id: string | TableIdentifier, meta: TableMetadata): Promise<Table> {
    const ident = toIdentifier(id);
    const store = this.storeForUri(meta.location);
    const metadataLocation = newMetadataLocation(meta, 0);
    await writeNewMetadataFile(store, metadataLocation, meta);
    try {
      await this.backend.createTable(ident, metadataLocation);
    } catch (error) {
      await store.delete(keyOf(store, metadataLocation));
      throw error;
    }
    return this.loadTable(ident);
  }

  async loadTable(id: string | TableIdentifier): Promise<Table> {
    const ident = toIdentifier(id);
    const record = await this.backend.loadTable(ident);
    const ops = new CatalogTableOperations(this.backend, this.storeForUri(record.metadataLocation), ident);
    await ops.refresh();
    return new Table(ops, this.runtime);
  }

  /** Register an existing Iceberg table (e.g. written by another catalog) from its metadata file. */
  async registerTable(id: string | TableIdentifier, metadataLocation: string): Promise<Table> {
    const ident = toIdentifier(id);
    await readMetadataFile(this.storeForUri(metadataLocation), metadataLocation); // must be a valid table
    await this.backend.createTable(ident, metadataLocation);
    return this.loadTable(ident);
  }

  async renameTable(from: string | TableIdentifier, to: string | TableIdentifier): Promise<void> {
    await this.backend.renameTable(toIdentifier(from), toIdentifier(to));
  }

  /**
   * Drop a table from the catalog. With `purge`, delete every file reachable from its metadata
   * (all snapshots' data files, manifests, manifest lists and metadata files) once it is dropped.
   */
  async dropTable(id: string | TableIdentifier, options: DropTableOptions = {}): Promise<void> {
    const ident = toIdentifier(id);
    const record = await this.backend.loadTable(ident);
    const store = this.storeForUri(record.metadataLocation);
    const files = options.purge ? await reachableFiles(store, record.metadataLocation) : [];
    await this.backend.dropTable(ident);
    for (let i = 0; i < files.length; i += 1000) {
      await store.deleteMany(files.slice(i, i + 1000).map((f) => keyOf(store, f)));
    }
  }

  /** A database's `zone` property decides where its new tables live (default `curated`). */
  async #namespaceZone(namespace: readonly string[]): Promise<Zone> {
    const zone = (await this.backend.loadNamespaceProperties(namespace))[ZONE_PROPERTY] ?? 'curated';
    if (!(ZONES as readonly string[]).includes(zone)) {
      throw new StrataError(
        'INVALID_CONFIG',
        `Database ${namespace.join('.')} has ${ZONE_PROPERTY}=${zone}, which is not a lake zone (${ZONES.join(', ')})`,
        { namespace, zone },
      );
    }
    return zone as Zone;
  }

  /** The store (of the lake's zones) that holds `uri`. */
  storeForUri(uri: string): ObjectStore {
    const stores = new Set<ObjectStore>([this.lake.root]);
    for (const zone of ['raw', 'processed', 'curated', 'results', 'system'] as const) stores.add(this.lake.zone(zone).store);
    for (const store of stores) if (store.keyFromUri(uri) !== undefined) return store;
    throw new StrataError('INVALID_ARGUMENT', `${uri} is not inside this lake; Strata can only manage tables in its object stores`, { uri });
  }
}

function buildSpec(schema: Schema, fields: readonly PartitionFieldInput[]): PartitionSpec {
  if (fields.length === 0) return UNPARTITIONED;
  let update = updateSpec(UNPARTITIONED, schema, 999, []);
  for (const f of fields) update = update.addField(f.source, f.transform, f.name);
  return update.apply().spec;
}
