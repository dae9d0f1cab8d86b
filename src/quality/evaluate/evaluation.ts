/**
 * The evaluator's contract: what a ruleset is evaluated against and what comes back. The evaluator
 * (evaluate-ruleset.ts) compiles rules to as few SQL passes as possible and runs them through
 * `run`, so the caller decides which engine and which governance apply (a governed SqlSession, a
 * bare DuckDB connection in tests).
 *
 * @example
 *   const result = await evaluateRuleset(parseDqdl(text), {
 *     dataset: { relation: 'sales.orders', columns },
 *     run: (sql) => rowsOf(session, sql),
 *     relationOf: async (name) => ({ relation: name, columns: await columnsOf(name) }),
 *   });
 *   for (const r of result.rules) console.log(r.outcome, r.rule, r.observed);
 */
import type { RuleType, SourcePosition } from '../dqdl/ast.ts';

/** A dataset the rules read: SQL text usable after FROM, and its columns. */
export interface QualityDataset {
  /** e.g. `sales.orders`, `sales.orders FOR VERSION AS OF 'wap-…'`, `(SELECT …)`. */
  readonly relation: string;
  /** Name and engine type text (DuckDB's: `BIGINT`, `VARCHAR`, `DECIMAL(18,6)`, `TIMESTAMP WITH TIME ZONE` …). */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

export interface EvaluationContext {
  /** The primary dataset (`primary` in CustomSql). */
  readonly dataset: QualityDataset;
  /** Runs one SELECT and returns its rows as arrays (values as the engine returns them: bigint, number, string, Date …). */
  readonly run: (sql: string) => Promise<readonly (readonly unknown[])[]>;
  /** Resolves a dataset named in a rule (ReferentialIntegrity, DatasetMatch, RowCountMatch, SchemaMatch, AggregateMatch). */
  readonly relationOf?: (name: string) => Promise<QualityDataset>;
  /**
   * Dynamic rules: the metric of the rule identified by `metricKey` in up to `k` earlier
   * evaluations of this dataset, newest first (empty when there is no history).
   */
  readonly history?: (metricKey: string, k: number) => Promise<readonly number[]>;
  /** `now()` in date rules and DataFreshness (default: the wall clock). */
  readonly now?: () => Date;
}

export type RuleOutcome = 'passed' | 'failed' | 'error';

export interface RuleResult {
  /** The rule's text as written. */
  readonly rule: string;
  /** `composite` for `and`/`or` rules. */
  readonly ruleType: RuleType | 'composite';
  readonly outcome: RuleOutcome;
  /** The observed value the condition was checked against (a ratio, a count, a mean …). */
  readonly observed?: number;
  /**
   * Stable key of the observed metric for dynamic rules' history, e.g.
   * `Column.amount.Mean` or `Dataset.*.RowCount` (with the where clause appended when there is one).
   */
  readonly metricKey?: string;
  /** Every metric the rule computed, by key (a composite lists its operands'). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Why it failed or errored, in words ("Value: 0.93 does not meet the constraint requirement!"). */
  readonly message?: string;
  readonly position: SourcePosition;
  /**
   * For row-level rules: a SQL predicate over the primary dataset's columns that is TRUE for rows
   * that pass this rule (NULL counts as failing: wrap with `coalesce(…, false)`). Used to fetch
   * failed rows and to quarantine them. Absent for dataset-level rules (RowCount, Mean …).
   */
  readonly passingRows?: string;
}

export interface RulesetResult {
  /** One result per rule in `Rules`, in order. */
  readonly rules: readonly RuleResult[];
  /** Every metric computed, by key: the rules' and the analyzers' (a superset of the analyzer metrics). */
  readonly metrics: Readonly<Record<string, number>>;
  /** True when every rule passed. */
  readonly passed: boolean;
  /** How many SQL statements the evaluation ran (the compiler's job is to keep this small). */
  readonly passes: number;
  /** Added by the evaluator: analyzers that could not be computed (unknown column …), which have no outcome to carry it. */
  readonly analyzerErrors?: readonly { readonly analyzer: string; readonly message: string }[];
}
