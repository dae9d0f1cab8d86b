/**
 * Spark Connect failures as StrataErrors. A failed RPC carries a gRPC status code and, in the
 * `grpc-status-details-bin` trailer, a `google.rpc.Status` whose details hold a
 * `google.rpc.ErrorInfo`: `reason` is the Java exception class, `metadata` carries `errorClass`,
 * `sqlState`, `messageParameters` (JSON), `classes` (JSON list of the exception's class hierarchy)
 * and `errorId` (the key for FetchErrorDetails, which returns the whole cause chain).
 *
 * | what happened                                   | code             |
 * | ----------------------------------------------- | ---------------- |
 * | interrupted (OPERATION_CANCELED, SQLSTATE HY008) | QUERY_CANCELLED  |
 * | token refused (gRPC UNAUTHENTICATED)            | UNAUTHENTICATED  |
 * | Spark refused the statement (any Spark error)   | SQL_ERROR        |
 * | server unreachable, transport broke             | STORAGE_ERROR    |
 *
 * SQL_ERROR details: `errorClass`, `sqlState`, `messageParameters`, `exceptionClass`, `causes`
 * (from FetchErrorDetails when the server provides it), `grpcCode`.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { StrataError } from '../../../core/errors.ts';
import { Messages, QueryContextType, type ErrorInfo, type FetchErrorDetailsResponse } from './messages.ts';

/** What the server said about a failure, read from the status trailer. */
export interface SparkErrorInfo {
  readonly grpcCode: number;
  readonly message: string;
  readonly exceptionClass?: string;
  readonly errorClass?: string;
  readonly sqlState?: string;
  readonly messageParameters?: Record<string, string>;
  readonly classes?: string[];
  readonly errorId?: string;
}

/** One error of a FetchErrorDetails cause chain, root first. */
export interface SparkErrorCause {
  readonly exceptionClass?: string;
  readonly message: string;
  readonly errorClass?: string;
  readonly sqlState?: string;
  readonly messageParameters?: Readonly<Record<string, string>>;
  /** Where in the SQL text the error is (SQL contexts only; 0-based, `stopIndex` inclusive). */
  readonly queryContexts?: readonly SparkQueryContext[];
}

