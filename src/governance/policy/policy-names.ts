/**
 * Names the policy store accepts: mask and row-filter names, tag keys and values, and the
 * database / table / column names that securables and targets point at.
 *
 * - Mask and row-filter names follow identity's rules (lowercase, refused otherwise, so `PII_Mask`
 *   and `pii_mask` can never be two policies).
 * - Tag keys and values are words of `[a-z0-9_.:-]`; upper case is folded, since tag expressions
 *   fold it too (`PII=True` means `pii=true`).
 * - Object names are folded to lowercase (DuckDB and Spark resolve identifiers case-insensitively)
 *   and must be non-empty without control characters. They are not checked against the catalog:
 *   the caller does that, and `forgetTable` / `forgetDatabase` clean up after drops.
 */
import { StrataError } from '../../core/index.ts';

export type PolicyKind = 'mask' | 'row filter';

const POLICY_NAME = /^[a-z0-9_][a-z0-9_.@-]*$/;
export const MAX_POLICY_NAME_LENGTH = 128;
const TAG_WORD = /^[a-z0-9_.:-]+$/;
export const MAX_TAG_WORD_LENGTH = 128;
export const MAX_OBJECT_NAME_LENGTH = 255;
// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export function validatePolicyName(kind: PolicyKind, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_POLICY_NAME_LENGTH || !POLICY_NAME.test(name)) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Invalid ${kind} name ${JSON.stringify(name)}: use 1-${MAX_POLICY_NAME_LENGTH} lowercase letters, digits, '_', '.', '@' or '-', not starting with '.', '@' or '-'`,
      { kind, name },
    );
  }
}

/** A tag key or value, lowercased; INVALID_ARGUMENT unless it is a word of `[a-z0-9_.:-]`. */
export function normalizeTagWord(what: 'tag key' | 'tag value', word: string): string {
  const folded = typeof word === 'string' ? word.toLowerCase() : '';
  if (folded.length === 0 || folded.length > MAX_TAG_WORD_LENGTH || !TAG_WORD.test(folded)) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Invalid ${what} ${JSON.stringify(word)}: use 1-${MAX_TAG_WORD_LENGTH} letters, digits, '_', '.', ':' or '-'`,
      { [what === 'tag key' ? 'key' : 'value']: word },
    );
  }
  return folded;
}

/** A database, table or column name, lowercased. */
export function normalizeObjectName(what: 'database' | 'table' | 'column', name: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_OBJECT_NAME_LENGTH || CONTROL_CHARACTER.test(name)) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Invalid ${what} name ${JSON.stringify(name)}: use 1-${MAX_OBJECT_NAME_LENGTH} characters without control characters`,
      { [what]: name },
    );
  }
  return name.toLowerCase();
}
