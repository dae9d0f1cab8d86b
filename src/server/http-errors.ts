/**
 * The ONE place where failures become HTTP responses: a domain error code maps to a status, and
 * every error body has one shape,
 *
 *   { "error": { "code": "TABLE_NOT_FOUND", "message": "…", "details": { … }, "requestId": "…" } }
 *
 * The Iceberg REST routes answer in the spec's own error model instead (`icebergErrorBody`), with
 * the same status. An error that is not a StrataError is a bug: the client gets 500 with a generic
 * message and the request id; the log gets the stack.
 */
import { StrataError } from '../core/index.ts';

const BY_CODE: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  ACCESS_DENIED: 403,
  INVALID_ARGUMENT: 400,
  INVALID_CONFIG: 400,
  INVALID_SCHEMA: 400,
  INVALID_PARTITION_SPEC: 400,
  SQL_ERROR: 400,
  VALIDATION_FAILED: 400,
  SCAN_LIMIT_EXCEEDED: 400,
  UNSUPPORTED_FEATURE: 406,
  REQUEST_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 429,
  QUERY_TIMEOUT: 408,
  QUERY_CANCELLED: 409,
  QUERY_NOT_FINISHED: 409,
  COMMIT_CONFLICT: 409,
  NAMESPACE_NOT_EMPTY: 409,
  COMMIT_STATE_UNKNOWN: 504,
  SHUTTING_DOWN: 503,
  ENGINE_UNAVAILABLE: 503,
  STREAM_INVALID: 400,
  STREAM_RUNNING: 409,
  SOURCE_UNAVAILABLE: 503,
};

export function httpStatusFor(code: string): number {
  const listed = BY_CODE[code];
  if (listed !== undefined) return listed;
  if (code.endsWith('_NOT_FOUND')) return 404;
  if (code.endsWith('_ALREADY_EXISTS')) return 409;
  if (code.startsWith('INVALID_')) return 400;
  return 500;
}

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: Readonly<Record<string, unknown>>;
    readonly requestId: string;
  };
}

/** The status and body for any thrown value. */
export function errorResponse(error: unknown, requestId: string): { status: number; body: ErrorBody } {
  const strata = asStrataError(error);
  if (!strata) {
    return { status: 500, body: { error: { code: 'INTERNAL', message: `Internal error; quote request id ${requestId} when reporting it`, requestId } } };
  }
  const status = httpStatusFor(strata.code);
  const details = jsonSafe(strata.details);
  return {
    status,
    body: { error: { code: strata.code, message: strata.message, ...(details && Object.keys(details).length > 0 ? { details } : {}), requestId } },
  };
}

/** Fastify's own errors (bad JSON, schema validation, body too large, …) as StrataErrors. */
export function asStrataError(error: unknown): StrataError | undefined {
  if (error instanceof StrataError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown; validation?: unknown };
  const message = typeof e.message === 'string' ? e.message : 'Bad request';
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new StrataError('REQUEST_TOO_LARGE', `${message}; send a smaller request`);
  if (e.validation !== undefined) return new StrataError('INVALID_ARGUMENT', `Invalid request: ${message}`);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new StrataError('INVALID_ARGUMENT', message, { httpStatus: e.statusCode });
  return undefined;
}

/** Details with bigints as strings, so JSON.stringify never throws on them. */
function jsonSafe(details: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  try {
    return JSON.parse(JSON.stringify(details, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
