/**
 * Schema evolution with Iceberg semantics, as a pure, immutable builder.
 *
 * Columns are tracked by field id, never by name or position, so every change here is metadata-only:
 * no data file is rewritten, and files written under an older schema stay readable because readers
 * project them by id (a renamed column keeps its id; an added column reads as null from old files;
 * a deleted column's id is simply no longer asked for).
 *
 * Gotchas:
 * - The builder is immutable: every method returns a NEW `SchemaUpdate`. Chain the calls or reassign
 *   (`u = u.addColumn(...)`); a bare `u.addColumn(...)` statement is lost.
 * - Operations apply in order to a working copy, so later calls see earlier ones: add a column then
 *   move it, rename a column then refer to it by its new name. A column renamed in this update may
 *   also still be named by its original name, as Iceberg's Java API does.
 * - A column deleted in this update can take no other change, before or after the delete
 *   (`INVALID_SCHEMA`): the two requests contradict each other.
 * - String paths are dotted (`'location.alt'`); pass an array (`['a.b']`) for names that contain a dot.
 *   List elements and map keys/values are named `element`, `key`, `value` (`'points.element.x'`).
 *
 * @example
 *   const { schema, lastColumnId } = updateSchema(current, metadata.lastColumnId)
 *     .addColumn('location.alt', Types.double, { doc: 'metres above sea level' })
 *     .renameColumn('ts', 'event_time')
 *     .updateColumnType('count', Types.long)
 *     .moveFirst('event_time')
 *     .apply();
 */
import { reassignIds } from './fresh-ids.ts';
import { StrataError, closestName } from '../../core/index.ts';
import { highestFieldId, indexSchema, type Schema } from './schema.ts';
import {
  isPrimitive,
  primitiveToString,
  typeToString,
  type IcebergType,
  type NestedField,
  type PrimitiveType,
} from './types.ts';

/** A column named by a dotted string (`'location.lat'`) or by its name components. */
export type ColumnPath = string | readonly string[];

export interface AddColumnOptions {
  readonly doc?: string;
  /** Refused unless `allowIncompatibleChanges()` was called: existing rows have no value for it. */
  readonly required?: boolean;
  /** Sibling (in the same struct) to place the new column after. */
  readonly after?: string;
  /** Sibling (in the same struct) to place the new column before. */
  readonly before?: string;
  /** Place the new column first in its struct. */
  readonly first?: boolean;
}

export interface SchemaUpdateResult {
  readonly schema: Schema;
  /** The table's new `last-column-id`: never lower than the one passed in. */
  readonly lastColumnId: number;
}

/** A pending schema change; every method returns a new update and leaves this one untouched. */
export interface SchemaUpdate {
  /** Permit changes that old data cannot satisfy (today: adding a required column). */
  allowIncompatibleChanges(): SchemaUpdate;
  addColumn(path: ColumnPath, type: IcebergType, options?: AddColumnOptions): SchemaUpdate;
  renameColumn(path: ColumnPath, newName: string): SchemaUpdate;
  deleteColumn(path: ColumnPath): SchemaUpdate;
  /** Only int→long, float→double and decimal(P,S)→decimal(P2,S) with P2 > P. */
  updateColumnType(path: ColumnPath, newType: PrimitiveType): SchemaUpdate;
  makeColumnOptional(path: ColumnPath): SchemaUpdate;
  updateColumnDoc(path: ColumnPath, doc: string): SchemaUpdate;
  moveFirst(path: ColumnPath): SchemaUpdate;
  moveBefore(path: ColumnPath, other: ColumnPath): SchemaUpdate;
  moveAfter(path: ColumnPath, other: ColumnPath): SchemaUpdate;
  /** The evolved schema; its id is `current.schemaId + 1` unless `options.schemaId` says otherwise. */
  apply(options?: { readonly schemaId?: number }): SchemaUpdateResult;
}

/** Start evolving `current`; `lastColumnId` is the table metadata's `last-column-id`. */
export function updateSchema(
  current: Schema,
  lastColumnId: number,
  options: { readonly caseSensitive?: boolean } = {},
): SchemaUpdate {
  const highest = highestFieldId(current);
  if (!Number.isInteger(lastColumnId) || lastColumnId < highest) {
    throw new StrataError(
      'INVALID_SCHEMA',
      `last-column-id ${lastColumnId} is below the highest field id ${highest} in schema ${current.schemaId}; ` +
        'pass the table metadata\'s last-column-id, which is never lower than any id ever assigned',
      { lastColumnId, highestFieldId: highest },
    );
  }
  return new Update({
    base: current,
    fields: current.fields,
    lastColumnId,
    caseSensitive: options.caseSensitive ?? true,
    allowIncompatible: false,
    changed: new Set(),
    deleted: new Map(),
  });
}

