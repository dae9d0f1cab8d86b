/**
 * Payload → stream row, or a dead letter saying why not. JSON payloads are one object per record
 * (integers beyond 2^53 and decimals stay exact); Avro payloads are one binary datum written with
 * the source's Avro schema (the Confluent wire format's 5-byte header — magic 0 + schema id — is
 * accepted and skipped). Fields are matched to the source columns by name; fields not in the
 * columns are ignored. Every value is validated by the ingest plane's rules (convert-value.ts), so
 * a stream and a batch ingest accept exactly the same records.
 */
import type { Type as AvroType } from 'avsc';
import { parseJsonExact } from '../../core/index.ts';
import { BadRecord } from '../../ingest/bad-record.ts';
import { convertValue } from '../../ingest/convert-value.ts';
import type { NestedField } from '../../table/index.ts';
import type { DeadLetter, PayloadFormat, SourceRecord, StreamRow } from '../model/index.ts';
import { avroToJsonLike, avroType } from './avro-values.ts';
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
  const type = avroType(format.schema);
  const toJsonLike = avroToJsonLike(format.schema);
  return (record) => {
    let datum: unknown;
    try {
      datum = avroDatum(type, Buffer.from(record.payload.buffer, record.payload.byteOffset, record.payload.byteLength));
    } catch (error) {
      return { letter: letter(record, 'unparseable', `not an Avro datum of the source's schema: ${(error as Error).message}`) };
    }
    if (datum === null || typeof datum !== 'object' || Buffer.isBuffer(datum)) return { letter: letter(record, 'unparseable', 'the Avro datum is not a record') };
    return toRow(record, toJsonLike(datum) as Record<string, unknown>);
  };
}

/**
 * One datum, plain or in the Confluent wire format (magic byte 0, 4-byte schema id, datum). The
 * plain reading wins when both fit: a plain datum often starts with 0 (a null union branch, a zero
 * long), while a framed one also decoding exactly as a plain datum would need five bytes that
 * happen to form a valid prefix *and* a matching length.
 */
function avroDatum(type: AvroType, bytes: Buffer): unknown {
  try {
    return decodeExactly(type, bytes);
  } catch (plainError) {
    if (bytes.length < 5 || bytes[0] !== 0) throw plainError;
    try {
      return decodeExactly(type, bytes.subarray(5));
    } catch {
      throw plainError;
    }
  }
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
  if (offset < 0) throw new Error('truncated datum');
  if (offset !== bytes.length) throw new Error(`${bytes.length - offset} trailing byte(s) after the datum`);
  return value;
}

function letter(record: SourceRecord, reason: 'unparseable' | 'schema_violation', error: string): DeadLetter {
  return { reason, error, position: record.position, payload: record.payload };
}
