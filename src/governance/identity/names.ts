/**
 * Validation of identity names and attributes, shared by every identity operation.
 *
 * Names are lowercase on purpose: `Alice` and `alice` as two principals would be a trap once
 * policies name them in SQL, where identifiers are case-insensitive. Dots, `@` and `-` are allowed
 * so e-mail addresses and service names (`etl-nightly`) work as they are.
 */
import { StrataError } from '../../core/index.ts';

export type IdentityKind = 'principal' | 'group' | 'role';

const NAME = /^[a-z0-9_][a-z0-9_.@-]*$/;
export const MAX_NAME_LENGTH = 128;
const ATTRIBUTE_KEY = /^[a-z_][a-z0-9_]*$/;
export const MAX_ATTRIBUTE_VALUE_LENGTH = 1024;

export function validateName(kind: IdentityKind, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Invalid ${kind} name ${JSON.stringify(name)}: use 1-${MAX_NAME_LENGTH} lowercase letters, digits, '_', '.', '@' or '-', not starting with '.', '@' or '-'`,
      { kind, name },
    );
  }
}

/** Checks a principal's attributes (used later by `current_principal_attribute('region')`). */
export function validateAttributes(attributes: Readonly<Record<string, string>>): void {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new StrataError('INVALID_ARGUMENT', 'Principal attributes must be an object of string values', {});
  }
  for (const [key, value] of Object.entries(attributes)) {
    if (!ATTRIBUTE_KEY.test(key)) {
      throw new StrataError(
        'INVALID_ARGUMENT',
        `Invalid attribute key ${JSON.stringify(key)}: use lowercase letters, digits and '_', starting with a letter or '_'`,
        { key },
      );
    }
    if (typeof value !== 'string' || value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      throw new StrataError(
        'INVALID_ARGUMENT',
        `Attribute ${key} must be a string of at most ${MAX_ATTRIBUTE_VALUE_LENGTH} characters`,
        { key },
      );
    }
  }
}

/** Sorted JSON, so equal attribute maps are stored byte-identically. */
export function serializeAttributes(attributes: Readonly<Record<string, string>>): string {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(attributes).sort()) sorted[key] = attributes[key] as string;
  return JSON.stringify(sorted);
}

export function parseAttributes(text: string): Record<string, string> {
  const parsed: unknown = JSON.parse(text);
  const result: Record<string, string> = {};
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') result[key] = value;
  }
  return result;
}
