/**
 * The persistence contract of Strata's catalog: namespaces, tables, their properties, and for every
 * table the atomic pointer to its current Iceberg metadata file.
 *
 * Why an interface: the embedded catalog lives in SQLite inside the Strata home directory, and a
 * shared deployment keeps the same rows in Postgres. Both implement this contract, so the catalog
 * service, the Iceberg REST API and the table commit path never know which one they talk to.
 *
 * Every expected failure is a `StrataError` with a stable code (see each method). Anything the
 * database itself refuses (disk full, lock held too long) surfaces as `CATALOG_ERROR`.
 *
 * @example
 *   const catalog = await SqliteCatalogBackend.open(join(home, 'catalog.db'));
 *   await catalog.createNamespace(['sales']);
 *   await catalog.createTable({ namespace: ['sales'], name: 'orders' }, 'file:///lake/…/v1.metadata.json');
 *   const ok = await catalog.swapMetadataLocation(id, v1, v2); // false: someone else committed first
 */

/** A table's name inside its namespace. Namespaces may be nested: `['sales', 'eu']`. */
export interface TableIdentifier {
  readonly namespace: readonly string[];
  readonly name: string;
}

/** One table as the catalog stores it. Timestamps are epoch milliseconds, like Iceberg's own. */
export interface TableRecord {
  readonly identifier: TableIdentifier;
  /** Location of the table's current metadata JSON file. */
  readonly metadataLocation: string;
  /** The location the last successful swap replaced; absent until the first swap. */
  readonly previousMetadataLocation?: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * What a properties update did, in the Iceberg REST shape (`UpdateNamespacePropertiesResponse`):
 * `updated` lists every key that was set, `removed` the requested removals that existed, `missing`
 * the requested removals that did not. Each list is sorted.
 */
export interface PropertiesUpdateResult {
  readonly updated: string[];
  readonly removed: string[];
  readonly missing: string[];
}

export interface CatalogBackend {
  /**
   * Creates a namespace. A nested namespace requires its parent to exist (`NAMESPACE_NOT_FOUND`
   * otherwise); `NAMESPACE_ALREADY_EXISTS` when it exists; `INVALID_ARGUMENT` for a bad name.
   */
  createNamespace(namespace: readonly string[], properties?: Readonly<Record<string, string>>): Promise<void>;

  /**
   * Direct children of `parent` (top-level namespaces when omitted or empty), sorted.
   * `NAMESPACE_NOT_FOUND` when `parent` does not exist.
   */
  listNamespaces(parent?: readonly string[]): Promise<string[][]>;

  /** `NAMESPACE_NOT_FOUND` when absent. */
  loadNamespaceProperties(namespace: readonly string[]): Promise<Record<string, string>>;

  /**
   * Removes then sets properties atomically with respect to other updates. A key may not appear in
   * both `removals` and `updates` (`INVALID_ARGUMENT`). `NAMESPACE_NOT_FOUND` when absent.
   */
  updateNamespaceProperties(
    namespace: readonly string[],
    removals: readonly string[],
    updates: Readonly<Record<string, string>>,
  ): Promise<PropertiesUpdateResult>;

  namespaceExists(namespace: readonly string[]): Promise<boolean>;

  /**
   * Drops an empty namespace. `NAMESPACE_NOT_EMPTY` when it holds tables or child namespaces,
   * `NAMESPACE_NOT_FOUND` when absent.
   */
  dropNamespace(namespace: readonly string[]): Promise<void>;

  /**
   * Registers a table whose first metadata file is already written at `metadataLocation`.
   * `TABLE_ALREADY_EXISTS`, `NAMESPACE_NOT_FOUND`, `INVALID_ARGUMENT`.
   */
  createTable(
    id: TableIdentifier,
    metadataLocation: string,
    properties?: Readonly<Record<string, string>>,
  ): Promise<TableRecord>;

  /**
   * `TABLE_NOT_FOUND` when absent; the message then names the closest existing table in the same
   * namespace ("did you mean sales.orders?") and `details.suggestion` carries it.
   */
  loadTable(id: TableIdentifier): Promise<TableRecord>;

  tableExists(id: TableIdentifier): Promise<boolean>;

  /** Tables directly in `namespace`, sorted by name. `NAMESPACE_NOT_FOUND` when absent. */
  listTables(namespace: readonly string[]): Promise<TableIdentifier[]>;

  /**
   * The commit point of every Iceberg write: atomically moves the table's pointer from `expected`
   * to `next` and records `expected` as the previous location. Returns false when the pointer is
   * no longer `expected` (another writer committed first: reload, rebase, retry), and throws
   * `TABLE_NOT_FOUND` when the table is gone. Safe across processes sharing one catalog.
   */
  swapMetadataLocation(id: TableIdentifier, expected: string, next: string): Promise<boolean>;

  /**
   * Renames or moves a table. `TABLE_NOT_FOUND` (source), `TABLE_ALREADY_EXISTS` (target, also when
   * `from` and `to` are the same table), `NAMESPACE_NOT_FOUND` (target namespace).
   */
  renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void>;

  /** Removes the table and returns its last record, so the caller can purge its files. */
  dropTable(id: TableIdentifier): Promise<TableRecord>;

  /** Same semantics as `updateNamespaceProperties`; `TABLE_NOT_FOUND` when absent. */
  updateTableProperties(
    id: TableIdentifier,
    removals: readonly string[],
    updates: Readonly<Record<string, string>>,
  ): Promise<PropertiesUpdateResult>;

  /** Releases the database connection. Every later call throws `CATALOG_ERROR`. */
  close(): Promise<void>;
}
