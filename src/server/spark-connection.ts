/**
 * The server's one Spark engine, for workgroups whose engine is `spark`: connected on the first
 * query that needs it, shared by every such query (Spark runs a session's operations
 * concurrently; Strata's per-statement views are uniquely named temporary views), and connected
 * again after a failure — a cluster started after the server (`strata compute up`), or restarted,
 * is picked up by the next query.
 */
import { StrataError } from '../core/index.ts';
import type { Engine } from '../engine/index.ts';

export class SparkConnection {
  readonly #connect: (() => Promise<Engine>) | undefined;
  #engine: Promise<Engine> | undefined;

  constructor(connect: (() => Promise<Engine>) | undefined) {
    this.#connect = connect;
  }

  async engine(): Promise<Engine> {
    const connect = this.#connect;
    if (!connect) {
      throw new StrataError(
        'ENGINE_UNAVAILABLE',
        'This server has no Spark cluster: start one with strata compute up (or set compute.spark.url), then restart strata serve',
        { engine: 'spark' },
      );
    }
    this.#engine ??= connect();
    try {
      return await this.#engine;
    } catch (error) {
      this.#engine = undefined;
      throw error;
    }
  }

  /** Forgets a broken engine (after a connection error) so the next query connects afresh. */
  async reset(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    if (engine) await (await engine.catch(() => undefined))?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.reset();
  }
}
