// The Iceberg REST catalog (filled in by its implementation).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../server-context.ts';

export function registerIcebergRestRoutes(_app: FastifyInstance, _context: ServerContext): void {}
