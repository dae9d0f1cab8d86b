/**
 * Partition spec evolution (format v2), as a pure, immutable builder.
 *
 * Changing a table's partitioning never rewrites data: old data files keep the spec they were
 * written with (manifests record each file's spec id), new writes use the new default spec, and
 * scan planning prunes each file with its own spec. What this module decides is the new spec's
 * fields, their ids and names, and the spec's id.
 *
 * Rules, following the Iceberg spec and its reference implementation:
 * - v2 drops a removed field from the spec (v1 had to keep it as a `void` field; Strata writes v2 only).
 * - New field ids continue from the table's `last-partition-id`, except that a field with the same
 *   source column and transform as a field of ANY earlier spec gets that field's id back, so old and
 *   new specs agree on what the id means (readers unify partition tuples across specs by field id).
 * - Default names follow the reference implementation's evolution API: `id`, `id_bucket_16`,
 *   `name_trunc_4`, `ts_year`/`_month`/`_day`/`_hour`, `x_null`.
 * - If the result is identical (field ids, sources, transforms, names) to an existing spec, that spec
 *   is returned as is, so the metadata layer only switches the default spec id.
 *
 * Gotchas:
 * - The builder is immutable: every method returns a NEW `SpecUpdate`; chain the calls.
 * - Field names in `removeField`/`renameField` are partition field names (`ts_day`), not columns.
 * - Removing and re-adding the same (source, transform) in one update restores the original field.
 *
 * @example
 *   const { spec, lastPartitionId } = updateSpec(current, schema, metadata.lastPartitionId, metadata.specs)
 *     .removeField('ts_day')
 *     .addField('ts', 'hour')
 *     .addField('id', 'bucket[16]')
 *     .apply();
 */
import { StrataError } from '../../core/index.ts';
import { indexSchema, type IndexedField, type Schema } from '../schema/schema.ts';
import { closestName } from '../../core/index.ts';
import { unknownColumnError } from '../schema/schema-update.ts';
import { isPrimitive, typeToString } from '../schema/types.ts';
import { PARTITION_DATA_ID_START, type PartitionField, type PartitionSpec } from './partition-spec.ts';
import { parseTransform, type Transform } from './transforms.ts';

export interface SpecUpdateResult {
  /** The new spec, or an existing spec (same object) that is identical to the result. */
  readonly spec: PartitionSpec;
  /** The table's new `last-partition-id`: never lower than the one passed in. */
  readonly lastPartitionId: number;
}

/** A pending partition spec change; every method returns a new update and leaves this one untouched. */
export interface SpecUpdate {
  /** Partition by `transform` of the column `sourceName` (dotted for nested columns). */
  addField(sourceName: string, transform: string | Transform, name?: string): SpecUpdate;
  removeField(name: string): SpecUpdate;
  renameField(name: string, newName: string): SpecUpdate;
  apply(): SpecUpdateResult;
}

/**
 * Start evolving `current`. `lastPartitionId` is the table metadata's `last-partition-id` (999 for a
 * table that was never partitioned); `existingSpecs` are all the table's specs, for id reuse and for
 * the new spec id.
 */
export function updateSpec(
  current: PartitionSpec,
  schema: Schema,
  lastPartitionId: number,
  existingSpecs: readonly PartitionSpec[],
  options: { readonly caseSensitive?: boolean } = {},
): SpecUpdate {
  const specs = existingSpecs.some((s) => s.specId === current.specId) ? existingSpecs : [...existingSpecs, current];
  const start = Math.max(lastPartitionId, PARTITION_DATA_ID_START - 1);
  const highest = Math.max(PARTITION_DATA_ID_START - 1, ...specs.flatMap((s) => s.fields.map((f) => f.fieldId)));
  if (!Number.isInteger(lastPartitionId) || highest > start) {
    throw new StrataError(
      'INVALID_PARTITION_SPEC',
      `last-partition-id ${lastPartitionId} is below partition field id ${highest} of an existing spec; ` +
        "pass the table metadata's last-partition-id, which is never lower than any id ever assigned",
      { lastPartitionId, highestFieldId: highest },
    );
  }
  return new Update({
    current,
    schema,
    specs,
    caseSensitive: options.caseSensitive ?? true,
    lastPartitionId: start,
    kept: current.fields,
    removed: new Set(),
    renamed: new Set(),
    added: [],
  });
}

/**
 * The reference implementation's default name for a partition field added by spec evolution:
 * identity keeps the column name; the others append the transform (and its parameter).
 */
