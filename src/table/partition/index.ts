export {
  type PartitionField,
  type PartitionSpec,
  PARTITION_DATA_ID_START,
  UNPARTITIONED,
  isUnpartitioned,
  specToJson,
  specFromJson,
} from './partition-spec.ts';
export {
  type Transform,
  type TransformName,
  parseTransform,
  partitionType,
  hashValue,
  truncateString,
} from './transforms.ts';
export { murmur3Hash32 } from './murmur3.ts';
