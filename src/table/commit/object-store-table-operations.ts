/**
 * Catalog-free table operations: the object store itself is the source of truth. Version N of the
 * metadata is the object `metadata/v<N>.metadata.json`, and a commit is `putIfAbsent` of version
 * N+1 — exactly one writer can create it, so the store's atomic create is the compare-and-swap.
 * Useful for tables that live outside any catalog and for testing the table layer on its own.
 */
import { StrataError } from '../../core/index.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { metadataToJson } from '../metadata/metadata-json.ts';
import { keyOf, readMetadataFile } from '../metadata/metadata-io.ts';
import type { TableMetadata } from '../metadata/table-metadata.ts';
import type { TableOperations } from './table-operations.ts';

const VERSION_FILE = /\/metadata\/v(\d+)\.metadata\.json$/;

export class ObjectStoreTableOperations implements TableOperations {
  readonly store: ObjectStore;
  readonly name: string;
  readonly #location: string;
  #current: TableMetadata | undefined;
  #version = 0;

  /** @param location the table's root URI (where `metadata/` lives). */
  constructor(store: ObjectStore, location: string, name = location) {
    this.store = store;
    this.#location = location.replace(/\/+$/, '');
    this.name = name;
  }

  current(): TableMetadata | undefined {
    return this.#current;
  }

  currentLocation(): string | undefined {
    return this.#version === 0 ? undefined : this.#fileFor(this.#version);
  }

  async refresh(): Promise<TableMetadata> {
    // Once a version is known, probe v<N+1>, v<N+2>… by name: listing metadata/ would also walk every
    // manifest and manifest list, which grows with the table's history.
    let version = this.#version;
    if (version === 0) version = await this.#latestVersion();
    else while (await this.store.head(keyOf(this.store, this.#fileFor(version + 1)))) version++;
    if (version === this.#version && this.#current) return this.#current;
    if (version === 0) {
      throw new StrataError('TABLE_NOT_FOUND', `No Iceberg table at ${this.#location} (no metadata/v*.metadata.json)`, {
        location: this.#location,
      });
    }
    this.#current = await readMetadataFile(this.store, this.#fileFor(version));
    this.#version = version;
    return this.#current;
  }

  async exists(): Promise<boolean> {
    return (await this.#latestVersion()) > 0;
  }

  async commit(base: TableMetadata | undefined, next: TableMetadata): Promise<void> {
    if (base !== undefined && base !== this.#current) {
      throw new StrataError('COMMIT_CONFLICT', `Commit to ${this.name} is based on a stale version; refresh and retry`);
    }
    const version = base === undefined ? 1 : this.#version + 1;
    const file = this.#fileFor(version);
    const created = await this.store.putIfAbsent(keyOf(this.store, file), new TextEncoder().encode(metadataToJson(next)));
    if (!created) {
      throw new StrataError(
        'COMMIT_CONFLICT',
        base === undefined ? `Table ${this.name} already exists` : `Another writer committed version ${version} of ${this.name} first`,
        { version },
      );
    }
    this.#current = next;
    this.#version = version;
  }

  #fileFor(version: number): string {
    return `${this.#location}/metadata/v${version}.metadata.json`;
  }

  async #latestVersion(): Promise<number> {
    let latest = 0;
    // The key of `metadata` itself, then '/': S3's keyFromUri refuses a directory URI ending in '/'.
    const prefix = `${keyOf(this.store, `${this.#location}/metadata`)}/`;
    for await (const info of this.store.list(prefix)) {
      const match = VERSION_FILE.exec(`/${info.key}`);
      if (match) latest = Math.max(latest, Number(match[1]));
    }
    return latest;
  }
}
