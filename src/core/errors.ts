/**
 * Strata's error model: every expected failure is a `StrataError` with a stable `code` and
 * structured `details`, so callers (CLI exit codes, HTTP status codes, retries) branch on the code
 * and never on message text. Messages say what went wrong and what to do next.
 *
 * @example
 *   throw new StrataError('TABLE_NOT_FOUND', `Table ${name} does not exist`, { table: name });
 */
export type StrataErrorCode =
  // storage
  | 'OBJECT_NOT_FOUND'
  | 'OBJECT_ALREADY_EXISTS'
  | 'STORAGE_ERROR'
  | 'INVALID_CONFIG'
  // table format
  | 'INVALID_SCHEMA'
  | 'INVALID_PARTITION_SPEC'
  | 'INVALID_METADATA'
  | 'CORRUPT_FILE'
  | 'UNSUPPORTED_FEATURE'
  | 'INVALID_ARGUMENT'
  | 'SNAPSHOT_NOT_FOUND'
  | 'REF_NOT_FOUND'
  | 'COMMIT_CONFLICT'
  | 'COMMIT_FAILED'
  /** The atomic swap itself failed in a way that leaves unknown whether the commit landed. */
  | 'COMMIT_STATE_UNKNOWN'
  | 'VALIDATION_FAILED'
  | 'WRITE_FAILED'
  // catalog
  | 'NAMESPACE_NOT_FOUND'
  | 'NAMESPACE_ALREADY_EXISTS'
  | 'NAMESPACE_NOT_EMPTY'
  | 'TABLE_NOT_FOUND'
  | 'TABLE_ALREADY_EXISTS'
  | 'CATALOG_ERROR'
  // engine / SQL
  /** DuckDB (or another engine) refused the statement: parse, bind or runtime error; details keep its message and position. */
  | 'SQL_ERROR'
  /** The caller cancelled the query (AbortSignal or `QueryResult.cancel()`). */
  | 'QUERY_CANCELLED'
  /** The query ran longer than its `timeoutMs`. */
  | 'QUERY_TIMEOUT'
  // governance
  /** A principal, group or role does not exist; `details.kind` says which. */
  | 'PRINCIPAL_NOT_FOUND'
  /** A governance object (principal, group, role) with that name exists; `details.kind` says which. */
  | 'ALREADY_EXISTS'
  /** A credential was not accepted. Deliberately one code and message for every reason. */
  | 'UNAUTHENTICATED'
  /** The principal is known but may not do this (governance denied it). */
  | 'ACCESS_DENIED'
  /** A grant, tag key, mask or row filter named in a governance command does not exist. */
  | 'POLICY_NOT_FOUND'
  // server and query service
  /** A query would scan more bytes than its workgroup's per-query cap (checked before it runs). */
  | 'SCAN_LIMIT_EXCEEDED'
  /** A workgroup's data-usage budget for the hour or day is spent, or its queue is full. */
  | 'QUOTA_EXCEEDED'
  /** Results were asked for a query that has not finished (poll its state first). */
  | 'QUERY_NOT_FINISHED'
  /** A request body is larger than the server accepts. */
  | 'REQUEST_TOO_LARGE'
  /** The server is shutting down and takes no new work. */
  | 'SHUTTING_DOWN'
  /** A query, workgroup or other server-side object does not exist. */
  | 'QUERY_NOT_FOUND'
  | 'WORKGROUP_NOT_FOUND'
  // pipelines and data quality
  /** A pipeline definition is malformed: unknown step, cycle, missing input, bad schedule; details say where. */
  | 'PIPELINE_INVALID'
  /** No pipeline, pipeline version, run or backfill with that name or id. */
  | 'PIPELINE_NOT_FOUND'
  | 'RUN_NOT_FOUND'
  /** A run or step is already running (held by a live lease), so it is not started twice. */
  | 'RUN_IN_PROGRESS'
  /** A step ran longer than its timeout. */
  | 'STEP_TIMEOUT'
  /** A step failed; details carry the step id and the underlying code. */
  | 'STEP_FAILED'
  /** A configured engine (a Spark cluster) cannot be reached or is not set up for Strata's tables. */
  | 'ENGINE_UNAVAILABLE'
  /** A DQDL ruleset does not parse or names an unknown rule type; details carry line and column. */
  | 'DQDL_SYNTAX_ERROR'
  /** A quality gate with action `fail` found failing rules. */
  | 'QUALITY_CHECK_FAILED'
  // compute
  /** A compute cluster (Spark) could not be provisioned, started, reached or stopped; details say which. */
  | 'COMPUTE_ERROR'
  // streams
  /** A stream definition is malformed (bad source, transform, window, sink); details say where. */
  | 'STREAM_INVALID'
  /** No stream registered under that name. */
  | 'STREAM_NOT_FOUND'
  /** The stream is already running in another process (it holds the stream's lease). */
  | 'STREAM_RUNNING'
  /** A stream's source (a Kafka broker, a watched directory) cannot be reached or read. */
  | 'SOURCE_UNAVAILABLE'
  /** A stream's checkpoint (offset log, state snapshot or changelog) is missing or unreadable. */
  | 'STATE_CORRUPT';

export class StrataError extends Error {
  readonly code: StrataErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: StrataErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StrataError';
    this.code = code;
    this.details = details;
  }

  /** True when `error` is a StrataError, optionally with the given code. */
  static is(error: unknown, code?: StrataErrorCode): error is StrataError {
    return error instanceof StrataError && (code === undefined || error.code === code);
  }
}

/** The message of any thrown value, for wrapping foreign errors. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
