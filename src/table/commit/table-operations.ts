/**
 * `TableOperations`: how a table reads its latest metadata and atomically swaps in a new version.
 * The table plane defines it; implementations decide where the pointer lives — in the catalog
 * database (catalog plane) or in the object store itself (`ObjectStoreTableOperations`).
 */
import type { ObjectStore } from '../../storage/index.ts';
import type { TableMetadata } from '../metadata/table-metadata.ts';

export interface TableOperations {
  /** The store holding the table's files. */
  readonly store: ObjectStore;
  /** A name for messages, e.g. `sales.orders`. */
  readonly name: string;
  /** The last metadata read or committed by this instance (no I/O); undefined before the first refresh. */
  current(): TableMetadata | undefined;
  /** The location of `current()`'s metadata file. */
  currentLocation(): string | undefined;
  /** Re-read the latest metadata from the source of truth. */
  refresh(): Promise<TableMetadata>;
  /**
   * Atomically replace `base` with `next`. Throws 'COMMIT_CONFLICT' when `base` is no longer the
   * latest version (another writer won); nothing is changed then. `base` undefined means create.
   */
  commit(base: TableMetadata | undefined, next: TableMetadata): Promise<void>;
}
