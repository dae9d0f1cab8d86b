/**
 * A partition spec: how a table's rows map to partition tuples. Each field applies a transform
 * (identity, bucket[N], truncate[W], year, month, day, hour, void) to a source column, by id.
 * Partition field ids start at 1000 in a table and are never reused, as the spec requires.
 */
import { StrataError } from '../../core/index.ts';

export interface PartitionField {
  readonly sourceId: number;
  readonly fieldId: number;
  readonly name: string;
  /** The spec's transform string: `identity`, `bucket[16]`, `truncate[4]`, `day`, `void`, ... */
  readonly transform: string;
}

export interface PartitionSpec {
  readonly specId: number;
  readonly fields: readonly PartitionField[];
}

/** Partition field ids start here (spec: "partition field ids start at 1000"). */
export const PARTITION_DATA_ID_START = 1000;

export const UNPARTITIONED: PartitionSpec = { specId: 0, fields: [] };

export function isUnpartitioned(spec: PartitionSpec): boolean {
  return spec.fields.every((f) => f.transform === 'void');
}

export function specToJson(spec: PartitionSpec): Record<string, unknown> {
  return {
    'spec-id': spec.specId,
    fields: spec.fields.map((f) => ({
      'source-id': f.sourceId,
      'field-id': f.fieldId,
      name: f.name,
      transform: f.transform,
    })),
  };
}

export function specFromJson(json: unknown): PartitionSpec {
  if (json === null || typeof json !== 'object') {
    throw new StrataError('INVALID_PARTITION_SPEC', 'A partition spec must be a JSON object');
  }
  const obj = json as Record<string, unknown>;
  const fields = obj['fields'];
  if (!Array.isArray(fields)) throw new StrataError('INVALID_PARTITION_SPEC', 'A partition spec needs a "fields" array');
  return {
    specId: Number(obj['spec-id'] ?? 0),
    fields: fields.map((raw: unknown, i) => {
      const f = raw as Record<string, unknown>;
      if (typeof f['name'] !== 'string' || typeof f['transform'] !== 'string' || typeof f['source-id'] !== 'number') {
        throw new StrataError('INVALID_PARTITION_SPEC', `Partition field ${i} needs source-id, name and transform`);
      }
      return {
        sourceId: f['source-id'],
        fieldId: typeof f['field-id'] === 'number' ? f['field-id'] : PARTITION_DATA_ID_START + i,
        name: f['name'],
        transform: f['transform'],
      };
    }),
  };
}
