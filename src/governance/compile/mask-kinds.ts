/**
 * What every dialect's masks share: which kind applies to which column, and failing closed. A
 * dialect gives the SQL of each kind (`MaskKinds`); `compileMask` picks it, and where the kind
 * cannot apply to the column's type or its parameters are unusable (the kind returns undefined),
 * the mask is `CAST(NULL AS <type>)` — never the raw value.
 */
import type { IcebergType } from '../../table/index.ts';
import type { MaskFunction } from '../model.ts';
import { parseIcebergTypeText } from './iceberg-type-text.ts';

export interface MaskKinds {
  /** The engine's SQL type of an Iceberg type. */
  sqlType(type: IcebergType): string;
  quoteString(text: string): string;
  hash(column: string, type: IcebergType, hashKey: string): string | undefined;
  round(column: string, type: IcebergType, sqlType: string, digits: number): string | undefined;
  bucket(column: string, type: IcebergType, sqlType: string, fn: Extract<MaskFunction, { kind: 'bucket' }>): string | undefined;
  /** An expression mask's SQL with `value` bound to the column (parenthesised by the caller). */
  expression(sql: string, column: string): string;
}

export function compileMask(kinds: MaskKinds, fn: MaskFunction, column: string, icebergType: string, hashKey: string): string {
  const type = parseIcebergTypeText(icebergType);
  const sqlType = kinds.sqlType(type);
  const nullOf = `CAST(NULL AS ${sqlType})`;
  switch (fn.kind) {
    case 'null':
      return nullOf;
    case 'redact':
      return type.kind === 'string' ? `CASE WHEN ${column} IS NULL THEN NULL ELSE ${kinds.quoteString(fn.replacement ?? '****')} END` : nullOf;
    case 'hash':
      return kinds.hash(column, type, hashKey) ?? nullOf;
    case 'partial':
      return partialMask(column, type, fn.keepLast, kinds.quoteString(fn.fill ?? '*')) ?? nullOf;
    case 'round':
      return kinds.round(column, type, sqlType, fn.digits) ?? nullOf;
    case 'bucket':
      return kinds.bucket(column, type, sqlType, fn) ?? nullOf;
    case 'expression':
      // Newlines: a trailing `-- comment` in the expression cannot swallow the parenthesis.
      return `(\n${kinds.expression(fn.sql, column)}\n)`;
  }
}

/** Strings keep their last `keepLast` characters; values that short or shorter are filled entirely (the same SQL on every engine). */
function partialMask(column: string, type: IcebergType, keepLast: number, fill: string): string | undefined {
  if (type.kind !== 'string' || !Number.isInteger(keepLast) || keepLast < 0) return undefined;
  return `CASE WHEN length(${column}) <= ${keepLast} THEN repeat(${fill}, length(${column})) ELSE repeat(${fill}, length(${column}) - ${keepLast}) || right(${column}, ${keepLast}) END`;
}
