/**
 * An Iceberg schema: a struct of fields with unique ids, plus the schema's own id.
 * Schemas are immutable; evolution produces a new schema with a new id (see schema-update.ts).
 */
import { StrataError } from '../../core/index.ts';
import { fieldToJson, structFromJson } from './type-json.ts';
import type { IcebergType, NestedField, StructType } from './types.ts';

export interface Schema {
  readonly schemaId: number;
  readonly fields: readonly NestedField[];
  readonly identifierFieldIds?: readonly number[];
}

export function schema(schemaId: number, fields: readonly NestedField[]): Schema {
  const s: Schema = { schemaId, fields };
  indexSchema(s); // validates unique ids
  return s;
}

export function asStruct(s: Schema): StructType {
  return { kind: 'struct', fields: s.fields };
}

/** One field found in a schema, with the dotted name path that reaches it. */
export interface IndexedField {
  readonly field: NestedField;
  /** Dotted full name, e.g. `location.lat`; list elements and map keys/values use `element`, `key`, `value`. */
  readonly name: string;
  readonly parentId: number | undefined;
  /** True when the field sits (at any depth) inside a list or a map. */
  readonly repeated: boolean;
}

/**
 * Every field of the schema by id, including nested ones and the synthetic element/key/value fields
 * of lists and maps. Throws when two fields share an id.
 */
export function indexSchema(s: Schema): ReadonlyMap<number, IndexedField> {
  const byId = new Map<number, IndexedField>();
  const visit = (fields: readonly NestedField[], prefix: string, parentId: number | undefined, repeated: boolean) => {
    for (const f of fields) add(f, prefix, parentId, repeated);
  };
  const add = (f: NestedField, prefix: string, parentId: number | undefined, repeated: boolean) => {
    if (byId.has(f.id)) {
      throw new StrataError('INVALID_SCHEMA', `Field id ${f.id} is used twice (by ${byId.get(f.id)?.name} and ${prefix}${f.name})`, {
        fieldId: f.id,
      });
    }
    const name = `${prefix}${f.name}`;
    byId.set(f.id, { field: f, name, parentId, repeated });
    visitType(f.type, `${name}.`, f.id, repeated);
  };
  const visitType = (type: IcebergType, prefix: string, parentId: number, repeated: boolean) => {
    if (type.kind === 'struct') visit(type.fields, prefix, parentId, repeated);
    else if (type.kind === 'list') {
      add({ id: type.elementId, name: 'element', required: type.elementRequired, type: type.element }, prefix, parentId, true);
    } else if (type.kind === 'map') {
      add({ id: type.keyId, name: 'key', required: true, type: type.key }, prefix, parentId, true);
      add({ id: type.valueId, name: 'value', required: type.valueRequired, type: type.value }, prefix, parentId, true);
    }
  };
  visit(s.fields, '', undefined, false);
  return byId;
}

export function findField(s: Schema, id: number): NestedField | undefined {
  return indexSchema(s).get(id)?.field;
}

/** Find a field by its dotted name (case-sensitive by default). */
export function findFieldByName(s: Schema, name: string, caseSensitive = true): IndexedField | undefined {
  const wanted = caseSensitive ? name : name.toLowerCase();
  for (const entry of indexSchema(s).values()) {
    if ((caseSensitive ? entry.name : entry.name.toLowerCase()) === wanted) return entry;
  }
  return undefined;
}

/** The highest field id in the schema (0 for an empty schema); new fields get ids above it. */
export function highestFieldId(s: Schema): number {
  let max = 0;
  for (const id of indexSchema(s).keys()) max = Math.max(max, id);
  return max;
}

export function schemaToJson(s: Schema): Record<string, unknown> {
  const json: Record<string, unknown> = {
    type: 'struct',
    'schema-id': s.schemaId,
    fields: s.fields.map(fieldToJson),
  };
  if (s.identifierFieldIds && s.identifierFieldIds.length > 0) json['identifier-field-ids'] = [...s.identifierFieldIds];
  return json;
}

export function schemaFromJson(json: unknown): Schema {
  if (json === null || typeof json !== 'object') {
    throw new StrataError('INVALID_SCHEMA', 'A schema must be a JSON object');
  }
  const obj = json as Record<string, unknown>;
  const struct = structFromJson(obj);
  const id = obj['schema-id'];
  const ids = obj['identifier-field-ids'];
  const s: Schema = {
    schemaId: typeof id === 'number' ? id : 0,
    fields: struct.fields,
    ...(Array.isArray(ids) && ids.length > 0 ? { identifierFieldIds: ids.map(Number) } : {}),
  };
  indexSchema(s);
  return s;
}
