/**
 * What every route of `strata serve` shares: the open home (catalog, lake, DuckDB runtime), the
 * governance plane, the engine, the metrics registry and the server's lifecycle. Routes receive it
 * when they register; request-scoped facts (the authenticated principal) live on the request.
 */
import type { FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { StrataHome } from '../catalog/index.ts';
import { StrataError } from '../core/index.ts';
import type { Engine } from '../engine/index.ts';
import type { GovernancePlane } from '../governance/index.ts';
import type { WorkgroupEngine } from './query/workgroup.ts';

export interface ServerContext {
  readonly home: StrataHome;
  readonly governance: GovernancePlane;
  /** The embedded engine (DuckDB on the home's sandboxed runtime): queries, history, governance. */
  readonly engine: Engine;
  /**
   * The engine a workgroup's queries run on: the embedded one, or Spark (connected on first use;
   * ENGINE_UNAVAILABLE when the server has no Spark cluster or cannot reach it).
   */
  readonly engineFor: (engine: WorkgroupEngine) => Promise<Engine>;
  readonly metrics: Registry;
  /** Set once shutdown begins: new work is refused with SHUTTING_DOWN (503). */
  readonly lifecycle: { shuttingDown: boolean };
  readonly settings: ServerSettings;
  /** Work to finish (or cancel) before the server closes, registered by the routes that start it. */
  readonly onShutdown: (hook: (graceMs: number) => Promise<void>) => void;
}

/** Retention and housekeeping of what the server keeps in the lake. */
export interface ServerSettings {
  /** How long a stored query result stays readable and reusable. */
  readonly resultRetentionMs: number;
  /** Days of query history kept (0 = all). */
  readonly historyRetentionDays: number;
  /** How often expired results and old history are removed. */
  readonly housekeepingIntervalMs: number;
  /** Run every stream whose desired state is `running` (`strata serve --streams`). */
  readonly runStreams: boolean;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = { resultRetentionMs: 86_400_000, historyRetentionDays: 0, housekeepingIntervalMs: 600_000, runStreams: false };

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated principal's name ('' on public routes). */
    principal: string;
  }
}

/** The authenticated principal of a request; routes behind authentication always have one. */
export function principalOf(request: FastifyRequest): string {
  if (request.principal === '') throw new StrataError('UNAUTHENTICATED', 'Authentication failed: send Authorization: Bearer <token>');
  return request.principal;
}
