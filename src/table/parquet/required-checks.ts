/**
 * SQL conditions that find rows breaking the schema where DuckDB's types cannot: nulls in required
 * fields (DuckDB writes every Parquet column as OPTIONAL) and `fixed[L]` values of another length
 * (DuckDB has only a variable-length BLOB). Checked before any file is written.
 *
 * A required field nested in an optional struct may be null when its parent is null; required list
 * elements and map values are checked inside the collection with a lambda.
 */
import type { Schema } from '../schema/schema.ts';
import type { IcebergType } from '../schema/types.ts';
import { quoteIdent, quoteString } from './duckdb-types.ts';

export interface RowCheck {
  /** Dotted field name, e.g. `st.a`, `tags.element`. */
  readonly column: string;
  readonly problem: 'null' | 'length';
  readonly expected?: string;
  /** A boolean SQL condition, true for a row that breaks the rule. */
  readonly sql: string;
}

export function rowChecks(schema: Schema, rowAlias: string): readonly RowCheck[] {
  const checks: RowCheck[] = [];
  let lambdaDepth = 0;

  // Adds the checks for the value at `expr` (non-null unless its own check fires), with `guard`
  // true when the value's parent exists, and `inside` wrapping a condition to run within collections.
  const visit = (expr: string, type: IcebergType, name: string, required: boolean, guard: string, inside: (cond: string) => string): void => {
    if (required) checks.push({ column: name, problem: 'null', sql: inside(`(${guard}) AND (${expr}) IS NULL`) });
    switch (type.kind) {
      case 'fixed':
        checks.push({
          column: name,
          problem: 'length',
          expected: `fixed[${type.length}]`,
          sql: inside(`octet_length(${expr}) <> ${type.length}`),
        });
        return;
      case 'struct':
        for (const f of type.fields) {
          visit(`struct_extract(${expr}, ${quoteString(f.name)})`, f.type, `${name}.${f.name}`, f.required, `(${expr}) IS NOT NULL`, inside);
        }
        return;
      case 'list':
        visitElements(expr, type.element, `${name}.element`, type.elementRequired, inside);
        return;
      case 'map':
        visitElements(`map_keys(${expr})`, type.key, `${name}.key`, true, inside);
        visitElements(`map_values(${expr})`, type.value, `${name}.value`, type.valueRequired, inside);
        return;
      default:
        return;
    }
  };

  const visitElements = (listExpr: string, type: IcebergType, name: string, required: boolean, inside: (cond: string) => string): void => {
    const x = `__strata_x${lambdaDepth++}`;
    const within = (cond: string) => inside(`coalesce(list_bool_or(list_transform(${listExpr}, lambda ${x}: ${cond})), false)`);
    visit(x, type, name, required, 'true', within);
  };

  for (const f of schema.fields) {
    visit(`${rowAlias}.${quoteIdent(f.name)}`, f.type, f.name, f.required, 'true', (cond) => `coalesce(${cond}, false)`);
  }
  return checks;
}
