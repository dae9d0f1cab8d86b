/**
 * Masks rendered as Spark SQL (Spark 4, `spark.sql.ansi.enabled=true`, session time zone UTC),
 * giving the same values as the DuckDB dialect (duckdb-dialect.ts) on the same rows, so a
 * principal sees one answer whichever engine runs the query. The same rules hold: a mask keeps
 * the column's type, NULL stays NULL, and a kind that cannot apply gives `CAST(NULL AS <type>)`.
 *
 * Spark type of each Iceberg type (as Iceberg's Spark integration reads it): string STRING,
 * int INT, long BIGINT, float FLOAT, double DOUBLE, decimal(p, s) DECIMAL(p,s), date DATE,
 * timestamp TIMESTAMP_NTZ, timestamptz TIMESTAMP, uuid STRING (the lowercase dashed text),
 * binary/fixed BINARY, struct/list/map STRUCT/ARRAY/MAP. `time` has none: Iceberg's Spark
 * integration refuses to read a table with a time column, so a mask on one throws
 * UNSUPPORTED_FEATURE instead of rendering anything.
 *
 * How each kind is kept identical to DuckDB:
 * - `hash`: HMAC-SHA256 from the same pads with `sha2`/`unhex`/`concat`; the hashed text of a
 *   long, int, decimal or uuid is Spark's CAST to STRING, which spells these exactly as DuckDB's
 *   CAST to VARCHAR does ('42', '-0.50', '0.0000000000', lowercase dashed uuid); the long/int/
 *   decimal forms come from `conv(hex, 16, 10)` instead of DuckDB's `'0x…'` cast.
 * - `round` on float/double reproduces DuckDB's arithmetic (`round(x * 10^d) / 10^d` in double,
 *   half away from zero; for d < 0, `round(x / 10^-d) * 10^-d`; an infinite or NaN result gives
 *   x, resp. 0) instead of Spark's own `round`, which rounds the decimal text (Spark rounds 1.005
 *   to 1.01 with 2 digits, DuckDB to 1.0).
 * - `round` and `bucket` on int/long compute in DECIMAL(38,0) (DuckDB: HUGEINT), so values at the
 *   type's limits become NULL instead of failing (ANSI overflow) or wrapping.
 * - `round` on decimals rounds no further left than one digit past the column's integer digits
 *   (everything is 0 there), which both engines round correctly.
 * - Signed zeros: Spark's `round` and `floor` lose the sign of -0; the float/double forms put it
 *   back, as DuckDB keeps it.
 * - `bucket` on float reproduces DuckDB's single-precision steps: each division and product is done
 *   in double on float operands and rounded to FLOAT, which is exactly the float operation.
 * - `bucket` on date/timestamp/timestamptz: `date_trunc` in the session time zone, which must be UTC
 *   (DuckDB's engine pins UTC too).
 *
 * Differences that remain (fail closed, never the raw value):
 * - `hash` of float/double is NULL on Spark: Java spells doubles differently from DuckDB
 *   (`1.0E7` vs `10000000.0`, `NaN` vs `nan`, and JDK 17 does not always print the shortest
 *   digits), so the hashed text, and with it the value, would differ.
 * - `bucket` of a decimal by a width written in exponent form (`1e-7`) is NULL on Spark: both
 *   engines compute it in DOUBLE, and cast the result back to DECIMAL differently.
 * - `expression` masks and row filters are SQL the administrator wrote against DuckDB; they run on
 *   Spark as written (with literals and quoted names re-spelled for Spark), so a function DuckDB
 *   has and Spark lacks fails there, and one both have may differ: `concat` skips NULLs in DuckDB
 *   but is NULL in Spark when any argument is (`||` is NULL in both).
 *
 * Quoting: names use backticks (a double-quoted Spark identifier cannot hold a `"`: Spark 4 reads
 * `"a""b"` as two tokens); string literals escape backslash and quote with a backslash (Spark
 * reads `'it''s'` as two adjacent literals, "its") and write `$` as `\u0024`, so no literal
 * holds `${`, which Spark's variable substitution (`spark.sql.variable.substitute`, on by
 * default) would replace by a configuration value or environment variable. Both assume
 * `spark.sql.parser.escapedStringLiterals=false` (the default).
 */
