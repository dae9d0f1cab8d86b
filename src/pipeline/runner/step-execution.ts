/**
 * What a step executor gets (one attempt of one step of one run) and what it reports back. The
 * run executor builds it; the executors per step kind (sql-step.ts, ingest-step.ts …) use it.
 */
import type { StrataHome } from '../../catalog/index.ts';
import type { SqlSession } from '../../sql/index.ts';
import type { QualityResultsTable } from '../../quality/results/quality-results-table.ts';
import type { PipelineDefinition, StepDefinition } from '../definition/pipeline-definition.ts';
import type { RunRecord } from '../runs/run-model.ts';
import type { StepCommitKey } from './commit-marker.ts';

/** Points where tests inject failures (a throw) or crashes (the process kills itself). */
export type FaultPoint = 'before-write' | 'after-write' | 'after-commit' | 'before-publish' | 'after-publish';
export type FaultInjector = (point: FaultPoint, stepId: string, attempt: number) => void | Promise<void>;

export interface StepExecution {
  readonly definition: PipelineDefinition;
  readonly step: StepDefinition;
  readonly run: RunRecord;
  readonly attempt: number;
  readonly key: StepCommitKey;
  /** Expands `{{ ds }}` and friends for this run. */
  readonly render: (text: string) => string;
  readonly home: StrataHome;
  /** A trusted session on the home's engine (pipelines run as their owner). */
  readonly session: SqlSession;
  readonly signal: AbortSignal;
  /** Tables a publish step of this pipeline publishes: their writers stage on the run's branch. */
  readonly staged: ReadonlySet<string>;
  readonly results: QualityResultsTable;
  readonly log: (line: string) => void;
  readonly fault: FaultInjector;
}

/** A table a step read or wrote, for lineage. */
export interface TableVersion {
  readonly table: string;
  readonly snapshotId?: bigint;
  readonly branch?: string;
  readonly rows?: number;
  readonly bytes?: number;
}

export interface QualityOutcome {
  readonly ruleset: string;
  readonly table: string;
  readonly passed: boolean;
  readonly action: 'fail' | 'warn' | 'quarantine';
  readonly failedRules: readonly string[];
  readonly evaluationId: string;
  readonly quarantined?: { readonly table: string; readonly rows: number };
}

export interface StepOutcome {
  readonly inputs: readonly TableVersion[];
  readonly outputs: readonly TableVersion[];
  readonly quality?: readonly QualityOutcome[];
  /** e.g. "adopted the commit of an earlier attempt". */
  readonly note?: string;
}
