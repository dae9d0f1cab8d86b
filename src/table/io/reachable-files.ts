/**
 * Every file a table's metadata references: metadata files (current and logged), manifest lists,
 * manifests and data files of every snapshot. Used to purge a dropped table without touching files
 * of other tables that may share its location prefix.
 */
import type { ObjectStore } from '../../storage/index.ts';
import { readMetadataFile } from '../metadata/metadata-io.ts';
import { readManifestEntries, readManifestList } from './manifest-io.ts';

export async function reachableFiles(store: ObjectStore, metadataLocation: string): Promise<string[]> {
  const meta = await readMetadataFile(store, metadataLocation);
  const files = new Set<string>([metadataLocation, ...meta.metadataLog.map((e) => e.metadataFile)]);
  const seenManifests = new Set<string>();
  for (const snapshot of meta.snapshots) {
    files.add(snapshot.manifestList);
    for (const manifest of await readManifestList(store, snapshot)) {
      if (seenManifests.has(manifest.manifestPath)) continue;
      seenManifests.add(manifest.manifestPath);
      files.add(manifest.manifestPath);
      for (const entry of await readManifestEntries(store, meta, manifest)) files.add(entry.dataFile.filePath);
    }
  }
  return [...files];
}
