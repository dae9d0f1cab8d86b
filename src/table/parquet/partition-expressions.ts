/**
 * Partition transforms as DuckDB expressions, so a write computes every row's partition value inside
 * DuckDB (no row ever crosses into JS except through the bucket UDF). Each expression yields the
 * transform's result in canonical form (canonical-values.ts) and must agree exactly with
 * `Transform.apply` from partition/transforms.ts:
 *
 * - year/month/day/hour are integer arithmetic on UTC values (timestamptz goes through `epoch_us`, so
 *   the session `TimeZone` cannot shift a row into another day); hour floors negative micros.
 * - truncate[W] on numbers is `v - (((v % W) + W) % W)` in a wider integer (so it floors negatives
 *   without overflow); on strings `left()` counts code points, like the JS transform; on binary it
 *   cuts the hex text.
 * - bucket[N] calls a DuckDB scalar UDF that runs the JS `Transform.apply` itself (Murmur3 over the
 *   spec's hash bytes), so there is one implementation of the hash.
 */
import { BIGINT, BLOB, DuckDBScalarFunction, HUGEINT, INTEGER, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import { StrataError, messageOf } from '../../core/index.ts';
import type { PartitionField, PartitionSpec } from '../partition/partition-spec.ts';
import type { Transform } from '../partition/transforms.ts';
import { parseTransform, partitionType } from '../partition/transforms.ts';
import type { Schema } from '../schema/schema.ts';
import type { IcebergType, PrimitiveType } from '../schema/types.ts';
import { isPrimitive, primitiveToString } from '../schema/types.ts';
import { canonicalExpr, canonicalSqlType, canonicalToValue } from './canonical-values.ts';
import type { CanonicalSqlType } from './canonical-values.ts';
import { quoteIdent } from './duckdb-types.ts';

export interface PartitionColumn {
  readonly field: PartitionField;
  readonly transform: Transform;
  readonly sourceType: PrimitiveType;
  readonly resultType: PrimitiveType;
  /** SQL computing the partition value in canonical form of `resultType`. */
  readonly sql: string;
}

/**
 * One SQL expression per partition field, over rows whose columns have the schema's names and exact
 * types; `rowAlias` qualifies column references. Registers the bucket UDFs the expressions call.
 */
export async function partitionColumns(
  connection: DuckDBConnection,
  spec: PartitionSpec,
  schema: Schema,
  rowAlias: string,
): Promise<readonly PartitionColumn[]> {
  const resultFields = partitionType(spec, schema).fields; // validates sources and transforms
  const columns: PartitionColumn[] = [];
  for (const [i, field] of spec.fields.entries()) {
    const transform = parseTransform(field.transform);
    const { path, type: sourceType } = sourcePath(schema, field);
    const resultType = resultFields[i]?.type;
    if (!isPrimitive(sourceType) || resultType === undefined || !isPrimitive(resultType)) {
      throw new StrataError('INVALID_PARTITION_SPEC', `Partition field "${field.name}" must have a primitive source column`, {
        partitionField: field.name,
      });
    }
    const source = [rowAlias, ...path.map(quoteIdent)].join('.');
    const sql =
      transform.name === 'bucket'
        ? `${await bucketFunction(connection, transform, sourceType)}(${canonicalExpr(source, sourceType)})`
        : transformSql(transform, source, sourceType);
    columns.push({ field, transform, sourceType, resultType, sql });
  }
  return columns;
}

/** The names from the top-level column down to the partition source; refuses sources inside lists/maps. */
function sourcePath(schema: Schema, field: PartitionField): { path: string[]; type: IcebergType } {
  const search = (fields: Schema['fields'], prefix: string[]): { path: string[]; type: IcebergType } | undefined => {
    for (const f of fields) {
      const path = [...prefix, f.name];
      if (f.id === field.sourceId) return { path, type: f.type };
      if (f.type.kind === 'struct') {
        const found = search(f.type.fields, path);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  const found = search(schema.fields, []);
  if (found === undefined) {
    throw new StrataError(
      'INVALID_PARTITION_SPEC',
      `Partition field "${field.name}" uses source id ${field.sourceId}, which is not a column reachable through structs; lists and maps cannot be partition sources`,
      { partitionField: field.name, sourceId: field.sourceId },
    );
  }
  return found;
}

function transformSql(transform: Transform, source: string, type: PrimitiveType): string {
  const w = transform.param ?? 0;
  const utc = type.kind === 'timestamptz' ? `make_timestamp(epoch_us(${source}))` : source;
  switch (transform.name) {
    case 'identity':
      return canonicalExpr(source, type);
    case 'void':
      return `CAST(NULL AS ${canonicalSqlType(type)})`;
    case 'year':
      return `CAST(year(${utc}) - 1970 AS INTEGER)`;
    case 'month':
      return `CAST((year(${utc}) - 1970) * 12 + month(${utc}) - 1 AS INTEGER)`;
    case 'day':
      return `CAST(CAST(${utc} AS DATE) - DATE '1970-01-01' AS INTEGER)`;
    case 'hour':
      return `CAST(${floorDiv(`epoch_us(${source})`, 3_600_000_000)} AS INTEGER)`;
    case 'truncate':
      switch (type.kind) {
        case 'int':
          return floorTo(`CAST(${source} AS BIGINT)`, w);
        case 'long':
          return floorTo(`CAST(${source} AS HUGEINT)`, w);
        case 'decimal':
          return floorTo(canonicalExpr(source, type), w);
        case 'string':
          return `left(${source}, ${w})`;
        case 'binary':
          return `from_hex(left(hex(${source}), ${2 * w}))`;
        default:
          break;
      }
      break;
    case 'bucket':
      break;
  }
  throw new StrataError('INVALID_PARTITION_SPEC', `Transform ${transform.toString()} cannot apply to ${primitiveToString(type)}`, {
    transform: transform.toString(),
  });
}

/** `a` floored to a multiple of `w` (DuckDB's `%` keeps the dividend's sign, so it is corrected). */
function floorTo(a: string, w: number): string {
  return `((${a}) - ((((${a}) % ${w}) + ${w}) % ${w}))`;
}

/** `floor(a / d)` for integers, exact (DuckDB's `//` truncates toward zero). */
function floorDiv(a: string, d: number): string {
  return `((${a}) // ${d} - CASE WHEN (${a}) % ${d} < 0 THEN 1 ELSE 0 END)`;
}

const DUCKDB_TYPES: Readonly<Partial<Record<CanonicalSqlType, DuckDBType>>> = { INTEGER, BIGINT, HUGEINT, VARCHAR, BLOB };
const registered = new WeakMap<DuckDBConnection, Set<string>>();

/**
 * The name of a scalar UDF computing `transform` (a bucket) for canonical values of `sourceType`,
 * registered on the connection's database if it is not there yet. The name encodes everything the
 * function depends on, so a function of that name always computes the same thing.
 */
async function bucketFunction(connection: DuckDBConnection, transform: Transform, sourceType: PrimitiveType): Promise<string> {
  const name = `__strata_iceberg_bucket_${transform.param ?? 0}_${primitiveToString(sourceType).replace(/[^a-z0-9]+/g, '_')}`;
  const known = registered.get(connection) ?? new Set<string>();
  registered.set(connection, known);
  if (known.has(name)) return name;
  const existing = await connection.runAndReadAll('SELECT 1 FROM duckdb_functions() WHERE function_name = $1', [name]);
  if (existing.currentRowCount === 0) {
    const parameterType = DUCKDB_TYPES[canonicalSqlType(sourceType)];
    if (parameterType === undefined) {
      throw new StrataError('INVALID_PARTITION_SPEC', `bucket cannot apply to ${primitiveToString(sourceType)}`, {
        type: primitiveToString(sourceType),
      });
    }
    connection.registerScalarFunction(
      DuckDBScalarFunction.create({
        name,
        returnType: INTEGER,
        parameterTypes: [parameterType],
        mainFunction: (info, input, output) => {
          try {
            const values = input.getColumnVector(0);
            for (let i = 0; i < input.rowCount; i++) {
              const bucket = transform.apply(canonicalToValue(values.getItem(i), sourceType), sourceType);
              output.setItem(i, bucket === null ? null : Number(bucket));
            }
            output.flush();
          } catch (error) {
            info.setError(`${name}: ${messageOf(error)}`);
          }
        },
      }),
    );
  }
  known.add(name);
  return name;
}
