/**
 * Reading and writing metadata files through an ObjectStore, addressed by URI (the form the
 * catalog and other engines store). Missing and corrupt files become errors that name the file.
 */
import { randomUUID } from 'node:crypto';
import { StrataError } from '../../core/index.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { metadataFromJson, metadataToJson } from './metadata-json.ts';
import type { TableMetadata } from './table-metadata.ts';

/** The object key of a URI inside `store`; INVALID_ARGUMENT when the URI points elsewhere. */
export function keyOf(store: ObjectStore, uri: string): string {
  const key = store.keyFromUri(uri);
  if (key === undefined) {
    // The store's own root, named through a key it accepts (some stores refuse the empty key).
    const root = store.uri('x').slice(0, -1);
    throw new StrataError('INVALID_ARGUMENT', `${uri} is outside this lake's object store (${root})`, { uri });
  }
  return key;
}

export async function readMetadataFile(store: ObjectStore, location: string): Promise<TableMetadata> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(keyOf(store, location));
  } catch (error) {
    if (StrataError.is(error, 'OBJECT_NOT_FOUND')) {
      throw new StrataError('CORRUPT_FILE', `Metadata file ${location} is missing; the table's metadata pointer is dangling`, {
        file: location,
      });
    }
    throw error;
  }
  return metadataFromJson(new TextDecoder().decode(bytes), location);
}

/** `<location>/metadata/<version>-<uuid>.metadata.json`, the reference implementation's naming. */
export function newMetadataLocation(meta: TableMetadata, version: number): string {
  return `${meta.location}/metadata/${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
}

/** Writes a new metadata file; the name must be fresh, so this never overwrites anything. */
export async function writeNewMetadataFile(store: ObjectStore, location: string, meta: TableMetadata): Promise<void> {
  const written = await store.putIfAbsent(keyOf(store, location), new TextEncoder().encode(metadataToJson(meta)));
  if (!written) throw new StrataError('COMMIT_FAILED', `Metadata file ${location} already exists`, { file: location });
}

/** The version number encoded in a metadata file name (`00003-….metadata.json` or `v3.metadata.json`), or 0. */
export function metadataVersionOf(location: string | undefined): number {
  if (!location) return 0;
  const name = location.slice(location.lastIndexOf('/') + 1);
  const match = /^v?(\d+)[-.]/.exec(name);
  return match ? Number(match[1]) : 0;
}
