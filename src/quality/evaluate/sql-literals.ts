/**
 * The only ways the evaluator puts names and values into SQL: identifiers in double quotes, strings
 * in single quotes, numbers as plain literals, instants as UTC timestamp literals. Everything a user
 * wrote in a rule goes through one of these, except the documented SQL fragments (`where "…"`,
 * CustomSql's statement), which are SQL by definition.
 */

/** `"order id"`, `"say ""hi"""`: a column name as a quoted identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'it''s'`: a string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * A finite number as a SQL literal. Written as a DOUBLE (`1e0` style is avoided; `CAST(… AS DOUBLE)`
 * is used for non-integers) so `ColumnValues "qty" > 2.5` compares numerically on integer columns.
 */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return Number.isInteger(value) && Math.abs(value) < Number.MAX_SAFE_INTEGER
    ? String(value)
    : `CAST(${JSON.stringify(value)} AS DOUBLE)`;
}

/**
 * An instant as a timestamp literal comparable with a column of `columnType`: `TIMESTAMPTZ '…+00'`
 * for zoned columns, otherwise a naive `TIMESTAMP '…'` in UTC (naive timestamps and dates are read
 * as UTC, the convention of Strata's tables).
 */
export function instantLiteral(epochMs: number, columnType: string): string {
  const iso = new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');
  return isZonedType(columnType) ? `TIMESTAMPTZ '${iso}+00'` : `TIMESTAMP '${iso}'`;
}

export function isZonedType(columnType: string): boolean {
  const t = columnType.toUpperCase();
  return t.includes('WITH TIME ZONE') || t === 'TIMESTAMPTZ';
}

/** `(<where>)` made NULL-safe: TRUE only for rows the rule sees. */
export function scopeOf(where: string | undefined): string {
  return where === undefined ? 'TRUE' : `coalesce((${where}), false)`;
}

/** A row predicate widened so rows outside `where` pass: `coalesce(NOT (<where>), true) OR (<p>)`. */
export function outsideWhereOrPasses(predicate: string, where: string | undefined): string {
  return where === undefined ? `(${predicate})` : `(coalesce(NOT (${where}), true) OR (${predicate}))`;
}
