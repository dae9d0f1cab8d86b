/**
 * Test fixtures shared by this folder's tests (not used by production code): terse builders for
 * grants, tags, masks, row filters, principals and table shapes.
 */
import type {
  Grant,
  Grantee,
  MaskFunction,
  MaskPolicy,
  MaskTarget,
  PolicySnapshot,
  PrincipalContext,
  Privilege,
  RowFilter,
  RowFilterTarget,
  Securable,
  TagAssignment,
  TagTarget,
} from '../model.ts';
import { parseTagExpression } from '../tags/tag-expression.ts';
import type { TableShape } from './decisions.ts';

export const catalog: Securable = { kind: 'catalog' };
export const db = (database: string): Securable => ({ kind: 'database', database });
export const tbl = (database: string, table: string): Securable => ({ kind: 'table', database, table });
export const col = (database: string, table: string, column: string): Securable => ({ kind: 'column', database, table, column });
export const tags = (expression: string): Securable => ({ kind: 'tags', expression: parseTagExpression(expression) });

export const userG = (name: string): Grantee => ({ kind: 'principal', name });
export const group = (name: string): Grantee => ({ kind: 'group', name });
export const role = (name: string): Grantee => ({ kind: 'role', name });

let nextId = 1;

export function grant(privilege: Privilege, securable: Securable, grantee: Grantee, options: { id?: string; withGrantOption?: boolean } = {}): Grant {
  return {
    id: options.id ?? `g_${nextId++}`,
    privilege,
    securable,
    grantee,
    withGrantOption: options.withGrantOption ?? false,
    grantedBy: 'admin',
    createdAt: 0,
  };
}

export function tag(target: TagTarget, key: string, value: string): TagAssignment {
  return { target, key, value };
}
export const dbTag = (database: string, key: string, value: string): TagAssignment => tag({ kind: 'database', database }, key, value);
export const tableTag = (database: string, table: string, key: string, value: string): TagAssignment =>
  tag({ kind: 'table', database, table }, key, value);
export const columnTag = (database: string, table: string, column: string, key: string, value: string): TagAssignment =>
  tag({ kind: 'column', database, table, column }, key, value);

export const onColumn = (database: string, table: string, column: string): MaskTarget => ({ kind: 'column', database, table, column });
export const onTags = (expression: string): MaskTarget & RowFilterTarget => ({ kind: 'tags', expression: parseTagExpression(expression) });
export const onTable = (database: string, table: string): RowFilterTarget => ({ kind: 'table', database, table });

export function mask(name: string, fn: MaskFunction, targets: readonly MaskTarget[], exempt: readonly Grantee[] = []): MaskPolicy {
  return { name, function: fn, targets, exempt, hashKey: `key-${name}`, createdAt: 0 };
}

export function rowFilter(
  name: string,
  target: RowFilterTarget,
  predicate: string,
  options: { appliesTo?: readonly Grantee[]; exempt?: readonly Grantee[] } = {},
): RowFilter {
  return { name, target, predicate, appliesTo: options.appliesTo ?? [], exempt: options.exempt ?? [], createdAt: 0 };
}

export function snapshot(parts: Partial<PolicySnapshot> = {}): PolicySnapshot {
  return { grants: [], tagKeys: [], tags: [], masks: [], rowFilters: [], ...parts };
}

export function principal(name: string, options: { groups?: string[]; roles?: string[]; administrator?: boolean; attributes?: Record<string, string> } = {}): PrincipalContext {
  return {
    name,
    administrator: options.administrator ?? false,
    groups: options.groups ?? [],
    roles: options.roles ?? [],
    attributes: options.attributes ?? {},
  };
}

export function shape(database: string, table: string, columns: readonly string[]): TableShape {
  return { database, table, columns: columns.map((name) => ({ name, type: 'string' })) };
}

/** The names of the readable columns of a read decision. */
export function readable(decision: { columns: readonly { name: string; readable: boolean }[] }): string[] {
  return decision.columns.filter((c) => c.readable).map((c) => c.name);
}
