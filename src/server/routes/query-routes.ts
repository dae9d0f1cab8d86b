// The query service's routes (filled in by its implementation).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server-context.ts';

export function registerQueryRoutes(_app: FastifyInstance, _context: ServerContext): void {}
