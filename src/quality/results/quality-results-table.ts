/**
 * Data-quality results as a Strata table: `system.quality_results`, an Iceberg table in the lake's
 * system zone, partitioned by day of `evaluated_at`. One row per rule per evaluation, committed in
 * one snapshot per evaluation (`record`). It is an ordinary table, so administrators read it with
 * SQL too:
 *
 *   SELECT evaluated_at, rule, outcome, observed_value FROM system.quality_results
 *   WHERE dataset = 'sales.orders' AND outcome <> 'passed' ORDER BY evaluated_at DESC
 *
 * Dynamic rules (`RowCount > avg(last(7))`) read their history from here (`history`): the rule's
 * metric in the newest earlier evaluations of the same dataset — and of the same ruleset when one
 * is named, so a pipeline's per-partition gate and an ad-hoc whole-table check with the same rule
 * do not mix their row counts. Every metric a rule computed is kept in `metrics` (JSON), so a
 * composite rule's operands have history too.
 *
 * Gotcha: `column` and `partition` are SQL keywords; quote them (`"column"`, `"partition"`).
 * Reads here go straight to the table (trusted, like query history): governance applies to
 * people reading it with SQL, and the CLI filters what non-administrators see.
 */
import { randomUUID } from 'node:crypto';
import { ensureTable, type Catalog } from '../../catalog/index.ts';
import { parseJson, stringifyJson } from '../../core/index.ts';
import { Expressions, Types, field, type Expression, type Table } from '../../table/index.ts';
import type { RuleOutcome } from '../evaluate/evaluation.ts';
import type { CheckContext, TableCheckResult } from '../check/table-check-result.ts';

export const QUALITY_RESULTS_TABLE_ID = 'system.quality_results';

const FIELDS = [
  field(1, 'evaluation_id', Types.string, true),
  field(2, 'evaluated_at', Types.timestamptz, true),
  field(3, 'dataset', Types.string, true),
  field(4, 'snapshot_id', Types.long),
  field(5, 'branch', Types.string),
  field(6, 'ruleset', Types.string),
  field(7, 'rule', Types.string, true),
  field(8, 'rule_type', Types.string, true),
  field(9, 'outcome', Types.string, true),
  field(10, 'observed_value', Types.double),
  field(11, 'metric_key', Types.string),
  field(12, 'message', Types.string),
  field(13, 'line', Types.int),
  field(14, 'column', Types.int),
  field(15, 'pipeline', Types.string),
  field(16, 'run_id', Types.string),
  field(17, 'step_id', Types.string),
  field(18, 'partition', Types.string),
  field(19, 'metrics', Types.string, false, 'every metric the rule computed, as a JSON object of key → number'),
];

/** One stored rule result (a row of system.quality_results). */
export interface StoredRuleResult {
  readonly evaluationId: string;
  readonly evaluatedAt: Date;
  readonly dataset: string;
  readonly snapshotId?: bigint;
  readonly branch?: string;
  readonly ruleset?: string;
  readonly rule: string;
  readonly ruleType: string;
  readonly outcome: RuleOutcome;
  readonly observed?: number;
  readonly metricKey?: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly message?: string;
  readonly line?: number;
  readonly column?: number;
  readonly pipeline?: string;
  readonly runId?: string;
  readonly stepId?: string;
  readonly partition?: string;
}

export interface ResultsFilter {
  /** `db.table`. */
  readonly dataset?: string;
  readonly runId?: string;
  readonly evaluationId?: string;
  readonly ruleset?: string;
  readonly outcome?: RuleOutcome;
  /** Only evaluations at or after this time (prunes whole days). */
  readonly since?: Date;
  /** At most this many rows, newest first (default 100). */
  readonly limit?: number;
}

export class QualityResultsTable {
  readonly #table: Table;

  private constructor(table: Table) {
    this.#table = table;
  }

  /** Opens `system.quality_results`, creating it (and the `system` database) when missing. */
  static async open(catalog: Catalog): Promise<QualityResultsTable> {
    const table = await ensureTable(catalog, QUALITY_RESULTS_TABLE_ID, FIELDS, {
      zone: 'system',
      partitionBy: [{ source: 'evaluated_at', transform: 'day' }],
    });
    return new QualityResultsTable(table);
  }

  get table(): Table {
    return this.#table;
  }

  /** Appends one row per rule of the check, in one commit (nothing when the ruleset had no rules). */
  async record(result: TableCheckResult, context: CheckContext = {}): Promise<void> {
    if (result.rules.length === 0) return;
    const rows = result.rules.map((rule) => ({
      evaluation_id: result.evaluationId,
      evaluated_at: result.evaluatedAt,
      dataset: result.table,
      snapshot_id: result.snapshotId ?? null,
      branch: result.branch ?? null,
      ruleset: result.ruleset ?? null,
      rule: rule.rule,
      rule_type: rule.ruleType,
      outcome: rule.outcome,
      observed_value: rule.observed !== undefined && Number.isFinite(rule.observed) ? rule.observed : null,
      metric_key: rule.metricKey ?? null,
      message: rule.message ?? null,
      line: rule.position.line,
      column: rule.position.column,
      pipeline: context.pipeline ?? null,
      run_id: context.runId ?? null,
      step_id: context.stepId ?? null,
      partition: context.partition ?? null,
      metrics: stringifyJson(finiteMetrics(rule.metrics)),
    }));
    await this.#table.append({ rows }, { summary: { 'strata.quality.evaluation-id': result.evaluationId } });
  }

