/**
 * What each DQDL rule type accepts: how many quoted parameters, whether it needs a condition, and
 * whether `where "…"` and `with threshold …` are allowed. The parser enforces these, so the
 * evaluator can trust a parsed rule's shape.
 *
 * The table follows Glue Data Quality's rule reference (docs.aws.amazon.com/glue/latest/dg/
 * dqdl-rule-types-*.html) and the rule configuration of Glue's open DQDL parser (awslabs/dqdl):
 * - `where` is allowed on the single-dataset rules, not on CustomSql (which has its own SQL) nor on
 *   the rules that compare with another dataset (ReferentialIntegrity, DatasetMatch, …).
 * - `with threshold` is allowed on the row-level rules: ColumnValues, ColumnDataType, CustomSql (only
 *   in its row-level form, without a condition) and, as Glue's rule table documents, ColumnLength.
 * - IsComplete, IsUnique, IsPrimaryKey, ColumnExists and ColumnNamesMatchPattern are boolean rules:
 *   they take no condition. CustomSql's condition is optional (without one it is row-level: the
 *   query selects the passing rows).
 */
import type { RuleType } from './ast.ts';

export interface RuleSignature {
  /** What each quoted parameter means, in order; with `variadic`, the last one repeats. */
  readonly params: readonly string[];
  /** Fewest quoted parameters. */
  readonly minParams: number;
  /** Most quoted parameters (Infinity for `IsUnique "a" "b" …`). */
  readonly maxParams: number;
  readonly condition: 'required' | 'forbidden' | 'optional';
  readonly where: boolean;
  readonly threshold: boolean;
  /** May appear in `Analyzers = [ … ]` (gathers its metric without a condition). */
  readonly analyzer: boolean;
  /** A realistic example, shown in errors and docs. */
  readonly example: string;
}

interface SignatureInput {
  readonly params: readonly string[];
  readonly optionalParams?: number;
  readonly variadic?: boolean;
  readonly condition?: RuleSignature['condition'];
  readonly where?: boolean;
  readonly threshold?: boolean;
  readonly analyzer?: boolean;
  readonly example: string;
}

function signature(input: SignatureInput): RuleSignature {
  const count = input.params.length;
  return {
    params: input.params,
    minParams: count - (input.optionalParams ?? 0),
    maxParams: input.variadic === true ? Infinity : count,
    condition: input.condition ?? 'required',
    where: input.where ?? true,
    threshold: input.threshold ?? false,
    analyzer: input.analyzer ?? false,
    example: input.example,
  };
}

export const RULE_SIGNATURES: Readonly<Record<RuleType, RuleSignature>> = {
  RowCount: signature({ params: [], analyzer: true, example: 'RowCount between 1000 and 50000' }),
  ColumnCount: signature({ params: [], where: false, analyzer: true, example: 'ColumnCount >= 12' }),
  Completeness: signature({ params: ['column'], analyzer: true, example: 'Completeness "email" > 0.95' }),
  IsComplete: signature({ params: ['column'], condition: 'forbidden', example: 'IsComplete "order_id"' }),
  Uniqueness: signature({ params: ['column'], variadic: true, analyzer: true, example: 'Uniqueness "order_id" > 0.99' }),
  IsUnique: signature({ params: ['column'], variadic: true, condition: 'forbidden', example: 'IsUnique "order_id"' }),
  IsPrimaryKey: signature({
    params: ['column'],
    variadic: true,
    condition: 'forbidden',
    example: 'IsPrimaryKey "order_id" "line_no"',
  }),
  DistinctValuesCount: signature({ params: ['column'], analyzer: true, example: 'DistinctValuesCount "state" > 3' }),
  UniqueValueRatio: signature({ params: ['column'], analyzer: true, example: 'UniqueValueRatio "email" > 0.9' }),
  ColumnValues: signature({
    params: ['column'],
    threshold: true,
    analyzer: true,
    example: 'ColumnValues "status" in ["new", "paid"] with threshold > 0.95',
  }),
  ColumnLength: signature({ params: ['column'], threshold: true, analyzer: true, example: 'ColumnLength "zip" = 5' }),
  ColumnExists: signature({ params: ['column'], condition: 'forbidden', where: false, example: 'ColumnExists "email"' }),
  ColumnDataType: signature({
    params: ['column'],
    threshold: true,
    example: 'ColumnDataType "order_date" = "DATE"',
  }),
  ColumnNamesMatchPattern: signature({
    params: ['regex'],
    condition: 'forbidden',
    where: false,
    example: 'ColumnNamesMatchPattern "[a-z_]+"',
  }),
  Mean: signature({ params: ['column'], analyzer: true, example: 'Mean "amount" between 10 and 500' }),
  Sum: signature({ params: ['column'], analyzer: true, example: 'Sum "amount" > 0' }),
  StandardDeviation: signature({ params: ['column'], analyzer: true, example: 'StandardDeviation "amount" < 250' }),
  Entropy: signature({ params: ['column'], analyzer: true, example: 'Entropy "channel" > 1' }),
  ColumnCorrelation: signature({
    params: ['column', 'column'],
    analyzer: true,
    example: 'ColumnCorrelation "height" "weight" > 0.8',
  }),
  DataFreshness: signature({ params: ['column'], example: 'DataFreshness "updated_at" <= 24 hours' }),
  ReferentialIntegrity: signature({
    params: ['primary columns, comma-separated', 'reference.{columns}'],
    where: false,
    example: 'ReferentialIntegrity "customer_id" "customers.{id}" = 1.0',
  }),
  DatasetMatch: signature({
    params: ['reference dataset', 'key mappings (a->b,…)', 'match column mappings (a->b,…)'],
    optionalParams: 1,
    where: false,
    example: 'DatasetMatch "orders_copy" "id" >= 0.99',
  }),
  AggregateMatch: signature({
    params: ['aggregate, e.g. sum(amount)', 'aggregate, e.g. sum(reference.amount)'],
    where: false,
    example: 'AggregateMatch "sum(amount)" "sum(ledger.amount)" = 1.0',
  }),
  RowCountMatch: signature({ params: ['reference dataset'], where: false, example: 'RowCountMatch "orders_copy" = 1.0' }),
  SchemaMatch: signature({ params: ['reference dataset'], where: false, example: 'SchemaMatch "orders_copy" = 1.0' }),
  CustomSql: signature({
    params: ['SQL over `primary`'],
    condition: 'optional',
    where: false,
    threshold: true,
    analyzer: true,
    example: 'CustomSql "select count(*) from primary where amount < 0" = 0',
  }),
};

/** `no parameters`, `one quoted parameter (column)`, `one or more quoted parameters (column …)`. */
export function describeParams(sig: RuleSignature): string {
  const words = ['no', 'one', 'two', 'three', 'four'];
  const n = (k: number): string => words[k] ?? String(k);
  const plural = (k: number): string => (k === 1 ? 'quoted parameter' : 'quoted parameters');
  if (sig.maxParams === 0) return 'no parameters';
  const names = sig.maxParams === Infinity ? `${sig.params.join(', ')} …` : sig.params.join(', ');
  if (sig.maxParams === Infinity) return `${n(sig.minParams)} or more ${plural(2)} (${names})`;
  if (sig.minParams === sig.maxParams) return `${n(sig.minParams)} ${plural(sig.minParams)} (${names})`;
  return `${n(sig.minParams)} or ${n(sig.maxParams)} ${plural(2)} (${names})`;
}