/** A SQL query context of a Spark error: the span of the statement text it points at. */
export interface SparkQueryContext {
  readonly startIndex: number;
  readonly stopIndex: number;
  readonly fragment: string;
  /** The view the text belongs to, when the error is inside a view's definition. */
  readonly objectType?: string;
  readonly objectName?: string;
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'metadata' in error;
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Reads the gRPC status and the ErrorInfo detail of a failed call. */
export function readSparkErrorInfo(error: ServiceError): SparkErrorInfo {
  const base = { grpcCode: error.code, message: error.details || error.message };
  const [trailer] = error.metadata?.get('grpc-status-details-bin') ?? [];
  if (!(trailer instanceof Uint8Array)) return base;
  let info: ErrorInfo | undefined;
  try {
    const status = Messages.RpcStatus.decode(trailer);
    const detail = status.details?.find((d) => d.type_url?.endsWith('/google.rpc.ErrorInfo'));
    if (detail?.value) info = Messages.ErrorInfo.decode(detail.value);
  } catch {
    return base;
  }
  if (info === undefined) return base;
  const meta = info.metadata ?? {};
  const messageParameters = parseJson<Record<string, string>>(meta['messageParameters']);
  const classes = parseJson<string[]>(meta['classes']);
  return {
    ...base,
    ...(info.reason ? { exceptionClass: info.reason } : {}),
    ...(meta['errorClass'] ? { errorClass: meta['errorClass'] } : {}),
    ...(meta['sqlState'] ? { sqlState: meta['sqlState'] } : {}),
    ...(messageParameters ? { messageParameters } : {}),
    ...(classes ? { classes } : {}),
    ...(meta['errorId'] ? { errorId: meta['errorId'] } : {}),
  };
}

/** The cause chain of a FetchErrorDetails response, starting at the root error. */
export function causeChain(response: FetchErrorDetailsResponse): SparkErrorCause[] {
  const errors = response.errors ?? [];
  const chain: SparkErrorCause[] = [];
  const seen = new Set<number>();
  let index = response.root_error_idx;
  while (index !== undefined && !seen.has(index) && errors[index] !== undefined) {
    seen.add(index);
    const e = errors[index]!;
    const throwable = e.spark_throwable;
    const contexts: SparkQueryContext[] = (throwable?.query_contexts ?? [])
      .filter((c) => (c.context_type ?? QueryContextType.SQL) === QueryContextType.SQL && c.start_index !== undefined && c.start_index >= 0)
      .map((c) => ({
        startIndex: c.start_index ?? 0,
        stopIndex: c.stop_index ?? c.start_index ?? 0,
        fragment: c.fragment ?? '',
        ...(c.object_type ? { objectType: c.object_type } : {}),
        ...(c.object_name ? { objectName: c.object_name } : {}),
      }));
    chain.push({
      message: e.message ?? '',
      ...(e.error_type_hierarchy?.[0] ? { exceptionClass: e.error_type_hierarchy[0] } : {}),
      ...(throwable?.error_class ? { errorClass: throwable.error_class } : {}),
      ...(throwable?.sql_state ? { sqlState: throwable.sql_state } : {}),
      ...(throwable?.message_parameters && Object.keys(throwable.message_parameters).length > 0
        ? { messageParameters: throwable.message_parameters }
        : {}),
      ...(contexts.length > 0 ? { queryContexts: contexts } : {}),
    });
    index = e.cause_idx;
  }
  return chain;
}

const CANCELLED_CLASSES = new Set(['OPERATION_CANCELED', 'OPERATION_CANCELLED']);

/**
 * Maps a failed Spark Connect call to a StrataError. `context` names what was being done (e.g.
 * `sql`) for the message; `causes` come from FetchErrorDetails when the caller fetched them.
 */
export function sparkError(
  error: unknown,
  context: { operation: string; sql?: string; causes?: readonly SparkErrorCause[] },
): StrataError {
  if (error instanceof StrataError) return error;
  if (!isServiceError(error)) {
    return new StrataError('STORAGE_ERROR', `Spark Connect ${context.operation} failed: ${String(error)}`, {}, { cause: error });
  }
  const info = readSparkErrorInfo(error);
  const sqlDetails = context.sql === undefined ? {} : { sql: context.sql };
  if (info.grpcCode === GrpcStatus.UNAUTHENTICATED || info.grpcCode === GrpcStatus.PERMISSION_DENIED) {
    return new StrataError(
      'UNAUTHENTICATED',
      'The Spark Connect server did not accept the credentials; check the token in the sc:// connection string',
      { grpcCode: info.grpcCode },
      { cause: error },
    );
  }
  if (
    (info.errorClass !== undefined && CANCELLED_CLASSES.has(info.errorClass)) ||
    info.sqlState === 'HY008' ||
    info.grpcCode === GrpcStatus.CANCELLED
  ) {
    return new StrataError('QUERY_CANCELLED', 'The Spark query was cancelled', { ...sqlDetails, grpcCode: info.grpcCode }, { cause: error });
  }
  const fromSpark = info.exceptionClass !== undefined || info.errorClass !== undefined;
  if (fromSpark) {
    return new StrataError(
      'SQL_ERROR',
      `Spark refused the ${context.operation}: ${info.message.trim()}`,
      {
        ...sqlDetails,
        grpcCode: info.grpcCode,
        ...(info.errorClass !== undefined ? { errorClass: info.errorClass } : {}),
        ...(info.sqlState !== undefined ? { sqlState: info.sqlState } : {}),
        ...(info.messageParameters !== undefined ? { messageParameters: info.messageParameters } : {}),
        ...(info.exceptionClass !== undefined ? { exceptionClass: info.exceptionClass } : {}),
        ...(context.causes !== undefined && context.causes.length > 0 ? { causes: context.causes } : {}),
      },
      { cause: error },
    );
  }
  return new StrataError(
    'STORAGE_ERROR',
    `Spark Connect ${context.operation} failed (gRPC ${GrpcStatus[info.grpcCode] ?? info.grpcCode}): ${info.message}. ` +
      'Check that the Spark Connect server is running and reachable.',
    { ...sqlDetails, grpcCode: info.grpcCode },
    { cause: error },
  );
}

/** True for transport failures after which a reattachable execution may be resumed. */
export function isRetriableTransportError(error: unknown): boolean {
  if (!isServiceError(error)) return false;
  if (readSparkErrorInfo(error).exceptionClass !== undefined) return false;
  return error.code === GrpcStatus.UNAVAILABLE || error.code === GrpcStatus.INTERNAL || error.code === GrpcStatus.UNKNOWN;
}

export { isServiceError };
