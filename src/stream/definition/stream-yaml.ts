/**
 * Streams in YAML (`*.stream.yaml`): the TypeScript input's shape with snake_case keys, plus
 * `sql_file` (relative to the YAML file) and `avro_schema_file`. The stream's name is `stream:`.
 * Keys under `columns`, `aggregates` and `specific` are data (column, output and partition names)
 * and kept as written.
 *
 *   stream: clicks_per_minute
 *   source: { kind: kafka, brokers: [127.0.0.1:9092], topic: clicks, group: strata-clicks,
 *             columns: { page: string not null, ts: timestamptz not null },
 *             event_time: { column: ts, max_lateness: 30s } }
 *   transforms:
 *     - window: { tumbling: 1m, group_by: [page], aggregates: { clicks: count(*) } }
 *   sink: { table: processed.clicks_per_minute }
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { StrataError } from '../../core/index.ts';
import type { StreamDefinition } from '../model/index.ts';
import { defineStream, type StreamInput } from './define-stream.ts';

/** Keys whose children are names the user chose, not option keys. */
const DATA_KEYS = new Set(['columns', 'aggregates', 'specific', 'avroSchema', 'avro_schema']);

export function parseStreamYaml(text: string, source?: string): StreamDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const where = source ?? '<yaml>';
  const error = doc.errors[0];
  if (error) {
    const pos = lines.linePos(error.pos[0]);
    throw new StrataError('STREAM_INVALID', `${where}:${pos.line}:${pos.col}: ${error.message.split('\n')[0] ?? error.message}`, { path: where, line: pos.line, column: pos.col });
  }
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new StrataError('STREAM_INVALID', `${where}: a stream file is a YAML mapping (stream:, source:, transforms:, sink:)`, { path: where });
  const input = camel(raw) as Record<string, unknown>;
  const base = source ? dirname(resolve(source)) : process.cwd();
  if (input['stream'] !== undefined) {
    input['name'] = input['stream'];
    delete input['stream'];
  }
  const sourceInput = input['source'] as Record<string, unknown> | undefined;
  if (sourceInput?.['avroSchemaFile'] !== undefined) {
    sourceInput['avroSchema'] = JSON.parse(readRelative(base, String(sourceInput['avroSchemaFile']), where)) as unknown;
    delete sourceInput['avroSchemaFile'];
  }
  if (sourceInput && typeof sourceInput['format'] === 'object' && sourceInput['format'] !== null) {
    const format = sourceInput['format'] as { kind?: string };
    sourceInput['format'] = format.kind;
  }
  const transforms = input['transforms'];
  if (Array.isArray(transforms)) {
    for (const t of transforms as Record<string, unknown>[]) {
      if (t['sqlFile'] !== undefined) {
        t['sql'] = readRelative(base, String(t['sqlFile']), where);
        delete t['sqlFile'];
      }
    }
  }
  try {
    return defineStream(input as unknown as StreamInput);
  } catch (cause) {
    if (StrataError.is(cause, 'STREAM_INVALID')) {
      const path = String(cause.details['path'] ?? '');
      throw new StrataError('STREAM_INVALID', `${where}: ${cause.message}`, { ...cause.details, file: where, path }, { cause });
    }
    throw cause;
  }
}

function camel(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => camel(v, parentKey));
  if (value === null || typeof value !== 'object') return value;
  if (DATA_KEYS.has(parentKey)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    out[name] = camel(v, name);
  }
  return out;
}

function readRelative(base: string, file: string, where: string): string {
  try {
    return readFileSync(resolve(base, file), 'utf8');
  } catch (error) {
    throw new StrataError('STREAM_INVALID', `${where}: cannot read ${file}: ${(error as Error).message}`, { path: where });
  }
}
