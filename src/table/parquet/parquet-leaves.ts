/**
 * The leaf (primitive) columns of a schema in the order Parquet stores them, with the names DuckDB
 * uses for each: metrics are per leaf, and DuckDB reports them keyed by a quoted column path.
 */
import type { Schema } from '../schema/schema.ts';
import type { IcebergType, PrimitiveType } from '../schema/types.ts';
import { quoteIdent } from './duckdb-types.ts';

export interface ParquetLeaf {
  readonly fieldId: number;
  readonly type: PrimitiveType;
  /** Dotted Iceberg name, e.g. `st.a`, `tags.element`, `attrs.value`. */
  readonly name: string;
  /**
   * The key of this column in DuckDB's `RETURN_STATS` `column_statistics`: each path part quoted and
   * joined by dots, e.g. `"st"."a"`, `"l"."element"`, `"m"."key"`.
   */
  readonly statsKey: string;
  /** The column's Parquet path as DuckDB writes it: lists as `l.list.element`, maps as `m.key_value.key`. */
  readonly parquetPath: readonly string[];
  /** Position among the file's leaf columns (`column_id` in `parquet_metadata`). */
  readonly columnIndex: number;
  /** True inside a list or map: counts are per element and the writer keeps no bounds. */
  readonly repeated: boolean;
}

export function parquetLeaves(schema: Schema): readonly ParquetLeaf[] {
  const leaves: ParquetLeaf[] = [];
  const visit = (id: number, type: IcebergType, path: readonly string[], parquetPath: readonly string[], repeated: boolean): void => {
    switch (type.kind) {
      case 'struct':
        for (const f of type.fields) visit(f.id, f.type, [...path, f.name], [...parquetPath, f.name], repeated);
        return;
      case 'list':
        visit(type.elementId, type.element, [...path, 'element'], [...parquetPath, 'list', 'element'], true);
        return;
      case 'map':
        visit(type.keyId, type.key, [...path, 'key'], [...parquetPath, 'key_value', 'key'], true);
        visit(type.valueId, type.value, [...path, 'value'], [...parquetPath, 'key_value', 'value'], true);
        return;
      default:
        leaves.push({
          fieldId: id,
          type,
          name: path.join('.'),
          statsKey: path.map(quoteIdent).join('.'),
          parquetPath,
          columnIndex: leaves.length,
          repeated,
        });
    }
  };
  for (const f of schema.fields) visit(f.id, f.type, [f.name], [f.name], false);
  return leaves;
}

