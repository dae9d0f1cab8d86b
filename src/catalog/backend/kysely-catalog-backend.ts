/**
 * The catalog backend written once in dialect-neutral Kysely, shared by SQLite and Postgres.
 * Dialect-specific knowledge comes in through a `CatalogDialect`.
 *
 * Concurrency design: every write is a single SQL statement, so each is atomic on its own and no
 * transaction is ever held across an `await` (which would stall better-sqlite3's synchronous busy
 * wait, see `sqlite-dialect.ts`).
 * - Existence rules ("the namespace must exist", "the name must be free") are enforced by primary
 *   and foreign keys, and violations are mapped to error codes, so there is no check-then-act race.
 * - The metadata pointer moves with `UPDATE … WHERE metadata_location = expected` and the
 *   affected-row count decides who won.
 * - Properties are updated optimistically: read, compute, `UPDATE … WHERE properties = <what was
 *   read>`, retry on a lost race. A concurrent pointer swap does not conflict with that.
 * - Reads after a failed write only choose the error message; they never decide the outcome.
 */
import type { Kysely, Selectable } from 'kysely';
import { StrataError, messageOf } from '../../core/index.ts';
import type { CatalogBackend, PropertiesUpdateResult, TableIdentifier, TableRecord } from './catalog-backend.ts';
import type { CatalogDialect } from './catalog-dialect.ts';
import type { CatalogDatabase, TableRow } from './catalog-schema.ts';
import { closestName } from '../../core/index.ts';
import {
  decodeNamespace,
  encodeNamespace,
  encodeParent,
  formatNamespace,
  formatTableIdentifier,
  validateNamespace,
  validateTableIdentifier,
} from './names.ts';
import { applyPropertyChanges, parseProperties, serializeProperties, validateProperties } from './properties.ts';

/** How often an optimistic properties update retries before giving up with `COMMIT_CONFLICT`. */
const PROPERTY_UPDATE_ATTEMPTS = 100;

type Db = Kysely<CatalogDatabase>;

export class KyselyCatalogBackend implements CatalogBackend {
  readonly #db: Db;
  readonly #dialect: CatalogDialect;
  #closed = false;

  constructor(db: Db, dialect: CatalogDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  /**
   * The Kysely instance and dialect behind this catalog, for planes that keep their own tables in
   * the catalog database (governance) with their own migration table. Never use it to touch the
   * catalog's tables; it stays owned by this backend and dies with `close()`.
   */
  get connection(): { readonly db: Db; readonly dialect: CatalogDialect } {
    return { db: this.#db, dialect: this.#dialect };
  }

  // ---- namespaces ------------------------------------------------------------------------------

  async createNamespace(namespace: readonly string[], properties: Readonly<Record<string, string>> = {}): Promise<void> {
    validateNamespace(namespace);
    validateProperties(properties);
    await this.#run('createNamespace', async (db) => {
      try {
        await db
          .insertInto('strata_namespace')
          .values({
            path: encodeNamespace(namespace),
            parent: encodeParent(namespace),
            properties: serializeProperties(properties),
          })
          .execute();
      } catch (error) {
        const violation = this.#dialect.constraintViolation(error);
        if (violation === 'unique') {
          throw new StrataError('NAMESPACE_ALREADY_EXISTS', `Namespace ${formatNamespace(namespace)} already exists`, {
            namespace: [...namespace],
          });
        }
        if (violation === 'foreign-key') {
          const parent = namespace.slice(0, -1);
          throw new StrataError(
            'NAMESPACE_NOT_FOUND',
            `Cannot create namespace ${formatNamespace(namespace)}: its parent ${formatNamespace(parent)} does not exist; create the parent first`,
            { namespace: [...parent] },
          );
        }
        throw error;
      }
    });
  }

