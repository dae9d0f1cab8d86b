export type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.ts';
export {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  directoryPrefix,
} from './object-key.ts';
export { LocalObjectStore } from './local-object-store.ts';
export { S3ObjectStore, type S3ObjectStoreConfig } from './s3-object-store.ts';
export { PrefixedObjectStore } from './prefixed-object-store.ts';
export {
  LakeLayout,
  ZONES,
  assertValidName,
  utcDay,
  type LakeLayoutConfig,
  type Zone,
  type ZoneConfig,
  type ZoneLocation,
} from './lake-layout.ts';
export { closeLakeStore, openLakeStore, parseLakeUri, type LakeS3Options, type LakeStoreOptions } from './lake-store.ts';
export { RawZoneWriter } from './raw-zone-writer.ts';