import { StrataError } from '../../core/index.ts';
import type { IcebergType } from '../../table/index.ts';
import type { MaskFunction } from '../model.ts';
import { compileMask } from './mask-kinds.ts';
import { decimalRoundFloor } from './duckdb-dialect.ts';
import { hmacPads } from './keyed-hash.ts';
import type { PolicyDialect } from './policy-dialect.ts';
import { renderPolicySql } from './principal-functions.ts';

const BUCKET_UNITS: ReadonlySet<string> = new Set(['year', 'month', 'day', 'hour']);

/** 2^52: every double at least this large is already a whole number. */
const WHOLE_DOUBLES = '4503599627370496';

function quoteIdent(name: string): string {
  if (name.includes('${')) {
    throw new StrataError('UNSUPPORTED_FEATURE', `The name ${JSON.stringify(name)} holds "\${", which Spark's variable substitution would rewrite; rename it to use it on Spark`, {
      name,
    });
  }
  return `\`${name.replaceAll('`', '``')}\``;
}

function quoteString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('$', '\\u0024')}'`;
}

/** The Spark SQL type of an Iceberg type, as Iceberg's Spark integration reads it. */
export function sparkType(type: IcebergType): string {
  switch (type.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int':
      return 'INT';
    case 'long':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'date':
      return 'DATE';
    case 'time':
      throw new StrataError('UNSUPPORTED_FEATURE', "Spark has no TIME type and Iceberg's Spark integration cannot read time columns; query this table on the duckdb engine", {
        type: 'time',
      });
    case 'timestamp':
      return 'TIMESTAMP_NTZ';
    case 'timestamptz':
      return 'TIMESTAMP';
    case 'string':
    case 'uuid':
      return 'STRING';
    case 'fixed':
    case 'binary':
      return 'BINARY';
    case 'struct':
      return `STRUCT<${type.fields.map((f) => `${quoteIdent(f.name)}: ${sparkType(f.type)}`).join(', ')}>`;
    case 'list':
      return `ARRAY<${sparkType(type.element)}>`;
    case 'map':
      return `MAP<${sparkType(type.key)}, ${sparkType(type.value)}>`;
  }
}

export const sparkDialect: PolicyDialect = {
  name: 'spark',
  quoteIdent,
  quoteString,
  maskExpression: (fn, column, icebergType, hashKey) =>
    compileMask(
      {
        sqlType: sparkType,
        quoteString,
        hash: hashMask,
       
        round: roundMask,
        bucket: bucketMask,
        // The expression is in the front end's (DuckDB's) spelling: re-spell it for Spark.
        expression: (sql, value) => renderPolicySql(sql, sparkDialect, { value }),
      },
      fn,
      column,
      icebergType,
      hashKey,
    ),
};

function hashMask(column: string, type: IcebergType, hashKey: string): string | undefined {
  const pads = hmacPads(hashKey);
  if (!pads) return undefined;
  const text = type.kind === 'string' || type.kind === 'uuid' ? column : `CAST(${column} AS STRING)`;
  const bytes = type.kind === 'binary' || type.kind === 'fixed' ? column : `encode(${text}, 'UTF-8')`;
  const hex = `sha2(concat(unhex('${pads.outer}'), unhex(sha2(concat(unhex('${pads.inner}'), ${bytes}), 256))), 256)`;
  const first15 = `CAST(conv(substr(${hex}, 1, 15), 16, 10) AS BIGINT)`;
  switch (type.kind) {
    case 'string':
      return hex;
    case 'long':
      return first15;
    case 'int':
      return `CAST(CAST(conv(substr(${hex}, 1, 8), 16, 10) AS BIGINT) - 2147483648 AS INT)`;
    case 'decimal': {
      const digits = Math.min(type.precision, 18, 38 - type.scale);
      const unscaled = `CAST(${first15} % ${10n ** BigInt(digits)} AS STRING)`;
      return `CAST(CAST(concat(${unscaled}, 'e-${type.scale}') AS DECIMAL(38,${type.scale})) AS DECIMAL(${type.precision},${type.scale}))`;
    }
    case 'uuid': {
      const part = (from: number, length: number): string => `substr(${hex}, ${from}, ${length})`;
      return `concat(${part(1, 8)}, '-', ${part(9, 4)}, '-', ${part(13, 4)}, '-', ${part(17, 4)}, '-', ${part(21, 12)})`;
    }
    case 'binary':
      return `unhex(${hex})`;
    case 'fixed':
      return type.length <= 32 ? `unhex(substr(${hex}, 1, ${type.length * 2}))` : undefined;
    default:
      // float/double: see the doc comment; everything else has no hashed form in DuckDB either.
      return undefined;
  }
}

