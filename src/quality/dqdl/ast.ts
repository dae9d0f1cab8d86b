/**
 * The DQDL syntax tree: what `parseDqdl` (parse-dqdl.ts) produces and the evaluator
 * (../evaluate) consumes. Plain immutable data, so rulesets can be stored, compared and printed.
 *
 * DQDL is AWS Glue Data Quality's rule language:
 *
 *   Rules = [
 *     RowCount between 100 and 10000,
 *     IsComplete "order_id",
 *     ColumnValues "status" in ["new", "paid"] with threshold > 0.95,
 *     ColumnValues "amount" >= 0 where "channel = 'web'",
 *     (IsUnique "order_id") and (Completeness "email" > 0.9),
 *     RowCount > avg(last(10)) * 0.8
 *   ]
 *
 * Every node carries the position of its first token (1-based line and column) and the exact text
 * it was parsed from, so results and errors point back into the user's file.
 */

/** The rule types Strata evaluates (Glue's names, case-sensitive as in DQDL). */
export const RULE_TYPES = [
  'RowCount',
  'ColumnCount',
  'Completeness',
  'IsComplete',
  'Uniqueness',
  'IsUnique',
  'IsPrimaryKey',
  'DistinctValuesCount',
  'UniqueValueRatio',
  'ColumnValues',
  'ColumnLength',
  'ColumnExists',
  'ColumnDataType',
  'ColumnNamesMatchPattern',
  'Mean',
  'Sum',
  'StandardDeviation',
  'Entropy',
  'ColumnCorrelation',
  'DataFreshness',
  'ReferentialIntegrity',
  'DatasetMatch',
  'AggregateMatch',
  'RowCountMatch',
  'SchemaMatch',
  'CustomSql',
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based, counted in UTF-16 code units like editors do. */
  readonly column: number;
  /** 0-based offset into the ruleset text. */
  readonly offset: number;
}

export interface Ruleset {
  /** The `Rules = [ … ]` list, in order. */
  readonly rules: readonly RuleNode[];
  /** The optional `Analyzers = [ … ]` list: metrics gathered without an outcome (no condition needed). */
  readonly analyzers: readonly RuleCall[];
  /** The optional `Metadata = { "Version": "1.0" }` dictionary, as written (values are strings or string lists). */
  readonly metadata?: Readonly<Record<string, string | readonly string[]>>;
  /** The optional `DataSources = { "Primary": "…", "AdditionalDataSources": ["…"] }` dictionary, as written. */
  readonly dataSources?: Readonly<Record<string, string | readonly string[]>>;
}

export type RuleNode = RuleCall | CompositeRule;

/** `(A) and (B) and (C)` or `(A) or (B)`; operands are rules or nested composites. */
export interface CompositeRule {
  readonly kind: 'composite';
  readonly operator: 'and' | 'or';
  readonly operands: readonly RuleNode[];
  readonly position: SourcePosition;
  readonly text: string;
}

/** One rule: `<RuleType> <"param"> <"param"> <condition> [where "…"] [with threshold <condition>]`. */
export interface RuleCall {
  readonly kind: 'rule';
  readonly ruleType: RuleType;
  /**
   * The quoted parameters in order, unquoted: column names, dataset names, SQL text, regex
   * (ColumnNamesMatchPattern), `"ref.{col}"` reference specs. Counts are checked per rule type by
   * the parser (e.g. ColumnCorrelation takes two, RowCount none).
   */
  readonly params: readonly string[];
  /** The expression the observed value must satisfy; absent for rules that have none (IsComplete, IsUnique, ColumnExists …) and for analyzers. */
  readonly condition?: Condition;
  /** `where "<SQL predicate>"`: the rule sees only rows matching it. */
  readonly where?: string;
  /** `with threshold <condition>` on row-level rules (ColumnValues, ColumnLength …): the fraction of rows that must pass. */
  readonly threshold?: Condition;
  readonly position: SourcePosition;
  readonly text: string;
}

export type CompareOperator = '=' | '!=' | '>' | '>=' | '<' | '<=';

export type Condition =
  | { readonly kind: 'compare'; readonly operator: CompareOperator; readonly value: ValueExpr }
  /**
   * `between a and b`: EXCLUSIVE of both ends, as in Glue (its reference evaluator checks
   * `low < x && high > x`), unlike SQL's BETWEEN; write `(R >= a) and (R <= b)` for inclusive.
   * `not between` is the exact negation (true at the ends).
   */
  | { readonly kind: 'between'; readonly negated: boolean; readonly low: ValueExpr; readonly high: ValueExpr }
  | { readonly kind: 'in'; readonly negated: boolean; readonly values: readonly ValueExpr[] }
  | { readonly kind: 'matches'; readonly negated: boolean; readonly pattern: string };

export type DurationUnit = 'minutes' | 'hours' | 'days';

export type ValueExpr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  /**
   * The keywords NULL, EMPTY (the empty string) and WHITESPACES_ONLY: inside `in [ … ]` and as the
   * operand of `=` / `!=` (`ColumnValues "a" != NULL`); never in arithmetic or `between`.
   */
  | { readonly kind: 'keyword'; readonly keyword: 'NULL' | 'EMPTY' | 'WHITESPACES_ONLY' }
  | { readonly kind: 'now' }
  /** `3 days`, `24 hours`: in date arithmetic (`now() - 3 days`) and DataFreshness (`<= 24 hours`). */
  | { readonly kind: 'duration'; readonly amount: number; readonly unit: DurationUnit }
  | { readonly kind: 'binary'; readonly operator: '+' | '-' | '*' | '/'; readonly left: ValueExpr; readonly right: ValueExpr }
  /**
   * Dynamic rules: `last(k)` (the rule's metric in the last k evaluations on this dataset, newest
   * first), and `avg | min | max | sum | stdev` over it, `index(last(k), i)` (0 = newest), `abs(x)`.
   */
  | { readonly kind: 'call'; readonly name: 'last' | 'avg' | 'min' | 'max' | 'sum' | 'stdev' | 'index' | 'abs'; readonly args: readonly ValueExpr[] };