  async listNamespaces(parent: readonly string[] = []): Promise<string[][]> {
    if (parent.length > 0) validateNamespace(parent);
    return this.#run('listNamespaces', async (db) => {
      const query = db.selectFrom('strata_namespace').select('path');
      const rows =
        parent.length === 0
          ? await query.where('parent', 'is', null).execute()
          : await query.where('parent', '=', encodeNamespace(parent)).execute();
      if (rows.length === 0 && parent.length > 0 && !(await this.#namespaceRowExists(db, parent))) {
        throw namespaceNotFound(parent);
      }
      return rows.map((row) => row.path).sort(compareText).map(decodeNamespace);
    });
  }

  async loadNamespaceProperties(namespace: readonly string[]): Promise<Record<string, string>> {
    validateNamespace(namespace);
    return this.#run('loadNamespaceProperties', async (db) => {
      const row = await db
        .selectFrom('strata_namespace')
        .select('properties')
        .where('path', '=', encodeNamespace(namespace))
        .executeTakeFirst();
      if (row === undefined) throw namespaceNotFound(namespace);
      return parseProperties(row.properties);
    });
  }

  async updateNamespaceProperties(
    namespace: readonly string[],
    removals: readonly string[],
    updates: Readonly<Record<string, string>>,
  ): Promise<PropertiesUpdateResult> {
    validateNamespace(namespace);
    const path = encodeNamespace(namespace);
    return this.#run('updateNamespaceProperties', (db) =>
      updatePropertiesOptimistically(removals, updates, {
        read: async () =>
          (await db.selectFrom('strata_namespace').select('properties').where('path', '=', path).executeTakeFirst())
            ?.properties,
        write: async (before, after) => {
          const result = await db
            .updateTable('strata_namespace')
            .set({ properties: after })
            .where('path', '=', path)
            .where('properties', '=', before)
            .executeTakeFirst();
          return result.numUpdatedRows > 0n;
        },
        notFound: () => Promise.resolve(namespaceNotFound(namespace)),
        what: `namespace ${formatNamespace(namespace)}`,
      }),
    );
  }

  async namespaceExists(namespace: readonly string[]): Promise<boolean> {
    validateNamespace(namespace);
    return this.#run('namespaceExists', (db) => this.#namespaceRowExists(db, namespace));
  }

  async dropNamespace(namespace: readonly string[]): Promise<void> {
    validateNamespace(namespace);
    const path = encodeNamespace(namespace);
    await this.#run('dropNamespace', async (db) => {
      let deleted: boolean;
      try {
        const result = await db
          .deleteFrom('strata_namespace')
          .where('path', '=', path)
          .where(({ not, exists, selectFrom, lit }) =>
            not(exists(selectFrom('strata_table').select(lit(1).as('one')).where('strata_table.namespace', '=', path))),
          )
          .where(({ not, exists, selectFrom, lit }) =>
            not(
              exists(
                selectFrom('strata_namespace as child').select(lit(1).as('one')).where('child.parent', '=', path),
              ),
            ),
          )
          .executeTakeFirst();
        deleted = result.numDeletedRows > 0n;
      } catch (error) {
        // A table or child created concurrently (possible under Postgres read committed).
        if (this.#dialect.constraintViolation(error) === 'foreign-key') deleted = false;
        else throw error;
      }
      if (deleted) return;
      if (!(await this.#namespaceRowExists(db, namespace))) throw namespaceNotFound(namespace);
      throw new StrataError(
        'NAMESPACE_NOT_EMPTY',
        `Namespace ${formatNamespace(namespace)} still contains tables or namespaces; drop them first`,
        { namespace: [...namespace] },
      );
    });
  }

  // ---- tables ----------------------------------------------------------------------------------

  async createTable(
    id: TableIdentifier,
    metadataLocation: string,
    properties: Readonly<Record<string, string>> = {},
  ): Promise<TableRecord> {
    validateTableIdentifier(id);
    validateLocation(metadataLocation, 'metadataLocation');
    validateProperties(properties);
    const now = Date.now();
    const row = {
      namespace: encodeNamespace(id.namespace),
      name: id.name,
      metadata_location: metadataLocation,
      previous_metadata_location: null,
      properties: serializeProperties(properties),
      created_at: now,
      updated_at: now,
    };
    return this.#run('createTable', async (db) => {
      try {
        await db.insertInto('strata_table').values(row).execute();
      } catch (error) {
        const violation = this.#dialect.constraintViolation(error);
        if (violation === 'unique') {
          throw new StrataError('TABLE_ALREADY_EXISTS', `Table ${formatTableIdentifier(id)} already exists`, {
            table: formatTableIdentifier(id),
          });
        }
        if (violation === 'foreign-key') {
          throw new StrataError(
            'NAMESPACE_NOT_FOUND',
            `Cannot create table ${formatTableIdentifier(id)}: namespace ${formatNamespace(id.namespace)} does not exist; create it first`,
            { namespace: [...id.namespace] },
          );
        }
        throw error;
      }
      return toTableRecord(row);
    });
  }

  async loadTable(id: TableIdentifier): Promise<TableRecord> {
    validateTableIdentifier(id);
    return this.#run('loadTable', async (db) => {
      const row = await selectTable(db, id).selectAll().executeTakeFirst();
      if (row === undefined) throw await this.#tableNotFound(db, id);
      return toTableRecord(row);
    });
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    validateTableIdentifier(id);
    return this.#run('tableExists', (db) => tableRowExists(db, id));
  }

  async listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    validateNamespace(namespace);
    return this.#run('listTables', async (db) => {
      const rows = await db
        .selectFrom('strata_table')
        .select('name')
        .where('namespace', '=', encodeNamespace(namespace))
        .execute();
      if (rows.length === 0 && !(await this.#namespaceRowExists(db, namespace))) throw namespaceNotFound(namespace);
      return rows
        .map((row) => row.name)
        .sort(compareText)
        .map((name) => ({ namespace: [...namespace], name }));
    });
  }

  async swapMetadataLocation(id: TableIdentifier, expected: string, next: string): Promise<boolean> {
    validateTableIdentifier(id);
    validateLocation(expected, 'expected');
    validateLocation(next, 'next');
    return this.#run('swapMetadataLocation', async (db) => {
      const result = await db
        .updateTable('strata_table')
        .set({ metadata_location: next, previous_metadata_location: expected, updated_at: Date.now() })
        .where('namespace', '=', encodeNamespace(id.namespace))
        .where('name', '=', id.name)
        .where('metadata_location', '=', expected)
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) return true;
      if (!(await tableRowExists(db, id))) throw await this.#tableNotFound(db, id);
      return false;
    });
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    validateTableIdentifier(from);
    validateTableIdentifier(to);
    await this.#run('renameTable', async (db) => {
      if (sameTable(from, to)) {
        if (!(await tableRowExists(db, from))) throw await this.#tableNotFound(db, from);
        throw tableAlreadyExists(to);
      }
      let renamed: boolean;
      try {
        const result = await selectTableForUpdate(db, from)
          .set({ namespace: encodeNamespace(to.namespace), name: to.name, updated_at: Date.now() })
          .executeTakeFirst();
        renamed = result.numUpdatedRows > 0n;
      } catch (error) {
        const violation = this.#dialect.constraintViolation(error);
        if (violation === 'unique') throw tableAlreadyExists(to);
        if (violation === 'foreign-key') {
          throw new StrataError(
            'NAMESPACE_NOT_FOUND',
            `Cannot rename ${formatTableIdentifier(from)} to ${formatTableIdentifier(to)}: namespace ${formatNamespace(to.namespace)} does not exist; create it first`,
            { namespace: [...to.namespace] },
          );
        }
        throw error;
      }
      if (!renamed) throw await this.#tableNotFound(db, from);
    });
  }

  async dropTable(id: TableIdentifier): Promise<TableRecord> {
    validateTableIdentifier(id);
    return this.#run('dropTable', async (db) => {
      const row = await db
        .deleteFrom('strata_table')
        .where('namespace', '=', encodeNamespace(id.namespace))
        .where('name', '=', id.name)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw await this.#tableNotFound(db, id);
      return toTableRecord(row);
    });
  }

  async updateTableProperties(
    id: TableIdentifier,
    removals: readonly string[],
    updates: Readonly<Record<string, string>>,
  ): Promise<PropertiesUpdateResult> {
    validateTableIdentifier(id);
    return this.#run('updateTableProperties', (db) =>
      updatePropertiesOptimistically(removals, updates, {
        read: async () => (await selectTable(db, id).select('properties').executeTakeFirst())?.properties,
        write: async (before, after) => {
          const result = await selectTableForUpdate(db, id)
            .set({ properties: after, updated_at: Date.now() })
            .where('properties', '=', before)
            .executeTakeFirst();
          return result.numUpdatedRows > 0n;
        },
        notFound: () => this.#tableNotFound(db, id),
        what: `table ${formatTableIdentifier(id)}`,
      }),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.destroy();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Runs one operation, turning every unexpected database failure into `CATALOG_ERROR`. */
  async #run<T>(operation: string, fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new StrataError('CATALOG_ERROR', `The catalog backend is closed; cannot ${operation}. Open it again.`, {
        operation,
      });
    }
    try {
      return await fn(this.#db);
    } catch (error) {
      if (error instanceof StrataError) throw error;
      throw new StrataError(
        'CATALOG_ERROR',
        `Catalog operation ${operation} failed in the ${this.#dialect.name} catalog: ${messageOf(error)}`,
        { operation },
        { cause: error },
      );
    }
  }

  async #namespaceRowExists(db: Db, namespace: readonly string[]): Promise<boolean> {
    const row = await db
      .selectFrom('strata_namespace')
      .select('path')
      .where('path', '=', encodeNamespace(namespace))
      .executeTakeFirst();
    return row !== undefined;
  }

  /** TABLE_NOT_FOUND, with the closest table name in the same namespace when one is plausible. */
  async #tableNotFound(db: Db, id: TableIdentifier): Promise<StrataError> {
    const table = formatTableIdentifier(id);
    if (!(await this.#namespaceRowExists(db, id.namespace))) {
      return new StrataError(
        'TABLE_NOT_FOUND',
        `Table ${table} does not exist: namespace ${formatNamespace(id.namespace)} does not exist either`,
        { table },
      );
    }
    const rows = await db
      .selectFrom('strata_table')
      .select('name')
      .where('namespace', '=', encodeNamespace(id.namespace))
      .execute();
    const closest = closestName(
      id.name,
      rows.map((row) => row.name),
    );
    if (closest === undefined) {
      return new StrataError(
        'TABLE_NOT_FOUND',
        `Table ${table} does not exist; list the tables of ${formatNamespace(id.namespace)} to see what is there`,
        { table },
      );
    }
    const suggestion = formatTableIdentifier({ namespace: id.namespace, name: closest });
    return new StrataError('TABLE_NOT_FOUND', `Table ${table} does not exist; did you mean ${suggestion}?`, {
      table,
      suggestion,
    });
  }
}

