/**
 * The ONE place where failures become process exit codes (documented in docs/cli.md). Scripts
 * branch on these numbers, so they are stable: add codes, never renumber.
 *
 * A StrataError code not listed here falls back by its shape (`*_NOT_FOUND` → 3,
 * `*_ALREADY_EXISTS` → 4, `INVALID_*` → 2), then to 1, so a code added by another plane still maps
 * sensibly before someone lists it.
 */
import { StrataError, type StrataErrorCode } from '../core/index.ts';

export const ExitCode = {
  OK: 0,
  /** A bug or an environment failure (I/O, a corrupt file): not the user's input. */
  UNEXPECTED: 1,
  /** Bad usage: unknown option, invalid argument, invalid config, a SQL error in the user's statement. */
  USAGE: 2,
  NOT_FOUND: 3,
  /** Already exists, or a concurrent commit won and retries ran out. */
  CONFLICT: 4,
  /** Data quality: a validation failed, or an ingest wrote nothing / exceeded --max-bad-ratio. */
  DATA: 5,
  /** Governance said no: access denied, or the credential was not accepted. */
  DENIED: 6,
  /** The query ran past its timeout (as `timeout(1)` exits). */
  TIMEOUT: 124,
  /** Cancelled by the user (Ctrl-C, SIGINT: 128 + 2). */
  CANCELLED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const BY_CODE: Partial<Record<StrataErrorCode, ExitCode>> = {
  INVALID_ARGUMENT: ExitCode.USAGE,
  INVALID_CONFIG: ExitCode.USAGE,
  INVALID_SCHEMA: ExitCode.USAGE,
  INVALID_PARTITION_SPEC: ExitCode.USAGE,
  UNSUPPORTED_FEATURE: ExitCode.USAGE,
  SQL_ERROR: ExitCode.USAGE,
  OBJECT_NOT_FOUND: ExitCode.NOT_FOUND,
  SNAPSHOT_NOT_FOUND: ExitCode.NOT_FOUND,
  REF_NOT_FOUND: ExitCode.NOT_FOUND,
  NAMESPACE_NOT_FOUND: ExitCode.NOT_FOUND,
  TABLE_NOT_FOUND: ExitCode.NOT_FOUND,
  OBJECT_ALREADY_EXISTS: ExitCode.CONFLICT,
  NAMESPACE_ALREADY_EXISTS: ExitCode.CONFLICT,
  NAMESPACE_NOT_EMPTY: ExitCode.CONFLICT,
  TABLE_ALREADY_EXISTS: ExitCode.CONFLICT,
  COMMIT_CONFLICT: ExitCode.CONFLICT,
  VALIDATION_FAILED: ExitCode.DATA,
  QUALITY_CHECK_FAILED: ExitCode.DATA,
  PIPELINE_INVALID: ExitCode.USAGE,
  DQDL_SYNTAX_ERROR: ExitCode.USAGE,
  RUN_IN_PROGRESS: ExitCode.CONFLICT,
  STEP_TIMEOUT: ExitCode.TIMEOUT,
  ACCESS_DENIED: ExitCode.DENIED,
  UNAUTHENTICATED: ExitCode.DENIED,
  QUERY_TIMEOUT: ExitCode.TIMEOUT,
  QUERY_CANCELLED: ExitCode.CANCELLED,
  INVALID_METADATA: ExitCode.UNEXPECTED,
  CORRUPT_FILE: ExitCode.UNEXPECTED,
  STORAGE_ERROR: ExitCode.UNEXPECTED,
  CATALOG_ERROR: ExitCode.UNEXPECTED,
  COMMIT_FAILED: ExitCode.UNEXPECTED,
  COMMIT_STATE_UNKNOWN: ExitCode.UNEXPECTED,
  WRITE_FAILED: ExitCode.UNEXPECTED,
  ENGINE_UNAVAILABLE: ExitCode.UNEXPECTED,
  STREAM_INVALID: ExitCode.USAGE,
  STREAM_RUNNING: ExitCode.CONFLICT,
  SOURCE_UNAVAILABLE: ExitCode.UNEXPECTED,
  STATE_CORRUPT: ExitCode.UNEXPECTED,
};

export function exitCodeForStrataCode(code: string): ExitCode {
  const listed = BY_CODE[code as StrataErrorCode];
  if (listed !== undefined) return listed;
  if (code.endsWith('_NOT_FOUND')) return ExitCode.NOT_FOUND;
  if (code.endsWith('_ALREADY_EXISTS')) return ExitCode.CONFLICT;
  if (code.startsWith('INVALID_')) return ExitCode.USAGE;
  if (code.endsWith('_CANCELLED')) return ExitCode.CANCELLED;
  return ExitCode.UNEXPECTED;
}

export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof StrataError ? exitCodeForStrataCode(error.code) : ExitCode.UNEXPECTED;
}

/** The rows of the table in docs/cli.md (a test keeps the two in sync). */
export function exitCodeTable(): { code: ExitCode; name: keyof typeof ExitCode; errors: string[] }[] {
  return (Object.keys(ExitCode) as (keyof typeof ExitCode)[]).map((name) => ({
    code: ExitCode[name],
    name,
    errors: Object.entries(BY_CODE)
      .filter(([, exit]) => exit === ExitCode[name])
      .map(([code]) => code),
  }));
}
