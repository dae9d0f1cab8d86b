/**
 * The rows that fail a ruleset's row-level rules, for `strata quality failed-rows` and quarantine:
 * a SELECT of the dataset's rows for which some FAILED rule's `passingRows` predicate is not TRUE,
 * with one added column `_dq_failed_rules`: the failed rules' text, joined with '; ' (VARCHAR, so it
 * stores as a plain Iceberg string column on any engine).
 *
 * Only rules whose outcome is `failed` count: a passing rule with a threshold (`with threshold >
 * 0.9`) tolerates its few failing rows, and errored rules have no trustworthy predicate.
 *
 * @example
 *   const sql = failingRowsSql(dataset, result.rules);
 *   if (sql !== undefined) rows = await run(sql);
 */
import type { QualityDataset, RuleResult } from './evaluation.ts';
import { quoteLiteral } from './sql-literals.ts';

export const FAILED_RULES_COLUMN = '_dq_failed_rules';

export function failingRowsSql(dataset: QualityDataset, results: readonly RuleResult[]): string | undefined {
  const failed = results.filter(
    (r): r is RuleResult & { passingRows: string } => r.outcome === 'failed' && r.passingRows !== undefined,
  );
  if (failed.length === 0) return undefined;
  const fails = failed.map((r) => `NOT coalesce(${r.passingRows}, false)`);
  const labels = failed.map((r, i) => `CASE WHEN ${fails[i] ?? 'FALSE'} THEN ${quoteLiteral(r.rule)} END`);
  return (
    `SELECT *, concat_ws('; ', ${labels.join(', ')}) AS ${FAILED_RULES_COLUMN}\n` +
    `FROM ${dataset.relation}\n` +
    `WHERE ${fails.join('\n   OR ')}`
  );
}
