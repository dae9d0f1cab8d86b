/**
 * Column lookup and type classification for the evaluator. Rules name columns as the user typed
 * them; a name resolves exactly, else case-insensitively when that is unambiguous (Glue's Spark
 * columns are case-insensitive). Engine types are DuckDB's type text (`BIGINT`, `DECIMAL(18,6)`,
 * `TIMESTAMP WITH TIME ZONE` …), mapped to Glue's type names for ColumnDataType and SchemaMatch.
 */
import type { QualityDataset } from './evaluation.ts';
import { RuleProblem } from './rule-problem.ts';

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
}

/** The column a rule names, or a RuleProblem naming it and listing the dataset's columns. */
export function findColumn(dataset: QualityDataset, name: string, what = 'dataset'): ColumnInfo {
  const exact = dataset.columns.find((c) => c.name === name);
  if (exact !== undefined) return exact;
  const folded = dataset.columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
  if (folded.length === 1 && folded[0] !== undefined) return folded[0];
  const list = dataset.columns.map((c) => c.name).join(', ');
  throw new RuleProblem(`Column "${name}" does not exist in the ${what}; its columns are: ${list}`);
}

/** Glue's name for an engine type: INTEGER, LONG, DOUBLE, STRING, BOOLEAN, DATE, TIMESTAMP, DECIMAL … */
export function glueTypeOf(engineType: string): string {
  const t = engineType.trim().toUpperCase();
  if (t.startsWith('DECIMAL') || t.startsWith('NUMERIC') || t === 'HUGEINT' || t === 'UHUGEINT') return 'DECIMAL';
  if (t.startsWith('TIMESTAMP') || t === 'DATETIME') return 'TIMESTAMP';
  if (t.startsWith('VARCHAR') || t.startsWith('CHAR') || t === 'TEXT' || t === 'STRING' || t === 'UUID') return 'STRING';
  const simple: Record<string, string> = {
    TINYINT: 'BYTE',
    UTINYINT: 'SHORT',
    SMALLINT: 'SHORT',
    USMALLINT: 'INTEGER',
    INTEGER: 'INTEGER',
    INT: 'INTEGER',
    UINTEGER: 'LONG',
    BIGINT: 'LONG',
    UBIGINT: 'DECIMAL',
    FLOAT: 'FLOAT',
    REAL: 'FLOAT',
    DOUBLE: 'DOUBLE',
    BOOLEAN: 'BOOLEAN',
    DATE: 'DATE',
    BLOB: 'BINARY',
    TIME: 'TIME',
  };
  return simple[t] ?? t;
}

/** Aliases users write in ColumnDataType (`"INT"`, `"BIGINT"`, `"VARCHAR"`) folded to Glue's names. */
export function normalizeGlueTypeName(name: string): string {
  const t = name.trim().toUpperCase();
  const aliases: Record<string, string> = {
    INT: 'INTEGER',
    BIGINT: 'LONG',
    SMALLINT: 'SHORT',
    TINYINT: 'BYTE',
    VARCHAR: 'STRING',
    TEXT: 'STRING',
    BOOL: 'BOOLEAN',
    DATETIME: 'TIMESTAMP',
  };
  return aliases[t] ?? glueTypeOf(t);
}

/** The DuckDB type to TRY_CAST string values to when checking they could be `glueType`. */
export function castTargetOf(glueType: string): string | undefined {
  const targets: Record<string, string> = {
    BOOLEAN: 'BOOLEAN',
    DATE: 'DATE',
    TIMESTAMP: 'TIMESTAMP',
    BYTE: 'TINYINT',
    SHORT: 'SMALLINT',
    INTEGER: 'INTEGER',
    LONG: 'BIGINT',
    FLOAT: 'FLOAT',
    DOUBLE: 'DOUBLE',
    DECIMAL: 'DECIMAL(38, 10)',
    STRING: 'VARCHAR',
  };
  return targets[glueType];
}

const NUMERIC = new Set(['BYTE', 'SHORT', 'INTEGER', 'LONG', 'FLOAT', 'DOUBLE', 'DECIMAL']);

export function isNumericType(engineType: string): boolean {
  return NUMERIC.has(glueTypeOf(engineType));
}

export function isTemporalType(engineType: string): boolean {
  const g = glueTypeOf(engineType);
  return g === 'DATE' || g === 'TIMESTAMP';
}

export function isStringType(engineType: string): boolean {
  return glueTypeOf(engineType) === 'STRING';
}

/** A RuleProblem unless the column is numeric (Mean, Sum, StandardDeviation, ColumnCorrelation). */
export function requireNumeric(column: ColumnInfo, ruleType: string): void {
  if (!isNumericType(column.type)) {
    throw new RuleProblem(`${ruleType} needs a numeric column; "${column.name}" is ${column.type}`);
  }
}