  /** Stored results, newest evaluation first (rules of one evaluation in ruleset order). */
  async list(filter: ResultsFilter = {}): Promise<StoredRuleResult[]> {
    const limit = Math.max(1, Math.floor(filter.limit ?? 100));
    const conditions: Expression[] = [];
    if (filter.dataset !== undefined) conditions.push(Expressions.equal('dataset', filter.dataset));
    if (filter.runId !== undefined) conditions.push(Expressions.equal('run_id', filter.runId));
    if (filter.evaluationId !== undefined) conditions.push(Expressions.equal('evaluation_id', filter.evaluationId));
    if (filter.ruleset !== undefined) conditions.push(Expressions.equal('ruleset', filter.ruleset));
    if (filter.outcome !== undefined) conditions.push(Expressions.equal('outcome', filter.outcome));
    if (filter.since !== undefined) conditions.push(Expressions.greaterThanOrEqual('evaluated_at', filter.since));
    const rows = await this.#select(conditions, `ORDER BY evaluated_at DESC, evaluation_id, line, "column" LIMIT ${limit}`);
    return rows.map(fromRow);
  }

  /**
   * The metric `metricKey` of the `k` newest evaluations of `dataset` (newest first), for dynamic
   * rules; `ruleset` narrows to evaluations of that ruleset. An evaluation contributes once, even
   * when several of its rules computed the metric.
   */
  async history(dataset: string, metricKey: string, k: number, options: { readonly ruleset?: string | undefined } = {}): Promise<number[]> {
    if (k <= 0) return [];
    const conditions: Expression[] = [Expressions.equal('dataset', dataset)];
    if (options.ruleset !== undefined) conditions.push(Expressions.equal('ruleset', options.ruleset));
    const key = `"${jsonKeyText(metricKey)}":`;
    const rows = await this.#select(
      conditions,
      `AND (metric_key = ${sqlString(metricKey)} OR contains(metrics, ${sqlString(key)})) ORDER BY evaluated_at DESC, evaluation_id, line, "column"`,
    );
    const values: number[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      const stored = fromRow(row);
      if (seen.has(stored.evaluationId)) continue;
      const value = stored.metrics[metricKey] ?? (stored.metricKey === metricKey ? stored.observed : undefined);
      if (value === undefined) continue;
      seen.add(stored.evaluationId);
      values.push(value);
      if (values.length >= k) break;
    }
    return values;
  }

  /** Rows matching `conditions` (pushed into the scan, so whole days and files are pruned), then `tail`. */
  async #select(conditions: readonly Expression[], tail: string): Promise<Record<string, unknown>[]> {
    await this.#table.refresh();
    if (this.#table.currentSnapshot() === undefined) return [];
    const filter = conditions.length === 0 ? Expressions.alwaysTrue() : Expressions.and(...conditions);
    const scan = await this.#table.scan({ filter }).toSql();
    const where = tail.startsWith('AND ') ? `WHERE true ${tail}` : tail;
    const sql = `SELECT *, epoch_ms(evaluated_at) AS evaluated_ms, CAST(snapshot_id AS VARCHAR) AS snapshot_text FROM (${scan}\n) ${where}`;
    return this.#table.runtime.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as Record<string, unknown>[];
    });
  }
}

/** A fresh evaluation id (sortable by nothing; use evaluated_at to order). */
export function newEvaluationId(): string {
  return randomUUID();
}

function finiteMetrics(metrics: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));
}

/** The key as it appears inside JSON text (for a coarse `contains` prefilter; exact match happens after parsing). */
function jsonKeyText(key: string): string {
  return JSON.stringify(key).slice(1, -1);
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function fromRow(row: Record<string, unknown>): StoredRuleResult {
  const text = (name: string): string | undefined => {
    const v = row[name];
    return v === null || v === undefined ? undefined : String(v);
  };
  const num = (name: string): number | undefined => {
    const v = row[name];
    return v === null || v === undefined ? undefined : Number(v);
  };
  const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]: V }));
  const snapshot = text('snapshot_text');
  return {
    evaluationId: String(row['evaluation_id']),
    evaluatedAt: new Date(Number(row['evaluated_ms'])),
    dataset: String(row['dataset']),
    ...optional('snapshotId', snapshot === undefined ? undefined : BigInt(snapshot)),
    ...optional('branch', text('branch')),
    ...optional('ruleset', text('ruleset')),
    rule: String(row['rule']),
    ruleType: String(row['rule_type']),
    outcome: String(row['outcome']) as RuleOutcome,
    ...optional('observed', num('observed_value')),
    ...optional('metricKey', text('metric_key')),
    metrics: parseMetrics(text('metrics')),
    ...optional('message', text('message')),
    ...optional('line', num('line')),
    ...optional('column', num('column')),
    ...optional('pipeline', text('pipeline')),
    ...optional('runId', text('run_id')),
    ...optional('stepId', text('step_id')),
    ...optional('partition', text('partition')),
  };
}

function parseMetrics(text: string | undefined): Record<string, number> {
  if (text === undefined) return {};
  const parsed = parseJson(text);
  if (typeof parsed !== 'object' || parsed === null) return {};
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'number' || typeof value === 'bigint') out[key] = Number(value);
  }
  return out;
}