export function defaultPartitionName(sourceName: string, transform: Transform): string {
  switch (transform.name) {
    case 'identity':
      return sourceName;
    case 'bucket':
      return `${sourceName}_bucket_${transform.param ?? ''}`;
    case 'truncate':
      return `${sourceName}_trunc_${transform.param ?? ''}`;
    case 'void':
      return `${sourceName}_null`;
    default:
      return `${sourceName}_${transform.name}`;
  }
}

/** Same fields (ids, sources, transforms, names, order); spec ids are ignored. */
export function specsStructurallyEqual(a: PartitionSpec, b: PartitionSpec): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i];
      return (
        g !== undefined &&
        f.fieldId === g.fieldId &&
        f.sourceId === g.sourceId &&
        f.name === g.name &&
        normalizeTransform(f.transform) === normalizeTransform(g.transform)
      );
    })
  );
}

// ---------------------------------------------------------------------------------------------------

interface State {
  readonly current: PartitionSpec;
  readonly schema: Schema;
  /** Every spec of the table, the current one included. */
  readonly specs: readonly PartitionSpec[];
  readonly caseSensitive: boolean;
  readonly lastPartitionId: number;
  /** The current spec's fields, renames applied; removed ones are still here (see `removed`). */
  readonly kept: readonly PartitionField[];
  readonly removed: ReadonlySet<number>;
  readonly renamed: ReadonlySet<number>;
  readonly added: readonly PartitionField[];
}

const TIME_TRANSFORMS: ReadonlySet<string> = new Set(['year', 'month', 'day', 'hour']);

class Update implements SpecUpdate {
  readonly #s: State;

  constructor(state: State) {
    this.#s = state;
  }

