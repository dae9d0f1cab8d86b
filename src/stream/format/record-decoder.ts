/**
 * Payload → stream row, or a dead letter saying why not. JSON payloads are one object per record
 * (integers beyond 2^53 and decimals stay exact); Avro payloads are one binary datum written with
 * the source's Avro schema (the Confluent wire format's 5-byte header — magic 0 + schema id — is
 * accepted and skipped). Fields are matched to the source columns by name; fields not in the
 * columns are ignored. Every value is validated by the ingest plane's rules (convert-value.ts), so
 * a stream and a batch ingest accept exactly the same records.
 */
import type { Type as AvroType } from 'avsc';
import avro from 'avsc';
import { parseJsonExact } from '../../core/index.ts';
import { BadRecord } from '../../ingest/bad-record.ts';
import { convertValue } from '../../ingest/convert-value.ts';
import type { NestedField } from '../../table/index.ts';
import type { DeadLetter, PayloadFormat, SourceRecord, StreamRow } from '../model/index.ts';
import { avroToJsonLike } from './avro-values.ts';
import { stagedToValue } from './staged-to-value.ts';

export type DecodeResult = { readonly row: StreamRow } | { readonly letter: DeadLetter };
export type RecordDecoder = (record: SourceRecord) => DecodeResult;

const LONG_DIGITS = /\d{16,}/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function recordDecoder(format: PayloadFormat, columns: readonly NestedField[]): RecordDecoder {
  const toRow = rowBuilder(columns);
  if (format.kind === 'json') {
    // Exact parsing costs; it is only needed for decimals and integers past 2^53.
    const exactAlways = columns.some((c) => c.type.kind === 'decimal');
    return (record) => {
      let parsed: unknown;
      try {
        const text = utf8.decode(record.payload);
        parsed = exactAlways || LONG_DIGITS.test(text) ? parseJsonExact(text) : JSON.parse(text);
      } catch (error) {
        return { letter: letter(record, 'unparseable', `not JSON: ${(error as Error).message}`) };
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return { letter: letter(record, 'unparseable', `expected a JSON object, got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`) };
      }
      return toRow(record, parsed as Record<string, unknown>);
    };
  }
  const type: AvroType = avro.Type.forSchema(format.schema as avro.Schema, { wrapUnions: false });
  return (record) => {
    let datum: unknown;
    try {
      const bytes = Buffer.from(record.payload);
      const body = bytes.length >= 5 && bytes[0] === 0 && !type.isValid(safeDecode(type, bytes)) ? bytes.subarray(5) : bytes;
      datum = decodeExactly(type, body);
    } catch (error) {
      return { letter: letter(record, 'unparseable', `not an Avro datum of the source's schema: ${(error as Error).message}`) };
    }
    if (datum === null || typeof datum !== 'object') return { letter: letter(record, 'unparseable', 'the Avro datum is not a record') };
    return toRow(record, avroToJsonLike(format.schema, datum) as Record<string, unknown>);
  };
}

function rowBuilder(columns: readonly NestedField[]): (record: SourceRecord, object: Record<string, unknown>) => DecodeResult {
  return (record, object) => {
    const row: StreamRow = {};
    try {
      for (const column of columns) {
        const value = object[column.name];
        if (value === null || value === undefined) {
          if (column.required) throw new BadRecord('MISSING_REQUIRED', `required column ${column.name} is missing or null`);
          row[column.name] = null;
          continue;
        }
        row[column.name] = stagedToValue(column.type, convertValue(column.type, value, column.name));
      }
    } catch (error) {
      if (error instanceof BadRecord) return { letter: letter(record, 'schema_violation', error.message) };
      throw error;
    }
    return { row };
  };
}

/** Decodes `bytes` as one datum and insists every byte was used (trailing garbage is malformed). */
function decodeExactly(type: AvroType, bytes: Buffer): unknown {
  const { value, offset } = type.decode(bytes, 0);
  if (offset !== bytes.length) throw new Error(offset < 0 ? 'truncated datum' : `${bytes.length - offset} trailing byte(s)`);
  return value;
}

function safeDecode(type: AvroType, bytes: Buffer): unknown {
  try {
    return decodeExactly(type, bytes);
  } catch {
    return undefined;
  }
}

function letter(record: SourceRecord, reason: 'unparseable' | 'schema_violation', error: string): DeadLetter {
  return { reason, error, position: record.position, payload: record.payload };
}