/**
 * True when two schemas have the same fields (ids, names, types, required flags, docs, order) and the
 * same identifier fields, ignoring `schemaId`. The metadata layer uses this to reuse the id of an
 * existing identical schema instead of adding a duplicate.
 */
export function schemasStructurallyEqual(a: Schema, b: Schema): boolean {
  const ids = (s: Schema) => [...(s.identifierFieldIds ?? [])].sort((x, y) => x - y).join(',');
  return ids(a) === ids(b) && fieldsEqual(a.fields, b.fields);
}


/**
 * INVALID_ARGUMENT for a column name that matches nothing, with a "did you mean" suggestion (or,
 * when nothing is close, the first few column names) so the caller can fix the request.
 */
export function unknownColumnError(column: string, known: readonly string[]): StrataError {
  const suggestion = closestName(column, known);
  const hint =
    suggestion !== undefined
      ? `; did you mean "${suggestion}"?`
      : known.length > 0
        ? `; columns are: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}`
        : '; the schema has no columns';
  return new StrataError('INVALID_ARGUMENT', `Column "${column}" does not exist${hint}`, {
    column,
    ...(suggestion === undefined ? {} : { suggestion }),
  });
}

// ---------------------------------------------------------------------------------------------------

interface State {
  readonly base: Schema;
  /** The working copy of the top-level fields, with every change so far applied. */
  readonly fields: readonly NestedField[];
  readonly lastColumnId: number;
  readonly caseSensitive: boolean;
  readonly allowIncompatible: boolean;
  /** Ids of columns changed in this update (added, renamed, retyped, moved, ...). */
  readonly changed: ReadonlySet<number>;
  /** Dotted names (as they were when deleted) → ids of columns deleted in this update. */
  readonly deleted: ReadonlyMap<string, number>;
}

/** One field of the working schema, found by walking it. */
interface Located {
  /** For list elements and map keys/values, a synthetic field named `element`/`key`/`value`. */
  readonly field: NestedField;
  readonly path: readonly string[];
  /** Id of the field whose struct type holds this field; undefined at the top level. */
  readonly parentId: number | undefined;
  /** True for list elements and map keys/values, which cannot be renamed, deleted or moved. */
  readonly synthetic: boolean;
}

const ALLOWED_PROMOTIONS = 'int → long, float → double, decimal(P, S) → decimal(P2, S) with P2 > P';

class Update implements SchemaUpdate {
  readonly #s: State;

  constructor(state: State) {
    this.#s = state;
  }

  allowIncompatibleChanges(): SchemaUpdate {
    return this.#next({ allowIncompatible: true });
  }