  addField(sourceName: string, transform: string | Transform, name?: string): SpecUpdate {
    const s = this.#s;
    const source = this.#source(sourceName);
    const t = typeof transform === 'string' ? parseTransform(transform) : transform;
    const text = t.toString();
    const type = source.field.type;
    if (!isPrimitive(type) || !t.canTransform(type)) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Cannot partition by ${text}(${source.name}): the transform does not apply to type ${typeToString(type)}`,
        { column: source.name, transform: text, type: typeToString(type) },
      );
    }
    const sameTerm = (f: PartitionField) => f.sourceId === source.field.id && normalizeTransform(f.transform) === text;
    const duplicate = this.#live().find(sameTerm);
    if (duplicate) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `The spec already partitions by ${text}(${source.name}), as field "${duplicate.name}"`,
        { column: source.name, transform: text, field: duplicate.name },
      );
    }

    const restored = s.kept.find((f) => sameTerm(f) && s.removed.has(f.fieldId));
    if (restored) {
      const removed = new Set(s.removed);
      removed.delete(restored.fieldId);
      const back = this.#next({ removed });
      return name === undefined || name === restored.name ? back : back.renameField(restored.name, name);
    }

    const fieldName = name ?? defaultPartitionName(source.name, t);
    this.#checkName(fieldName, source.field.id, text, undefined);
    const time = TIME_TRANSFORMS.has(t.name) && this.#live().find((f) => f.sourceId === source.field.id && isTimeTransform(f.transform));
    if (time) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Cannot add ${text}(${source.name}): it is redundant with field "${time.name}" (${time.transform}) on the same column. ` +
          `Remove "${time.name}" in the same update to change the time granularity`,
        { column: source.name, transform: text, conflictsWith: time.name },
      );
    }

    const liveIds = new Set(this.#live().map((f) => f.fieldId));
    const previous = [...s.specs]
      .sort((a, b) => b.specId - a.specId)
      .flatMap((spec) => spec.fields)
      .find((f) => sameTerm(f) && !liveIds.has(f.fieldId));
    const lastPartitionId = previous ? s.lastPartitionId : s.lastPartitionId + 1;
    const fieldId = previous ? previous.fieldId : lastPartitionId;
    const added: PartitionField = { sourceId: source.field.id, fieldId, name: fieldName, transform: text };
    return this.#next({ added: [...s.added, added], lastPartitionId });
  }

  removeField(name: string): SpecUpdate {
    const s = this.#s;
    const f = this.#field(name);
    if (s.added.some((a) => a.fieldId === f.fieldId)) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Cannot remove partition field "${name}": it was added in this same update; leave out the addField call instead`,
        { field: name },
      );
    }
    if (s.renamed.has(f.fieldId)) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Cannot remove partition field "${name}": it was renamed in this same update; drop one of the two changes`,
        { field: name },
      );
    }
    return this.#next({ removed: new Set([...s.removed, f.fieldId]) });
  }

  renameField(name: string, newName: string): SpecUpdate {
    const s = this.#s;
    const f = this.#field(name);
    if (f.name === newName) return this;
    this.#checkName(newName, f.sourceId, normalizeTransform(f.transform), f.fieldId);
    const rename = (g: PartitionField) => (g.fieldId === f.fieldId ? { ...g, name: newName } : g);
    if (s.added.some((a) => a.fieldId === f.fieldId)) return this.#next({ added: s.added.map(rename) });
    return this.#next({ kept: s.kept.map(rename), renamed: new Set([...s.renamed, f.fieldId]) });
  }

  apply(): SpecUpdateResult {
    const s = this.#s;
    const fields = this.#live();
    const candidate: PartitionSpec = { specId: s.current.specId, fields };
    const identical = [s.current, ...s.specs].find((spec) => specsStructurallyEqual(spec, candidate));
    if (identical) return { spec: identical, lastPartitionId: s.lastPartitionId };
    const specId = Math.max(...s.specs.map((spec) => spec.specId)) + 1;
    return { spec: { specId, fields }, lastPartitionId: s.lastPartitionId };
  }

  // --- helpers -------------------------------------------------------------------------------------

  #next(patch: Partial<State>): Update {
    return new Update({ ...this.#s, ...patch });
  }

  #same(a: string, b: string): boolean {
    return this.#s.caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase();
  }

  /** The fields the new spec will have, in order: kept (not removed) ones, then added ones. */
  #live(): PartitionField[] {
    const s = this.#s;
    return [...s.kept.filter((f) => !s.removed.has(f.fieldId)), ...s.added];
  }

  #source(sourceName: string): IndexedField {
    const columns = [...indexSchema(this.#s.schema).values()];
    const found = columns.find((c) => this.#same(c.name, sourceName));
    if (!found) throw unknownColumnError(sourceName, columns.map((c) => c.name));
    if (found.repeated) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Cannot partition by "${found.name}": it is inside a list or a map, so a row has many values for it`,
        { column: found.name },
      );
    }
    return found;
  }

  #field(name: string): PartitionField {
    const s = this.#s;
    const live = this.#live();
    const found = live.find((f) => this.#same(f.name, name));
    if (found) return found;
    if (s.kept.some((f) => s.removed.has(f.fieldId) && this.#same(f.name, name))) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Partition field "${name}" is removed in this update and cannot also be changed; drop one of the two changes`,
        { field: name },
      );
    }
    const suggestion = closestName(name, live.map((f) => f.name));
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Partition field "${name}" does not exist in spec ${s.current.specId}` +
        (suggestion !== undefined
          ? `; did you mean "${suggestion}"?`
          : live.length > 0
            ? `; its fields are: ${live.map((f) => f.name).join(', ')}`
            : '; the spec has no fields'),
      { field: name, ...(suggestion === undefined ? {} : { suggestion }) },
    );
  }

  /**
   * A partition field name must be non-empty, unique in the spec, and must not shadow a schema column
   * (a filter on that name would be ambiguous) unless it is the identity partition of that column.
   */
  #checkName(name: string, sourceId: number, transform: string, selfId: number | undefined): void {
    if (name.trim() === '') {
      throw new StrataError('INVALID_PARTITION_SPEC', 'A partition field name cannot be empty');
    }
    const clash = this.#live().find((f) => f.fieldId !== selfId && this.#same(f.name, name));
    if (clash) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Partition field name "${name}" is already used by ${clash.transform} of column id ${clash.sourceId}; pick another name`,
        { field: name },
      );
    }
    const column = [...indexSchema(this.#s.schema).values()].find((c) => this.#same(c.name, name));
    if (column && !(transform === 'identity' && column.field.id === sourceId)) {
      throw new StrataError(
        'INVALID_PARTITION_SPEC',
        `Partition field name "${name}" is a column of the schema; only the identity partition of that column may use it. ` +
          'Pick another name',
        { field: name, column: column.name },
      );
    }
  }
}

/** The canonical text of a stored transform; unknown ones (written by a newer engine) stay as they are. */
function normalizeTransform(text: string): string {
  try {
    return parseTransform(text).toString();
  } catch {
    return text;
  }
}

function isTimeTransform(text: string): boolean {
  return TIME_TRANSFORMS.has(normalizeTransform(text));
}