function roundMask(column: string, type: IcebergType, sqlType: string, digits: number): string | undefined {
  if (!Number.isInteger(digits)) return undefined;
  switch (type.kind) {
    case 'int':
    case 'long':
      return `try_cast(round(CAST(${column} AS DECIMAL(38,0)), ${digits}) AS ${sqlType})`;
    case 'decimal':
      return `try_cast(round(${column}, ${Math.max(digits, decimalRoundFloor(type))}) AS ${sqlType})`;
    case 'float':
    case 'double': {
      // DuckDB's RoundOperatorPrecision, step by step in double (a FLOAT is widened first).
      const x = `CAST(${column} AS DOUBLE)`;
      const m = `power(10, ${Math.abs(digits)})`;
      const rounded = digits >= 0 ? `round(${x} * ${m}, 0) / ${m}` : `round(${x} / ${m}, 0) * ${m}`;
      const otherwise = digits >= 0 ? x : '0D';
      // Spark's round never gives -0 (it rounds through BigDecimal); DuckDB's keeps x's sign.
      return `CAST(CASE WHEN isnan(${rounded}) OR abs(${rounded}) = double('infinity') THEN ${otherwise} WHEN ${rounded} = 0 THEN ${x} * 0D ELSE ${rounded} END AS ${sqlType})`;
    }
    default:
      return undefined;
  }
}

function bucketMask(column: string, type: IcebergType, sqlType: string, fn: Extract<MaskFunction, { kind: 'bucket' }>): string | undefined {
  const { width, unit } = fn;
  if (['int', 'long', 'float', 'double', 'decimal'].includes(type.kind)) {
    if (width === undefined || !Number.isFinite(width) || width <= 0) return undefined;
    const w = String(width);
    switch (type.kind) {
      case 'int':
      case 'long': {
        if (!Number.isInteger(width)) return undefined;
        const v = `CAST(${column} AS DECIMAL(38,0))`;
        return `try_cast(${v} - (((${v} % ${w}) + ${w}) % ${w}) AS ${sqlType})`;
      }
      case 'decimal':
        // An exponent-form width is a DOUBLE in both engines, and they cast the double result back
        // to DECIMAL differently (DuckDB: the exact binary value; Spark: its shortest decimal text).
        if (/e/i.test(w)) return undefined;
        return `try_cast(${column} - (((${column} % ${w}) + ${w}) % ${w}) AS ${sqlType})`;
      case 'float': {
        // DuckDB reads an exponent-form width (1e-7) as a DOUBLE and computes in double; any
        // other width as a FLOAT, and computes floor(x / w) * w in FLOAT arithmetic.
        if (/e/i.test(w)) return `CAST(${floorDouble(`(CAST(${column} AS DOUBLE) / ${w})`)} * ${w} AS FLOAT)`;
        const fw = `CAST(CAST(${w} AS FLOAT) AS DOUBLE)`;
        const q = `CAST(CAST(${column} AS DOUBLE) / ${fw} AS FLOAT)`;
        return `CAST(CAST(${floorDouble(`CAST(${q} AS DOUBLE)`)} * ${fw} AS FLOAT) AS FLOAT)`;
      }
      default:
        return `CAST(${floorDouble(`(${column} / ${w})`)} * ${w} AS DOUBLE)`;
    }
  }
  if (unit === undefined || !BUCKET_UNITS.has(unit)) return undefined;
  switch (type.kind) {
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return `CAST(date_trunc('${unit.toUpperCase()}', ${column}) AS ${sqlType})`;
    default:
      return undefined;
  }
}

/**
 * C's floor of a DOUBLE, as a DOUBLE: Spark's floor returns BIGINT, which overflows past 2^63 and
 * loses the sign of -0. NaN, ±∞, ±0 and whole numbers pass through.
 */
function floorDouble(x: string): string {
  return `CASE WHEN abs(${x}) < ${WHOLE_DOUBLES} AND ${x} <> 0 THEN CAST(floor(${x}) AS DOUBLE) ELSE ${x} END`;
}
