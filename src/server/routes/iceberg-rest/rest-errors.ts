/**
 * The Iceberg REST catalog's error model. Iceberg clients (PyIceberg, the Java `RESTCatalog`)
 * branch on the HTTP status and on `error.type`, so a Strata error code maps to both here, once:
 *
 *   { "error": { "message": "Table sales.orders does not exist", "type": "NoSuchTableException", "code": 404 } }
 *
 * Gotcha: a commit whose outcome is unknown must be 500 (not 409): clients treat 409 as "nothing
 * happened, safe to retry", and retrying a commit that did land would duplicate its data.
 */
import { asStrataError, httpStatusFor } from '../../http-errors.ts';

export interface IcebergErrorBody {
  readonly error: { readonly message: string; readonly type: string; readonly code: number };
}

const BY_CODE: Readonly<Record<string, { readonly status: number; readonly type: string }>> = {
  NAMESPACE_NOT_FOUND: { status: 404, type: 'NoSuchNamespaceException' },
  TABLE_NOT_FOUND: { status: 404, type: 'NoSuchTableException' },
  NAMESPACE_ALREADY_EXISTS: { status: 409, type: 'AlreadyExistsException' },
  TABLE_ALREADY_EXISTS: { status: 409, type: 'AlreadyExistsException' },
  ALREADY_EXISTS: { status: 409, type: 'AlreadyExistsException' },
  NAMESPACE_NOT_EMPTY: { status: 409, type: 'NamespaceNotEmptyException' },
  COMMIT_CONFLICT: { status: 409, type: 'CommitFailedException' },
  COMMIT_FAILED: { status: 409, type: 'CommitFailedException' },
  COMMIT_STATE_UNKNOWN: { status: 500, type: 'CommitStateUnknownException' },
  UNAUTHENTICATED: { status: 401, type: 'NotAuthorizedException' },
  ACCESS_DENIED: { status: 403, type: 'ForbiddenException' },
  UNSUPPORTED_FEATURE: { status: 406, type: 'UnsupportedOperationException' },
  SHUTTING_DOWN: { status: 503, type: 'ServiceUnavailableException' },
};

/** The status and spec-shaped body for any thrown value (non-Strata errors are 500 with a generic message). */
export function icebergErrorResponse(error: unknown, requestId: string): { status: number; body: IcebergErrorBody } {
  const strata = asStrataError(error);
  if (!strata) {
    return errorOf(500, 'InternalServerError', `Internal error; quote request id ${requestId} when reporting it`);
  }
  const listed = BY_CODE[strata.code];
  if (listed) return errorOf(listed.status, listed.type, strata.message);
  const status = httpStatusFor(strata.code);
  return errorOf(status, typeForStatus(status), strata.message);
}

function typeForStatus(status: number): string {
  if (status === 404) return 'NotFoundException';
  if (status === 409) return 'AlreadyExistsException';
  if (status >= 400 && status < 500) return 'BadRequestException';
  return 'InternalServerError';
}

function errorOf(status: number, type: string, message: string): { status: number; body: IcebergErrorBody } {
  return { status, body: { error: { message, type, code: status } } };
}
