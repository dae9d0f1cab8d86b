/**
 * Iceberg v2 manifests and manifest lists in Avro: the models and their pure byte codecs.
 * Callers do the I/O; every decoder throws CORRUPT_FILE naming the path for malformed input.
 */
export { FileContent, EntryStatus, type DataFile, type FileFormat, type ManifestEntry } from './data-file.ts';
export { ManifestContent, type FieldSummary, type ManifestFile } from './manifest-file.ts';
export { encodeManifest, type EncodeManifestOptions } from './manifest-writer.ts';
export { decodeManifest, type DecodedManifest } from './manifest-reader.ts';
export { encodeManifestList, decodeManifestList, type EncodeManifestListOptions } from './manifest-list.ts';
export { summarizePartitions } from './partition-summary.ts';
