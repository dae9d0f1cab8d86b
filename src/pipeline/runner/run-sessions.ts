/**
 * The SQL sessions of one pipeline run. Steps on `duckdb` share the service's embedded session;
 * the first step on `spark` opens a Spark engine for the run — on the shared cluster, or on a
 * cluster started for this run when the pipeline says `compute: transient` — and the run's end
 * closes it (a transient cluster is stopped whatever the run's outcome, as a transient EMR
 * cluster terminates after its steps).
 */
import { StrataError, messageOf } from '../../core/index.ts';
import type { Catalog } from '../../catalog/index.ts';
import type { Engine } from '../../engine/index.ts';
import { SqlSession } from '../../sql/index.ts';
import type { ComputeMode, PipelineDefinition, StepEngine } from '../definition/pipeline-definition.ts';
import type { RunSessions } from './runner-deps.ts';

/** An engine lent to one run; `release` gives it back (and stops a transient cluster). */
export interface LeasedEngine {
  readonly engine: Engine;
  release(): Promise<void>;
  /** The process of a cluster started for this lease (transient), for operators and tests. */
  readonly pid?: number;
}

/** Where pipelines get Spark: the shared cluster, or a transient one per run. */
export interface SparkCompute {
  acquire(mode: ComputeMode): Promise<LeasedEngine>;
}

export function runSessions(options: {
  readonly catalog: Catalog;
  readonly embedded: SqlSession;
  readonly definition: PipelineDefinition;
  readonly spark: SparkCompute | undefined;
  readonly log: (line: string) => void;
}): RunSessions {
  let spark: Promise<{ leased: LeasedEngine; session: SqlSession }> | undefined;
  const openSpark = async (): Promise<{ leased: LeasedEngine; session: SqlSession }> => {
    if (!options.spark) {
      throw new StrataError(
        'ENGINE_UNAVAILABLE',
        `Pipeline ${options.definition.name} has steps on spark, but no Spark cluster is configured: start one with strata compute up, or set compute.spark.url`,
        { pipeline: options.definition.name },
      );
    }
    const mode = options.definition.compute ?? 'shared';
    const leased = await options.spark.acquire(mode);
    try {
      return { leased, session: await SqlSession.open({ catalog: options.catalog, engine: leased.engine }) };
    } catch (error) {
      await leased.release();
      throw error;
    }
  };
  return {
    async sessionFor(engine: StepEngine): Promise<SqlSession> {
      if (engine === 'duckdb') return options.embedded;
      spark ??= openSpark();
      try {
        return (await spark).session;
      } catch (error) {
        spark = undefined; // the next attempt may find the cluster back
        throw error;
      }
    },
    async close(): Promise<void> {
      if (!spark) return;
      try {
        const { leased, session } = await spark;
        await session.close().catch(() => undefined);
        await leased.release();
      } catch (error) {
        options.log(`closing the run's Spark engine failed: ${messageOf(error)}`);
      }
    },
  };
}
