// The server plane: `strata serve` (HTTP API, query service, Iceberg REST catalog, metrics).
export { buildApp, startServer, type ServerOptions, type StrataServer } from './strata-server.ts';
export { errorResponse, httpStatusFor, type ErrorBody } from './http-errors.ts';
export { DEFAULT_SERVER_SETTINGS, principalOf, type ServerContext, type ServerSettings } from './server-context.ts';
export { PUBLIC_ROUTES } from './authentication.ts';