  addColumn(path: ColumnPath, type: IcebergType, options: AddColumnOptions = {}): SchemaUpdate {
    const s = this.#s;
    const parts = typeof path === 'string' ? path.split('.') : [...path];
    const name = parts[parts.length - 1];
    if (name === undefined || name.trim() === '') {
      throw new StrataError('INVALID_SCHEMA', `Cannot add a column with an empty name (path "${display(path)}")`, {
        column: display(path),
      });
    }
    if (options.required === true && !s.allowIncompatible) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot add required column "${display(path)}": existing data has no value for it. ` +
          'Add it as optional, or call allowIncompatibleChanges() if no data has been written yet',
        { column: display(path) },
      );
    }
    const placements = [options.first === true, options.after !== undefined, options.before !== undefined];
    if (placements.filter(Boolean).length > 1) {
      throw new StrataError('INVALID_SCHEMA', `Column "${display(path)}": use only one of first, after, before`, {
        column: display(path),
      });
    }

    const parentPath = parts.slice(0, -1);
    const holderId = parentPath.length === 0 ? undefined : structHolderId(this.#resolve(parentPath));
    const siblings = childrenOf(s.fields, holderId);
    const clash = siblings.find((f) => this.#same(f.name, name));
    if (clash) {
      throw new StrataError('INVALID_SCHEMA', `Cannot add column "${display(path)}": a column named "${clash.name}" already exists there`, {
        column: display(path),
      });
    }
    checkUniqueNames(type, display(path), this.#same.bind(this));

    let nextId = s.lastColumnId;
    const assign = () => ++nextId;
    const id = assign();
    const fresh = reassignIds(type, assign);
    const added: NestedField = {
      id,
      name,
      required: options.required === true,
      type: fresh,
      ...(options.doc !== undefined ? { doc: options.doc } : {}),
    };

    let index = siblings.length;
    if (options.first === true) index = 0;
    const anchor = options.after ?? options.before;
    if (anchor !== undefined) {
      const anchorId = this.#sibling(anchor, parentPath, holderId, display(path)).field.id;
      const at = siblings.findIndex((f) => f.id === anchorId);
      index = options.after !== undefined ? at + 1 : at;
    }
    const children = [...siblings.slice(0, index), added, ...siblings.slice(index)];
    const addedIds = [id, ...walkType(fresh, [], id).map((l) => l.field.id)];
    return this.#next({
      fields: setChildren(s.fields, holderId, children),
      lastColumnId: nextId,
      changed: union(s.changed, addedIds),
    });
  }

  renameColumn(path: ColumnPath, newName: string): SchemaUpdate {
    const loc = this.#resolve(path);
    this.#refuseSynthetic(loc, 'rename');
    if (newName.trim() === '') {
      throw new StrataError('INVALID_SCHEMA', `Cannot rename "${display(path)}" to an empty name`, { column: display(path) });
    }
    const clash = childrenOf(this.#s.fields, loc.parentId).find((f) => f.id !== loc.field.id && this.#same(f.name, newName));
    if (clash) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot rename "${display(path)}" to "${newName}": a column named "${clash.name}" already exists there`,
        { column: display(path), newName },
      );
    }
    return this.#change(loc, (f) => ({ ...f, name: newName }));
  }

  deleteColumn(path: ColumnPath): SchemaUpdate {
    const s = this.#s;
    const loc = this.#resolve(path);
    this.#refuseSynthetic(loc, 'delete');
    const doomed = [loc, ...walkType(loc.field.type, loc.path, loc.field.id)];
    const identifiers = new Set(s.base.identifierFieldIds ?? []);
    const identifier = doomed.find((l) => identifiers.has(l.field.id));
    if (identifier) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot delete "${display(path)}": "${identifier.path.join('.')}" is an identifier field. ` +
          'Change the identifier fields first',
        { column: display(path), identifierField: identifier.path.join('.') },
      );
    }
    const touched = doomed.find((l) => s.changed.has(l.field.id));
    if (touched) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot delete "${display(path)}": "${touched.path.join('.')}" was already changed in this update. ` +
          'Drop the other change, or delete the column in a separate update',
        { column: display(path), changed: touched.path.join('.') },
      );
    }
    const deleted = new Map(s.deleted);
    for (const l of doomed) deleted.set(l.path.join('.'), l.field.id);
    return this.#next({ fields: replaceField(s.fields, loc.field.id, () => undefined), deleted });
  }

  updateColumnType(path: ColumnPath, newType: PrimitiveType): SchemaUpdate {
    const loc = this.#resolve(path);
    const from = loc.field.type;
    if (!isPrimitive(from) || !isPrimitive(newType)) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot change "${display(path)}" from ${typeToString(from)} to ${typeToString(newType)}: only primitive types ` +
          `can be promoted (${ALLOWED_PROMOTIONS}). Add a new column instead`,
        { column: display(path), from: typeToString(from), to: typeToString(newType) },
      );
    }
    if (primitiveToString(from) === primitiveToString(newType)) return this;
    if (!isAllowedPromotion(from, newType)) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot change "${display(path)}" from ${primitiveToString(from)} to ${primitiveToString(newType)}: ` +
          `the allowed promotions are ${ALLOWED_PROMOTIONS}. Add a new column and backfill it instead`,
        { column: display(path), from: primitiveToString(from), to: primitiveToString(newType) },
      );
    }
    return this.#change(loc, (f) => ({ ...f, type: newType }));
  }

  makeColumnOptional(path: ColumnPath): SchemaUpdate {
    const loc = this.#resolve(path);
    if (loc.synthetic && loc.field.name === 'key') {
      throw new StrataError('INVALID_SCHEMA', `Map keys are always required ("${display(path)}")`, { column: display(path) });
    }
    if ((this.#s.base.identifierFieldIds ?? []).includes(loc.field.id)) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot make "${display(path)}" optional: it is an identifier field, and identifier fields must be required`,
        { column: display(path) },
      );
    }
    if (!loc.field.required) return this;
    return this.#change(loc, (f) => ({ ...f, required: false }));
  }

  updateColumnDoc(path: ColumnPath, doc: string): SchemaUpdate {
    const loc = this.#resolve(path);
    this.#refuseSynthetic(loc, 'document');
    return this.#change(loc, (f) => ({ ...f, doc }));
  }

  moveFirst(path: ColumnPath): SchemaUpdate {
    const loc = this.#resolve(path);
    this.#refuseSynthetic(loc, 'move');
    return this.#move(loc, () => 0);
  }

  moveBefore(path: ColumnPath, other: ColumnPath): SchemaUpdate {
    return this.#moveRelative(path, other, 0);
  }

  moveAfter(path: ColumnPath, other: ColumnPath): SchemaUpdate {
    return this.#moveRelative(path, other, 1);
  }

  apply(options: { readonly schemaId?: number } = {}): SchemaUpdateResult {
    const s = this.#s;
    const identifierFieldIds = s.base.identifierFieldIds;
    const schema: Schema = {
      schemaId: options.schemaId ?? s.base.schemaId + 1,
      fields: s.fields,
      ...(identifierFieldIds && identifierFieldIds.length > 0 ? { identifierFieldIds } : {}),
    };
    indexSchema(schema); // defence in depth: ids are still unique
    return { schema, lastColumnId: s.lastColumnId };
  }

  // --- helpers -------------------------------------------------------------------------------------

  #next(patch: Partial<State>): Update {
    return new Update({ ...this.#s, ...patch });
  }

  #same(a: string, b: string): boolean {
    return this.#s.caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase();
  }

  #matches(candidate: readonly string[], path: ColumnPath): boolean {
    if (typeof path === 'string') return this.#same(candidate.join('.'), path);
    return candidate.length === path.length && candidate.every((part, i) => this.#same(part, path[i] ?? ''));
  }

  /**
   * The working-schema field `path` names. Falls back to the original schema's names (a column
   * renamed earlier in this update), refuses a column deleted in this update, and otherwise reports
   * the closest existing name.
   */
  #resolve(path: ColumnPath): Located {
    const s = this.#s;
    const working = walkFields(s.fields, [], undefined);
    const hit = working.find((l) => this.#matches(l.path, path));
    if (hit) return hit;
    const deletedId = [...s.deleted].find(([name]) => this.#same(name, display(path)))?.[1];
    const original = walkFields(s.base.fields, [], undefined).find((l) => this.#matches(l.path, path));
    if (deletedId !== undefined || (original && [...s.deleted.values()].includes(original.field.id))) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Column "${display(path)}" is deleted in this update and cannot also be changed; drop one of the two changes`,
        { column: display(path) },
      );
    }
    const renamed = original && working.find((l) => l.field.id === original.field.id);
    if (renamed) return renamed;
    throw unknownColumnError(display(path), working.map((l) => l.path.join('.')));
  }

  /** Like #resolve, but undefined (instead of INVALID_ARGUMENT) for a name that does not exist. */
  #tryResolve(path: ColumnPath): Located | undefined {
    try {
      return this.#resolve(path);
    } catch (error) {
      if (StrataError.is(error, 'INVALID_ARGUMENT')) return undefined;
      throw error;
    }
  }

  /** A sibling named by its own name (within `parentPath`) or by its full path. */
  #sibling(name: string, parentPath: readonly string[], holderId: number | undefined, subject: string): Located {
    const s = this.#s;
    const direct = walkFields(s.fields, [], undefined).find(
      (l) => l.parentId === holderId && !l.synthetic && this.#same(l.field.name, name),
    );
    const loc = direct ?? this.#tryResolve([...parentPath, name]) ?? this.#resolve(name);
    if (loc.parentId !== holderId || loc.synthetic) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot place "${subject}" relative to "${name}": columns can only be ordered within the same struct`,
        { column: subject, other: name },
      );
    }
    return loc;
  }

  #refuseSynthetic(loc: Located, action: string): void {
    if (loc.synthetic) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot ${action} "${loc.path.join('.')}": it is the ${loc.field.name} of a ${loc.field.name === 'element' ? 'list' : 'map'}, ` +
          'not a struct column; change the list or map column itself',
        { column: loc.path.join('.') },
      );
    }
  }

  #change(loc: Located, fn: (f: NestedField) => NestedField): Update {
    const s = this.#s;
    return this.#next({ fields: replaceField(s.fields, loc.field.id, fn), changed: union(s.changed, [loc.field.id]) });
  }

  #moveRelative(path: ColumnPath, other: ColumnPath, offset: 0 | 1): SchemaUpdate {
    const loc = this.#resolve(path);
    this.#refuseSynthetic(loc, 'move');
    const anchor = this.#resolve(other);
    if (anchor.field.id === loc.field.id) {
      throw new StrataError('INVALID_SCHEMA', `Cannot move "${display(path)}" relative to itself`, { column: display(path) });
    }
    if (anchor.parentId !== loc.parentId || anchor.synthetic) {
      throw new StrataError(
        'INVALID_SCHEMA',
        `Cannot move "${display(path)}" next to "${display(other)}": columns can only be reordered within the same struct`,
        { column: display(path), other: display(other) },
      );
    }
    return this.#move(loc, (rest) => rest.findIndex((f) => f.id === anchor.field.id) + offset);
  }

  #move(loc: Located, indexIn: (rest: readonly NestedField[]) => number): Update {
    const s = this.#s;
    const siblings = childrenOf(s.fields, loc.parentId);
    const rest = siblings.filter((f) => f.id !== loc.field.id);
    const at = indexIn(rest);
    const reordered = [...rest.slice(0, at), loc.field, ...rest.slice(at)];
    return this.#next({ fields: setChildren(s.fields, loc.parentId, reordered), changed: union(s.changed, [loc.field.id]) });
  }
}

// --- pure tree helpers -----------------------------------------------------------------------------

function display(path: ColumnPath): string {
  return typeof path === 'string' ? path : path.join('.');
}

function union(set: ReadonlySet<number>, ids: readonly number[]): ReadonlySet<number> {
  return new Set([...set, ...ids]);
}

function walkFields(fields: readonly NestedField[], prefix: readonly string[], parentId: number | undefined): Located[] {
  return fields.flatMap((f) => {
    const path = [...prefix, f.name];
    return [{ field: f, path, parentId, synthetic: false }, ...walkType(f.type, path, f.id)];
  });
}

/** Everything nested inside `type`, which belongs to the field `ownerId` at `path`. */
function walkType(type: IcebergType, path: readonly string[], ownerId: number): Located[] {
  const synthetic = (f: NestedField): Located[] => {
    const p = [...path, f.name];
    return [{ field: f, path: p, parentId: ownerId, synthetic: true }, ...walkType(f.type, p, f.id)];
  };
  switch (type.kind) {
    case 'struct':
      return walkFields(type.fields, path, ownerId);
    case 'list':
      return synthetic(elementField(type.elementId, type.element, type.elementRequired));
    case 'map':
      return [
        ...synthetic({ id: type.keyId, name: 'key', required: true, type: type.key }),
        ...synthetic({ id: type.valueId, name: 'value', required: type.valueRequired, type: type.value }),
      ];
    default:
      return [];
  }
}

function elementField(id: number, type: IcebergType, required: boolean): NestedField {
  return { id, name: 'element', required, type };
}

/**
 * A copy of `fields` with the field `id` replaced by `fn(field)` (or removed when it returns
 * undefined). Unchanged subtrees are shared, not copied. List elements and map keys/values are
 * handed to `fn` as synthetic fields and written back into their list or map.
 */
function replaceField(
  fields: readonly NestedField[],
  id: number,
  fn: (f: NestedField) => NestedField | undefined,
): readonly NestedField[] {
  let changed = false;
  const out: NestedField[] = [];
  for (const f of fields) {
    if (f.id === id) {
      changed = true;
      const replaced = fn(f);
      if (replaced) out.push(replaced);
      continue;
    }
    const type = replaceInType(f.type, id, fn);
    if (type !== f.type) changed = true;
    out.push(type === f.type ? f : { ...f, type });
  }
  return changed ? out : fields;
}

function replaceInType(type: IcebergType, id: number, fn: (f: NestedField) => NestedField | undefined): IcebergType {
  const must = (f: NestedField | undefined): NestedField => {
    if (!f) throw new StrataError('INVALID_SCHEMA', `Field ${id} is a list element or map key/value and cannot be removed`);
    return f;
  };
  switch (type.kind) {
    case 'struct': {
      const fields = replaceField(type.fields, id, fn);
      return fields === type.fields ? type : { kind: 'struct', fields };
    }
    case 'list': {
      if (type.elementId === id) {
        const e = must(fn(elementField(type.elementId, type.element, type.elementRequired)));
        return { ...type, element: e.type, elementRequired: e.required };
      }
      const element = replaceInType(type.element, id, fn);
      return element === type.element ? type : { ...type, element };
    }
    case 'map': {
      if (type.keyId === id) {
        return { ...type, key: must(fn({ id, name: 'key', required: true, type: type.key })).type };
      }
      if (type.valueId === id) {
        const v = must(fn({ id, name: 'value', required: type.valueRequired, type: type.value }));
        return { ...type, value: v.type, valueRequired: v.required };
      }
      const key = replaceInType(type.key, id, fn);
      const value = replaceInType(type.value, id, fn);
      return key === type.key && value === type.value ? type : { ...type, key, value };
    }
    default:
      return type;
  }
}

/** The id of the field whose struct new children go into: the field itself, a list's element or a map's value. */
function structHolderId(loc: Located): number {
  const type = loc.field.type;
  if (type.kind === 'struct') return loc.field.id;
  if (type.kind === 'list' && type.element.kind === 'struct') return type.elementId;
  if (type.kind === 'map' && type.value.kind === 'struct') return type.valueId;
  throw new StrataError(
    'INVALID_SCHEMA',
    `Cannot add a column inside "${loc.path.join('.')}": it is a ${typeToString(type)}, not a struct`,
    { column: loc.path.join('.') },
  );
}

function childrenOf(fields: readonly NestedField[], holderId: number | undefined): readonly NestedField[] {
  if (holderId === undefined) return fields;
  const holder = walkFields(fields, [], undefined).find((l) => l.field.id === holderId);
  return holder?.field.type.kind === 'struct' ? holder.field.type.fields : [];
}

function setChildren(
  fields: readonly NestedField[],
  holderId: number | undefined,
  children: readonly NestedField[],
): readonly NestedField[] {
  if (holderId === undefined) return children;
  return replaceField(fields, holderId, (f) => ({ ...f, type: { kind: 'struct', fields: children } }));
}

function checkUniqueNames(type: IcebergType, path: string, same: (a: string, b: string) => boolean): void {
  if (type.kind === 'struct') {
    type.fields.forEach((f, i) => {
      if (f.name.trim() === '') {
        throw new StrataError('INVALID_SCHEMA', `Struct in "${path}" has a field with an empty name`, { column: path });
      }
      if (type.fields.slice(0, i).some((g) => same(g.name, f.name))) {
        throw new StrataError('INVALID_SCHEMA', `Struct in "${path}" has two fields named "${f.name}"`, { column: path });
      }
      checkUniqueNames(f.type, `${path}.${f.name}`, same);
    });
  } else if (type.kind === 'list') checkUniqueNames(type.element, `${path}.element`, same);
  else if (type.kind === 'map') {
    checkUniqueNames(type.key, `${path}.key`, same);
    checkUniqueNames(type.value, `${path}.value`, same);
  }
}

function isAllowedPromotion(from: PrimitiveType, to: PrimitiveType): boolean {
  if (from.kind === 'int') return to.kind === 'long';
  if (from.kind === 'float') return to.kind === 'double';
  if (from.kind === 'decimal' && to.kind === 'decimal') {
    return to.scale === from.scale && to.precision > from.precision && to.precision <= 38;
  }
  return false;
}

function fieldsEqual(a: readonly NestedField[], b: readonly NestedField[]): boolean {
  return (
    a.length === b.length &&
    a.every((f, i) => {
      const g = b[i];
      return (
        g !== undefined &&
        f.id === g.id &&
        f.name === g.name &&
        f.required === g.required &&
        f.doc === g.doc &&
        nestedTypesEqual(f.type, g.type)
      );
    })
  );
}

function nestedTypesEqual(a: IcebergType, b: IcebergType): boolean {
  if (a.kind === 'struct' || b.kind === 'struct') {
    return a.kind === 'struct' && b.kind === 'struct' && fieldsEqual(a.fields, b.fields);
  }
  if (a.kind === 'list' || b.kind === 'list') {
    return (
      a.kind === 'list' &&
      b.kind === 'list' &&
      a.elementId === b.elementId &&
      a.elementRequired === b.elementRequired &&
      nestedTypesEqual(a.element, b.element)
    );
  }
  if (a.kind === 'map' || b.kind === 'map') {
    return (
      a.kind === 'map' &&
      b.kind === 'map' &&
      a.keyId === b.keyId &&
      a.valueId === b.valueId &&
      a.valueRequired === b.valueRequired &&
      nestedTypesEqual(a.key, b.key) &&
      nestedTypesEqual(a.value, b.value)
    );
  }
  return primitiveToString(a) === primitiveToString(b);
}

