/** What the run executor works with; the pipeline service (pipeline-service.ts) assembles it. */
import type { StrataHome } from '../../catalog/index.ts';
import type { LineageStore } from '../../observe/index.ts';
import type { QualityResultsTable } from '../../quality/results/quality-results-table.ts';
import type { SqlSession } from '../../sql/index.ts';
import type { PipelineDefinition, StepEngine } from '../definition/pipeline-definition.ts';

/** The sessions of one run, by engine. */
export interface RunSessions {
  /** The session a step's SQL runs on (`engine` on the step, else the pipeline's, else duckdb). */
  sessionFor(engine: StepEngine): Promise<SqlSession>;
  /** Closes what the run opened (a transient cluster is stopped); never throws. */
  close(): Promise<void>;
}
import type { RunStore } from '../runs/run-store.ts';
import type { Clock } from '../schedule/clock.ts';
import type { FaultInjector } from './step-execution.ts';

export type NotificationEvent = 'run.succeeded' | 'run.failed' | 'quality.failed';

export interface RunnerDeps {
  readonly home: StrataHome;
  readonly store: RunStore;
  /**
   * The sessions one run's steps use (run-sessions.ts): the embedded one, and a Spark one opened
   * on first use — on the shared cluster, or on a cluster started for this run (`compute:
   * transient`) that `close()` tears down.
   */
  readonly openSessions: (definition: PipelineDefinition) => RunSessions;
  readonly results: QualityResultsTable;
  readonly lineage: LineageStore;
  /** Delivers a webhook event to the pipeline's notification targets (never throws). */
  readonly notify: (definition: PipelineDefinition, event: NotificationEvent, payload: Record<string, unknown>) => Promise<void>;
  readonly clock: Clock;
  readonly owner: string;
  readonly leaseMs: number;
  readonly random: () => number;
  readonly fault: FaultInjector;
  readonly log: (line: string) => void;
  /** OpenLineage namespace of jobs and datasets (`strata://<home>`). */
  readonly namespace: string;
  readonly signal?: AbortSignal;
}
