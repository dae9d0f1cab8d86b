/**
 * What checking one Strata table returns: the evaluator's RulesetResult plus where and when it was
 * evaluated, so results can be stored (system.quality_results), failing rows fetched again and
 * quarantined, and pipelines can point back at the evaluation.
 */
import type { QualityDataset, RulesetResult } from '../evaluate/evaluation.ts';

export type TableCheckResult = RulesetResult & {
  /** `db.table` as given. */
  readonly table: string;
  /** The snapshot the check planned to read (absent for a table without snapshots). */
  readonly snapshotId?: bigint;
  /** The branch or tag evaluated, when not main. */
  readonly branch?: string;
  /** The ruleset's name (from the caller; recorded with the results). */
  readonly ruleset?: string;
  /** Unique per check; every stored result row of this check carries it. */
  readonly evaluationId: string;
  readonly evaluatedAt: Date;
  /** The relation the rules read; `failingRowsSql(dataset, rules)` selects the failing rows again. */
  readonly dataset: QualityDataset;
};

/** Pipeline coordinates stored with a check's results (all optional: an ad-hoc check has none). */
export interface CheckContext {
  readonly pipeline?: string | undefined;
  readonly runId?: string | undefined;
  readonly stepId?: string | undefined;
  readonly partition?: string | undefined;
}
