/**
 * Validation and normalisation of what callers hand the policy store: privileges, grantees,
 * securables, tag expressions and targets. Each `normalize…` returns a fresh, lowercased value
 * holding only the fields its kind defines, or throws INVALID_ARGUMENT saying what to write
 * instead. Whether named things exist (principals, tag keys) is the store's business, not this
 * file's.
 */
import { StrataError } from '../../core/index.ts';
import { validateName } from '../identity/names.ts';
import {
  PRIVILEGES,
  type Grantee,
  type MaskTarget,
  type Privilege,
  type RowFilterTarget,
  type Securable,
  type TagExpression,
  type TagKey,
  type TagTarget,
} from '../model.ts';
import { formatTagExpression, tagPairsOf } from '../tags/tag-expression.ts';
import { normalizeObjectName, normalizeTagWord } from './policy-names.ts';

/** Keeps stored expressions (and the unique keys that contain them) small on every backend. */
export const MAX_TAG_EXPRESSION_NODES = 64;
export const MAX_PREDICATE_LENGTH = 4096;
export const MAX_GRANTEES = 1000;

export function normalizePrivilege(privilege: Privilege): Privilege {
  if (!(PRIVILEGES as readonly unknown[]).includes(privilege)) {
    throw invalid(`Unknown privilege ${JSON.stringify(privilege)}; use one of ${PRIVILEGES.join(', ')}`, { privilege });
  }
  return privilege;
}

export function normalizeGrantee(grantee: Grantee): Grantee {
  const kind = typeof grantee === 'object' && grantee !== null ? (grantee as { kind?: unknown }).kind : undefined;
  if (kind !== 'principal' && kind !== 'group' && kind !== 'role') {
    throw invalid(`A grantee must be { kind: 'principal' | 'group' | 'role', name }, not ${JSON.stringify(grantee)}`, { grantee });
  }
  validateName(kind, grantee.name);
  return { kind, name: grantee.name };
}

