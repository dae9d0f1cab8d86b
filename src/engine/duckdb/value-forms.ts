/**
 * The JS value of each DuckDB type in an engine result. The forms are lossless and free of `Date`
 * (whose millisecond precision and local-time rendering lose data); they follow the table plane's
 * value model (src/table/schema/values.ts) where the two meet:
 *
 * | DuckDB type                                   | JS value                                              |
 * | --------------------------------------------- | ----------------------------------------------------- |
 * | NULL (any type)                               | `null`                                                |
 * | BOOLEAN                                       | `boolean`                                             |
 * | TINYINT, SMALLINT, INTEGER, U…INT up to 32 bit | `number`                                              |
 * | BIGINT, UBIGINT, HUGEINT, UHUGEINT, BIGNUM    | `bigint`                                              |
 * | FLOAT, DOUBLE                                 | `number` (NaN and ±Infinity included)                 |
 * | DECIMAL(p, s)                                 | `string`, exact: `'12.30'`                            |
 * | DATE                                          | `string` `'2024-01-31'`                               |
 * | TIME, TIME_NS, TIMETZ                         | `string` `'10:15:00.123456'`                          |
 * | TIMESTAMP (_S, _MS, _NS)                      | `string` `'2024-01-31 10:15:00.123456'` (no zone)     |
 * | TIMESTAMPTZ                                   | `string` `'2024-01-31 10:15:00.123456+00'` (UTC)      |
 * | INTERVAL                                      | `{ months: number, days: number, micros: bigint }`    |
 * | VARCHAR, UUID, ENUM, BIT, GEOMETRY            | `string` (UUID lowercase)                             |
 * | BLOB                                          | `Uint8Array`                                          |
 * | LIST, ARRAY                                   | array of element values                               |
 * | STRUCT                                        | object `{ field: value }`                             |
 * | MAP                                           | array of `{ key, value }` (keys need not be strings)  |
 * | UNION                                         | `{ tag: string, value }`                              |
 * | VARIANT                                       | the inner value in these forms                        |
 *
 * Gotcha: TIMESTAMPTZ renders in the connection's time zone; the engine pins it to UTC so the
 * text is the same on every machine.
 */
import {
  DuckDBTypeId,
  createDuckDBValueConverter,
  type DuckDBValueConverter,
  arrayFromArrayValue,
  arrayFromListValue,
  bigintFromBigIntValue,
  booleanFromValue,
  bytesFromBlobValue,
  fromVariantValue,
  nullConverter,
  numberFromValue,
  objectArrayFromMapValue,
  objectFromIntervalValue,
  objectFromStructValue,
  objectFromUnionValue,
  stringFromValue,
  unsupportedConverter,
} from '@duckdb/node-api';

const bigintFromAny: DuckDBValueConverter<unknown> = (value) => BigInt(String(value));

/** Converts one DuckDB value to the JS form in the table above. */
export const engineValueConverter: DuckDBValueConverter<unknown> = createDuckDBValueConverter<unknown>({
  [DuckDBTypeId.INVALID]: unsupportedConverter,
  [DuckDBTypeId.BOOLEAN]: booleanFromValue,
  [DuckDBTypeId.TINYINT]: numberFromValue,
  [DuckDBTypeId.SMALLINT]: numberFromValue,
  [DuckDBTypeId.INTEGER]: numberFromValue,
  [DuckDBTypeId.BIGINT]: bigintFromBigIntValue,
  [DuckDBTypeId.UTINYINT]: numberFromValue,
  [DuckDBTypeId.USMALLINT]: numberFromValue,
  [DuckDBTypeId.UINTEGER]: numberFromValue,
  [DuckDBTypeId.UBIGINT]: bigintFromBigIntValue,
  [DuckDBTypeId.FLOAT]: numberFromValue,
  [DuckDBTypeId.DOUBLE]: numberFromValue,
  [DuckDBTypeId.TIMESTAMP]: stringFromValue,
  [DuckDBTypeId.DATE]: stringFromValue,
  [DuckDBTypeId.TIME]: stringFromValue,
  [DuckDBTypeId.INTERVAL]: objectFromIntervalValue,
  [DuckDBTypeId.HUGEINT]: bigintFromBigIntValue,
  [DuckDBTypeId.UHUGEINT]: bigintFromBigIntValue,
  [DuckDBTypeId.VARCHAR]: stringFromValue,
  [DuckDBTypeId.BLOB]: bytesFromBlobValue,
  [DuckDBTypeId.DECIMAL]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_S]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_MS]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_NS]: stringFromValue,
  [DuckDBTypeId.ENUM]: stringFromValue,
  [DuckDBTypeId.LIST]: arrayFromListValue,
  [DuckDBTypeId.STRUCT]: objectFromStructValue,
  [DuckDBTypeId.MAP]: objectArrayFromMapValue,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue,
  [DuckDBTypeId.UUID]: stringFromValue,
  [DuckDBTypeId.UNION]: objectFromUnionValue,
  [DuckDBTypeId.BIT]: stringFromValue,
  [DuckDBTypeId.TIME_TZ]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_TZ]: stringFromValue,
  [DuckDBTypeId.ANY]: unsupportedConverter,
  [DuckDBTypeId.BIGNUM]: bigintFromAny,
  [DuckDBTypeId.SQLNULL]: nullConverter,
  [DuckDBTypeId.STRING_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.INTEGER_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.TIME_NS]: stringFromValue,
  [DuckDBTypeId.GEOMETRY]: stringFromValue,
  [DuckDBTypeId.VARIANT]: fromVariantValue,
});