function selectTable(db: Db, id: TableIdentifier) {
  return db
    .selectFrom('strata_table')
    .where('namespace', '=', encodeNamespace(id.namespace))
    .where('name', '=', id.name);
}

function selectTableForUpdate(db: Db, id: TableIdentifier) {
  return db
    .updateTable('strata_table')
    .where('namespace', '=', encodeNamespace(id.namespace))
    .where('name', '=', id.name);
}

async function tableRowExists(db: Db, id: TableIdentifier): Promise<boolean> {
  return (await selectTable(db, id).select('name').executeTakeFirst()) !== undefined;
}

interface OptimisticProperties {
  read(): Promise<string | undefined>;
  write(before: string, after: string): Promise<boolean>;
  notFound(): Promise<StrataError>;
  what: string;
}

async function updatePropertiesOptimistically(
  removals: readonly string[],
  updates: Readonly<Record<string, string>>,
  target: OptimisticProperties,
): Promise<PropertiesUpdateResult> {
  applyPropertyChanges({}, removals, updates); // validates the request before touching the database
  for (let attempt = 0; attempt < PROPERTY_UPDATE_ATTEMPTS; attempt++) {
    const before = await target.read();
    if (before === undefined) throw await target.notFound();
    const { next, result } = applyPropertyChanges(parseProperties(before), removals, updates);
    if (await target.write(before, serializeProperties(next))) return result;
  }
  throw new StrataError(
    'COMMIT_CONFLICT',
    `Properties of ${target.what} kept changing concurrently (${PROPERTY_UPDATE_ATTEMPTS} attempts); retry later`,
    { attempts: PROPERTY_UPDATE_ATTEMPTS },
  );
}

