/**
 * Iceberg's JSON serialisation of types and schemas (spec Appendix C).
 */
import { StrataError } from '../../core/index.ts';
import {
  PRIMITIVE_TYPE_NAMES,
  type IcebergType,
  type NestedField,
  type PrimitiveTypeName,
  type StructType,
  primitiveToString,
} from './types.ts';

export type TypeJson = string | { [key: string]: unknown };

export function typeToJson(type: IcebergType): TypeJson {
  switch (type.kind) {
    case 'struct':
      return { type: 'struct', fields: type.fields.map(fieldToJson) };
    case 'list':
      return {
        type: 'list',
        'element-id': type.elementId,
        element: typeToJson(type.element),
        'element-required': type.elementRequired,
      };
    case 'map':
      return {
        type: 'map',
        'key-id': type.keyId,
        key: typeToJson(type.key),
        'value-id': type.valueId,
        value: typeToJson(type.value),
        'value-required': type.valueRequired,
      };
    default:
      return primitiveToString(type);
  }
}

export function fieldToJson(field: NestedField): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: field.id,
    name: field.name,
    required: field.required,
    type: typeToJson(field.type),
  };
  if (field.doc !== undefined) json['doc'] = field.doc;
  return json;
}

const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;
const FIXED = /^fixed\[\s*(\d+)\s*\]$/;

export function typeFromJson(json: unknown): IcebergType {
  if (typeof json === 'string') {
    const name = json.trim().toLowerCase();
    if ((PRIMITIVE_TYPE_NAMES as readonly string[]).includes(name)) return { kind: name as PrimitiveTypeName };
    const decimal = DECIMAL.exec(name);
    if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
    const fixed = FIXED.exec(name);
    if (fixed) return { kind: 'fixed', length: Number(fixed[1]) };
    throw invalid(`unknown Iceberg type "${json}"`);
  }
  if (json === null || typeof json !== 'object') throw invalid(`a type must be a string or an object`);
  const obj = json as Record<string, unknown>;
  switch (obj['type']) {
    case 'struct':
      return structFromJson(obj);
    case 'list':
      return {
        kind: 'list',
        elementId: int(obj['element-id'], 'element-id'),
        element: typeFromJson(obj['element']),
        elementRequired: bool(obj['element-required'], 'element-required'),
      };
    case 'map':
      return {
        kind: 'map',
        keyId: int(obj['key-id'], 'key-id'),
        key: typeFromJson(obj['key']),
        valueId: int(obj['value-id'], 'value-id'),
        value: typeFromJson(obj['value']),
        valueRequired: bool(obj['value-required'], 'value-required'),
      };
    default:
      throw invalid(`unknown nested type "${String(obj['type'])}"`);
  }
}

export function structFromJson(obj: Record<string, unknown>): StructType {
  const fields = obj['fields'];
  if (!Array.isArray(fields)) throw invalid('a struct needs a "fields" array');
  return { kind: 'struct', fields: fields.map(fieldFromJson) };
}

export function fieldFromJson(json: unknown): NestedField {
  if (json === null || typeof json !== 'object') throw invalid('a field must be an object');
  const obj = json as Record<string, unknown>;
  const name = obj['name'];
  if (typeof name !== 'string') throw invalid('a field needs a string "name"');
  const field: NestedField = {
    id: int(obj['id'], `id of field ${name}`),
    name,
    required: bool(obj['required'], `required of field ${name}`),
    type: typeFromJson(obj['type']),
  };
  return typeof obj['doc'] === 'string' ? { ...field, doc: obj['doc'] } : field;
}

function int(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw invalid(`${what} must be an integer`);
}

function bool(value: unknown, what: string): boolean {
  if (typeof value === 'boolean') return value;
  throw invalid(`${what} must be true or false`);
}

function invalid(message: string): StrataError {
  return new StrataError('INVALID_SCHEMA', `Invalid Iceberg type JSON: ${message}`);
}
