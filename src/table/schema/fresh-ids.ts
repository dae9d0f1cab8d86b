/**
 * Fresh field ids, as Iceberg assigns them when a table is created: 1, 2, 3 … in Iceberg's order
 * — a struct's own fields first, then what is nested inside each of them; a list's element; a
 * map's key then value. A REST catalog creating a table from a client's schema does this (the
 * reference implementation does), so every table's ids start at 1 whatever the client sent —
 * Spark, for one, sends ids starting at 0.
 */
import type { IcebergType } from './types.ts';
import type { Schema } from './schema.ts';

/**
 * `type` with every nested id replaced by one from `next`; `assigned(old, fresh)` hears each
 * replacement (to remap partition and sort sources).
 */
export function reassignIds(type: IcebergType, next: () => number, assigned: (old: number, fresh: number) => void = () => undefined): IcebergType {
  const take = (old: number): number => {
    const fresh = next();
    assigned(old, fresh);
    return fresh;
  };
  switch (type.kind) {
    case 'struct': {
      const ids = type.fields.map((f) => take(f.id));
      return { kind: 'struct', fields: type.fields.map((f, i) => ({ ...f, id: ids[i] ?? next(), type: reassignIds(f.type, next, assigned) })) };
    }
    case 'list': {
      const elementId = take(type.elementId);
      return { ...type, elementId, element: reassignIds(type.element, next, assigned) };
    }
    case 'map': {
      const keyId = take(type.keyId);
      const valueId = take(type.valueId);
      return { ...type, keyId, valueId, key: reassignIds(type.key, next, assigned), value: reassignIds(type.value, next, assigned) };
    }
    default:
      return type;
  }
}

/** `schema` with ids 1, 2, 3 …, and the new id of each old one. */
export function withFreshIds(schema: Schema): { readonly schema: Schema; readonly freshId: (old: number) => number } {
  const map = new Map<number, number>();
  let last = 0;
  const struct = reassignIds({ kind: 'struct', fields: schema.fields }, () => ++last, (old, fresh) => map.set(old, fresh));
  const fields = struct.kind === 'struct' ? struct.fields : [];
  const freshId = (old: number): number => map.get(old) ?? old;
  const identifiers = schema.identifierFieldIds?.map(freshId);
  return { schema: { schemaId: schema.schemaId, fields, ...(identifiers ? { identifierFieldIds: identifiers } : {}) }, freshId };
}
