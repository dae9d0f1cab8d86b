/**
 * How a check prints: one row per rule (outcome, rule text, observed value, message) in the
 * chosen output format, then a summary line; or, with `--json`, the whole TableCheckResult as one
 * JSON object (bigints as strings, dates as ISO text).
 */
import type { TableCheckResult } from '../../../quality/check/index.ts';
import type { RuleOutcome } from '../../../quality/evaluate/evaluation.ts';
import { rowStreamOf, type RowStream } from '../../output/index.ts';

const LABEL: Readonly<Record<RuleOutcome, string>> = { passed: 'PASS', failed: 'FAIL', error: 'ERROR' };

export function ruleRows(check: TableCheckResult): RowStream {
  return rowStreamOf(
    [{ name: 'outcome' }, { name: 'rule' }, { name: 'observed', type: 'DOUBLE' }, { name: 'message' }],
    check.rules.map((r) => [LABEL[r.outcome], r.rule, r.observed ?? null, r.message ?? null]),
  );
}

export function checkSummary(check: TableCheckResult): string {
  const count = (outcome: RuleOutcome) => check.rules.filter((r) => r.outcome === outcome).length;
  const where = `${check.table}${check.branch === undefined ? '' : ` @ ${check.branch}`}${check.snapshotId === undefined ? '' : ` (snapshot ${check.snapshotId})`}`;
  return (
    `${check.passed ? 'PASSED' : 'FAILED'} ${where}: ${check.rules.length} rule(s), ${count('passed')} passed, ${count('failed')} failed, ${count('error')} error(s); ` +
    `${check.passes} SQL pass(es); evaluation ${check.evaluationId}`
  );
}

/** JSON text of the check: bigint → string, Date → ISO text, non-finite numbers → strings. */
export function checkJson(check: TableCheckResult): string {
  return JSON.stringify(check, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value;
  });
}
