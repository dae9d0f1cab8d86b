/**
 * Per-partition-field summaries for a manifest list entry (`partitions`, spec "Manifest Lists"):
 * whether any file's value is null, whether any is NaN (float/double only), and the min and max of
 * the non-null, non-NaN values in single-value binary form. Planning skips a whole manifest when a
 * filter cannot match anything between those bounds.
 *
 * Gotcha: -0.0 orders before +0.0 (Iceberg's float order), so a -0.0 value is never hidden behind a
 * +0.0 lower bound, as the spec requires.
 *
 * @example
 *   const partitions = summarizePartitions(partitionType, manifestFiles.map((e) => e.dataFile));
 */
import { StrataError } from '../../core/index.ts';
import type { PrimitiveType, StructType } from '../schema/types.ts';
import { isPrimitive, typeToString } from '../schema/types.ts';
import type { IcebergValue } from '../schema/values.ts';
import { compareValues, serializeValue } from '../serde/single-value.ts';
import type { DataFile } from './data-file.ts';
import type { FieldSummary } from './manifest-file.ts';

export function summarizePartitions(partitionType: StructType, files: readonly DataFile[]): FieldSummary[] {
  return partitionType.fields.map((field, i) => {
    const type = field.type;
    if (!isPrimitive(type)) {
      throw new StrataError('INVALID_ARGUMENT', `Partition field ${field.name} has non-primitive type ${typeToString(type)}`, {
        field: field.name,
      });
    }
    const floating = type.kind === 'float' || type.kind === 'double';
    let containsNull = false;
    let containsNan = false;
    let lower: IcebergValue = null;
    let upper: IcebergValue = null;
    for (const file of files) {
      const value = file.partition[i] ?? null;
      if (value === null) containsNull = true;
      else if (floating && Number.isNaN(value)) containsNan = true;
      else {
        if (lower === null || compareValues(type, value, lower) < 0) lower = value;
        if (upper === null || compareValues(type, value, upper) > 0) upper = value;
      }
    }
    return {
      containsNull,
      ...(floating ? { containsNan } : {}),
      ...bound('lowerBound', type, lower),
      ...bound('upperBound', type, upper),
    };
  });
}

function bound(key: 'lowerBound' | 'upperBound', type: PrimitiveType, value: IcebergValue): Partial<FieldSummary> {
  return value === null ? {} : { [key]: serializeValue(type, value) };
}
