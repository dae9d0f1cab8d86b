/**
 * The Iceberg type system (format v2), as immutable data. Nested types carry the field ids of their
 * children, exactly as the spec's JSON does; ids are what survive renames and reorders.
 */
export const PRIMITIVE_TYPE_NAMES = [
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'string',
  'uuid',
  'binary',
] as const;

export type PrimitiveTypeName = (typeof PRIMITIVE_TYPE_NAMES)[number];

export interface SimplePrimitiveType {
  readonly kind: PrimitiveTypeName;
}
export interface DecimalType {
  readonly kind: 'decimal';
  readonly precision: number;
  readonly scale: number;
}
export interface FixedType {
  readonly kind: 'fixed';
  readonly length: number;
}
export type PrimitiveType = SimplePrimitiveType | DecimalType | FixedType;

export interface NestedField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: IcebergType;
  readonly doc?: string;
}
export interface StructType {
  readonly kind: 'struct';
  readonly fields: readonly NestedField[];
}
export interface ListType {
  readonly kind: 'list';
  readonly elementId: number;
  readonly elementRequired: boolean;
  readonly element: IcebergType;
}
export interface MapType {
  readonly kind: 'map';
  readonly keyId: number;
  readonly key: IcebergType;
  readonly valueId: number;
  readonly valueRequired: boolean;
  readonly value: IcebergType;
}
export type NestedType = StructType | ListType | MapType;
export type IcebergType = PrimitiveType | NestedType;

/** Constructors, so call sites read like the spec: `Types.decimal(10, 2)`, `Types.long`. */
export const Types = {
  boolean: { kind: 'boolean' },
  int: { kind: 'int' },
  long: { kind: 'long' },
  float: { kind: 'float' },
  double: { kind: 'double' },
  date: { kind: 'date' },
  time: { kind: 'time' },
  timestamp: { kind: 'timestamp' },
  timestamptz: { kind: 'timestamptz' },
  string: { kind: 'string' },
  uuid: { kind: 'uuid' },
  binary: { kind: 'binary' },
  decimal: (precision: number, scale: number): DecimalType => ({ kind: 'decimal', precision, scale }),
  fixed: (length: number): FixedType => ({ kind: 'fixed', length }),
  struct: (fields: readonly NestedField[]): StructType => ({ kind: 'struct', fields }),
  list: (elementId: number, element: IcebergType, elementRequired = false): ListType => ({
    kind: 'list',
    elementId,
    element,
    elementRequired,
  }),
  map: (
    keyId: number,
    key: IcebergType,
    valueId: number,
    value: IcebergType,
    valueRequired = false,
  ): MapType => ({ kind: 'map', keyId, key, valueId, value, valueRequired }),
} as const satisfies Record<string, IcebergType | ((...args: never[]) => IcebergType)>;

/** A field, required or optional: `field(1, 'id', Types.long, true)`. */
export function field(
  id: number,
  name: string,
  type: IcebergType,
  required = false,
  doc?: string,
): NestedField {
  return doc === undefined ? { id, name, required, type } : { id, name, required, type, doc };
}

export function isPrimitive(type: IcebergType): type is PrimitiveType {
  return type.kind !== 'struct' && type.kind !== 'list' && type.kind !== 'map';
}

/** The spec's string form of a primitive type: `decimal(10, 2)`, `fixed[16]`, `long`. */
export function primitiveToString(type: PrimitiveType): string {
  switch (type.kind) {
    case 'decimal':
      return `decimal(${type.precision}, ${type.scale})`;
    case 'fixed':
      return `fixed[${type.length}]`;
    default:
      return type.kind;
  }
}

/** A readable form of any type, for error messages. */
export function typeToString(type: IcebergType): string {
  switch (type.kind) {
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}: ${typeToString(f.type)}`).join(', ')}>`;
    case 'list':
      return `list<${typeToString(type.element)}>`;
    case 'map':
      return `map<${typeToString(type.key)}, ${typeToString(type.value)}>`;
    default:
      return primitiveToString(type);
  }
}

export function typesEqual(a: IcebergType, b: IcebergType): boolean {
  return typeToString(a) === typeToString(b) && sameIds(a, b);
}

function sameIds(a: IcebergType, b: IcebergType): boolean {
  if (a.kind === 'struct' && b.kind === 'struct') {
    return a.fields.every((f, i) => {
      const g = b.fields[i];
      return g !== undefined && f.id === g.id && f.required === g.required && sameIds(f.type, g.type);
    });
  }
  if (a.kind === 'list' && b.kind === 'list') {
    return a.elementId === b.elementId && a.elementRequired === b.elementRequired && sameIds(a.element, b.element);
  }
  if (a.kind === 'map' && b.kind === 'map') {
    return (
      a.keyId === b.keyId &&
      a.valueId === b.valueId &&
      a.valueRequired === b.valueRequired &&
      sameIds(a.key, b.key) &&
      sameIds(a.value, b.value)
    );
  }
  return true;
}
