/**
 * Table operations for a table registered in the catalog: the catalog database holds the pointer
 * to the current metadata file, and a commit writes a new, uniquely named metadata file and then
 * swaps the pointer with compare-and-swap on the previous location. Losing the swap deletes the
 * unreferenced file and reports COMMIT_CONFLICT (the commit loop retries). If the swap itself fails
 * for another reason, the outcome is unknown and the file is kept: deleting it could corrupt a table
 * whose pointer did move.
 */
import { StrataError } from '../core/index.ts';
import type { ObjectStore } from '../storage/index.ts';
import {
  keyOf,
  metadataVersionOf,
  newMetadataLocation,
  readMetadataFile,
  writeNewMetadataFile,
  type TableMetadata,
  type TableOperations,
} from '../table/index.ts';
import type { CatalogBackend, TableIdentifier } from './backend/index.ts';
import { formatIdentifier } from './identifier.ts';

export class CatalogTableOperations implements TableOperations {
  readonly store: ObjectStore;
  readonly name: string;
  readonly #backend: CatalogBackend;
  readonly #id: TableIdentifier;
  #current: TableMetadata | undefined;
  #location: string | undefined;

  constructor(backend: CatalogBackend, store: ObjectStore, id: TableIdentifier) {
    this.#backend = backend;
    this.store = store;
    this.#id = id;
    this.name = formatIdentifier(id);
  }

  current(): TableMetadata | undefined {
    return this.#current;
  }

  currentLocation(): string | undefined {
    return this.#location;
  }

  async refresh(): Promise<TableMetadata> {
    const record = await this.#backend.loadTable(this.#id);
    if (record.metadataLocation !== this.#location || !this.#current) {
      this.#current = await readMetadataFile(this.store, record.metadataLocation);
      this.#location = record.metadataLocation;
    }
    return this.#current;
  }

  async commit(base: TableMetadata | undefined, next: TableMetadata): Promise<void> {
    if (base === undefined) throw new StrataError('INVALID_ARGUMENT', `Create ${this.name} through the catalog, not a commit`);
    const expected = this.#location;
    if (base !== this.#current || expected === undefined) {
      throw new StrataError('COMMIT_CONFLICT', `Commit to ${this.name} is based on a stale version; refresh and retry`);
    }
    const location = newMetadataLocation(next, metadataVersionOf(expected) + 1);
    await writeNewMetadataFile(this.store, location, next);
    let swapped: boolean;
    try {
      swapped = await this.#backend.swapMetadataLocation(this.#id, expected, location);
    } catch (error) {
      if (StrataError.is(error, 'TABLE_NOT_FOUND')) {
        await this.store.delete(keyOf(this.store, location));
      }
      throw error;
    }
    if (!swapped) {
      await this.store.delete(keyOf(this.store, location));
      throw new StrataError('COMMIT_CONFLICT', `Another writer committed to ${this.name} first`);
    }
    this.#current = next;
    this.#location = location;
  }
}