/** A grantee list without duplicates, in the order given. */
export function normalizeGrantees(what: string, grantees: readonly Grantee[]): Grantee[] {
  if (!Array.isArray(grantees) || grantees.length > MAX_GRANTEES) {
    throw invalid(`${what} must be a list of at most ${MAX_GRANTEES} grantees`, {});
  }
  const seen = new Set<string>();
  const out: Grantee[] = [];
  for (const grantee of grantees) {
    const normalized = normalizeGrantee(grantee);
    const key = `${normalized.kind}:${normalized.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(normalized);
  }
  return out;
}

/** INVALID_ARGUMENT for column grants of anything but SELECT (the only column-level privilege). */
export function normalizeSecurable(securable: Securable, privilege: Privilege): Securable {
  const normalized = normalizeSecurableShape(securable);
  if (normalized.kind === 'column' && privilege !== 'SELECT') {
    throw invalid(
      `Only SELECT can be granted on a column, not ${privilege}; grant ${privilege} on the table ${normalized.database}.${normalized.table} instead`,
      { privilege, securable: normalized },
    );
  }
  return normalized;
}

function normalizeSecurableShape(securable: Securable): Securable {
  const kind = typeof securable === 'object' && securable !== null ? (securable as { kind?: unknown }).kind : undefined;
  switch (kind) {
    case 'catalog':
      return { kind: 'catalog' };
    case 'database':
    case 'table':
    case 'column':
      return normalizeObjectRef(securable as TagTarget);
    case 'tags':
      return { kind: 'tags', expression: normalizeTagExpression((securable as { expression: TagExpression }).expression) };
    default:
      throw invalid(`Unknown securable kind ${JSON.stringify(kind)}; use catalog, database, table, column or tags`, { kind });
  }
}

/** A database, table or column reference (the shape of tag targets and of those securables). */
export function normalizeTagTarget(target: TagTarget): TagTarget {
  const kind = typeof target === 'object' && target !== null ? (target as { kind?: unknown }).kind : undefined;
  if (kind !== 'database' && kind !== 'table' && kind !== 'column') {
    throw invalid(`A tag target must be a database, table or column, not ${JSON.stringify(kind)}`, { kind });
  }
  return normalizeObjectRef(target);
}

function normalizeObjectRef(target: TagTarget): TagTarget {
  const database = normalizeObjectName('database', target.database);
  if (target.kind === 'database') return { kind: 'database', database };
  const table = normalizeObjectName('table', target.table);
  if (target.kind === 'table') return { kind: 'table', database, table };
  return { kind: 'column', database, table, column: normalizeObjectName('column', target.column) };
}

export function normalizeMaskTarget(target: MaskTarget): MaskTarget {
  const kind = typeof target === 'object' && target !== null ? (target as { kind?: unknown }).kind : undefined;
  if (kind === 'column') return normalizeObjectRef(target as TagTarget) as MaskTarget;
  if (kind === 'tags') return { kind: 'tags', expression: normalizeTagExpression((target as { expression: TagExpression }).expression) };
  throw invalid(`A mask target must be a column or tags, not ${JSON.stringify(kind)}`, { kind });
}

export function normalizeRowFilterTarget(target: RowFilterTarget): RowFilterTarget {
  const kind = typeof target === 'object' && target !== null ? (target as { kind?: unknown }).kind : undefined;
  if (kind === 'table') return normalizeObjectRef(target as TagTarget) as RowFilterTarget;
  if (kind === 'tags') return { kind: 'tags', expression: normalizeTagExpression((target as { expression: TagExpression }).expression) };
  throw invalid(`A row filter target must be a table or tags, not ${JSON.stringify(kind)}`, { kind });
}

export function normalizePredicate(predicate: string): string {
  if (typeof predicate !== 'string' || predicate.trim().length === 0 || predicate.length > MAX_PREDICATE_LENGTH) {
    throw invalid(`A row filter predicate must be a non-empty SQL expression of at most ${MAX_PREDICATE_LENGTH} characters`, {});
  }
  return predicate;
}

/**
 * A structurally valid expression with keys and values lowercased, otherwise the same tree
 * (values keep their order; nothing is re-associated), so it round-trips exactly.
 */
export function normalizeTagExpression(expression: TagExpression): TagExpression {
  let nodes = 0;
  const walk = (e: TagExpression): TagExpression => {
    if (++nodes > MAX_TAG_EXPRESSION_NODES) {
      throw invalid(`A tag expression may have at most ${MAX_TAG_EXPRESSION_NODES} parts; split the policy`, {});
    }
    const kind = typeof e === 'object' && e !== null ? (e as { kind?: unknown }).kind : undefined;
    if (kind === 'in') {
      const { key, values } = e as Extract<TagExpression, { kind: 'in' }>;
      if (!Array.isArray(values) || values.length === 0) {
        throw invalid(`The tag expression part for ${String(key)} needs at least one value`, { key });
      }
      return { kind: 'in', key: normalizeTagWord('tag key', key), values: values.map((v) => normalizeTagWord('tag value', v)) };
    }
    if (kind === 'and' || kind === 'or') {
      const { left, right } = e as { left: TagExpression; right: TagExpression };
      return { kind, left: walk(left), right: walk(right) };
    }
    throw invalid(`Unknown tag expression node ${JSON.stringify(kind)}; build one with parseTagExpression`, { kind });
  };
  return walk(expression);
}

/**
 * INVALID_ARGUMENT unless every key the expression names exists and every value is allowed;
 * the message names the bad key or value and what is there instead.
 */
export function checkTagExpressionAgainstKeys(expression: TagExpression, keys: ReadonlyMap<string, TagKey>): void {
  for (const { key, values } of tagPairsOf(expression)) {
    const tagKey = keys.get(key);
    if (tagKey === undefined) {
      const known = [...keys.keys()].sort();
      throw invalid(
        `The tag expression ${formatTagExpression(expression)} names the tag key ${key}, which does not exist; ` +
          (known.length === 0 ? 'create it first' : `existing keys: ${known.join(', ')}`),
        { key, existingKeys: known },
      );
    }
    for (const value of values) {
      if (!tagKey.allowedValues.includes(value)) {
        throw invalid(
          `The tag expression ${formatTagExpression(expression)} uses ${key}=${value}, which is not an allowed value; ` +
            `allowed values of ${key}: ${tagKey.allowedValues.join(', ')}`,
          { key, value, allowedValues: [...tagKey.allowedValues] },
        );
      }
    }
  }
}

function invalid(message: string, details: Record<string, unknown>): StrataError {
  return new StrataError('INVALID_ARGUMENT', message, details);
}