function toTableRecord(row: Selectable<TableRow>): TableRecord {
  return {
    identifier: { namespace: decodeNamespace(row.namespace), name: row.name },
    metadataLocation: row.metadata_location,
    ...(row.previous_metadata_location === null ? {} : { previousMetadataLocation: row.previous_metadata_location }),
    properties: parseProperties(row.properties),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function validateLocation(location: string, what: string): void {
  if (typeof location !== 'string' || location.length === 0) {
    throw new StrataError('INVALID_ARGUMENT', `${what} must be a non-empty metadata file location`, { [what]: location });
  }
}

function namespaceNotFound(namespace: readonly string[]): StrataError {
  return new StrataError(
    'NAMESPACE_NOT_FOUND',
    `Namespace ${formatNamespace(namespace)} does not exist; create it first or check the spelling`,
    { namespace: [...namespace] },
  );
}

function tableAlreadyExists(id: TableIdentifier): StrataError {
  return new StrataError('TABLE_ALREADY_EXISTS', `Table ${formatTableIdentifier(id)} already exists; pick another name`, {
    table: formatTableIdentifier(id),
  });
}

function sameTable(a: TableIdentifier, b: TableIdentifier): boolean {
  return a.name === b.name && encodeNamespace(a.namespace) === encodeNamespace(b.namespace);
}

/** Code-unit order, identical on every database whatever its collation. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
