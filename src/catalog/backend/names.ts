/**
 * Validation and storage encoding of namespace and table names.
 *
 * A namespace path is stored in one text column, its levels joined by U+001F (the ASCII "unit
 * separator"). Validation rejects every control character, so the separator can never occur inside
 * a level and the encoding is unambiguous and reversible. Levels may not contain '.', because every
 * engine and the CLI print and parse namespaces as dotted names (`sales.eu.orders`).
 */
import { StrataError } from '../../core/index.ts';
import type { TableIdentifier } from './catalog-backend.ts';

export const NAMESPACE_SEPARATOR = '\u001f';

// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

function checkName(value: unknown, what: string, allowDot: boolean): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new StrataError('INVALID_ARGUMENT', `${what} must be a non-empty string`, { value });
  }
  if (CONTROL_CHARACTER.test(value)) {
    throw new StrataError('INVALID_ARGUMENT', `${what} ${JSON.stringify(value)} contains a control character; remove it`, {
      value,
    });
  }
  if (!allowDot && value.includes('.')) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} contains '.'; pass nested namespaces as separate levels, e.g. ['a', 'b']`,
      { value },
    );
  }
  return value;
}

/** Throws `INVALID_ARGUMENT` unless `namespace` is a non-empty list of valid levels. */
export function validateNamespace(namespace: readonly string[]): void {
  if (!Array.isArray(namespace) || namespace.length === 0) {
    throw new StrataError('INVALID_ARGUMENT', 'A namespace must have at least one level, e.g. [\'sales\']', {
      namespace,
    });
  }
  for (const level of namespace) checkName(level, 'Namespace level', false);
}

/** Throws `INVALID_ARGUMENT` unless both the namespace and the table name are valid. */
export function validateTableIdentifier(id: TableIdentifier): void {
  if (typeof id !== 'object' || id === null) {
    throw new StrataError('INVALID_ARGUMENT', 'A table identifier must be { namespace, name }', { id });
  }
  validateNamespace(id.namespace);
  checkName(id.name, 'Table name', true);
}

export function encodeNamespace(namespace: readonly string[]): string {
  return namespace.join(NAMESPACE_SEPARATOR);
}

export function decodeNamespace(path: string): string[] {
  return path.split(NAMESPACE_SEPARATOR);
}

/** The stored path of the parent, or null for a top-level namespace. */
export function encodeParent(namespace: readonly string[]): string | null {
  return namespace.length <= 1 ? null : encodeNamespace(namespace.slice(0, -1));
}

/** Dotted display form, as users type it: `sales.eu`. */
export function formatNamespace(namespace: readonly string[]): string {
  return namespace.join('.');
}

/** Dotted display form, as users type it: `sales.eu.orders`. */
export function formatTableIdentifier(id: TableIdentifier): string {
  return `${formatNamespace(id.namespace)}.${id.name}`;
}
