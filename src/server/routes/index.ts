/**
 * Every route group of `strata serve` but health (which the server installs first), in the order
 * they register. A group is a function of the app and the shared context.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.ts';
import { registerIcebergRestRoutes } from './iceberg-rest/index.ts';
import { registerMetricsRoutes } from './metrics-routes.ts';
import { registerQueryRoutes } from './query-routes.ts';
import { registerStreamRoutes } from './stream-routes.ts';

export type RouteGroup = (app: FastifyInstance, context: ServerContext) => Promise<void> | void;

export const SERVER_ROUTES: readonly RouteGroup[] = [registerMetricsRoutes, registerIcebergRestRoutes, registerQueryRoutes, registerStreamRoutes];
