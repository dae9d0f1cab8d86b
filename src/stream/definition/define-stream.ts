/**
 * `defineStream`: the TypeScript way to write a stream, and the one normaliser behind YAML too
 * (stream-yaml.ts turns snake_case keys into these). Friendly input in, a validated, plain-data
 * `StreamDefinition` out: durations as `'30s'` or ms, columns as `{ name: 'long not null' }`,
 * windows as `{ tumbling: '1m' }`, aggregates as `{ clicks: 'count(*)', revenue: 'sum(amount)' }`.
 *
 * @example
 *   export default defineStream({
 *     name: 'clicks_per_minute',
 *     source: { kind: 'kafka', brokers: ['127.0.0.1:9092'], topic: 'clicks', group: 'strata-clicks',
 *               columns: { page: 'string not null', ts: 'timestamptz not null' },
 *               eventTime: { column: 'ts', maxLateness: '30s' } },
 *     transforms: [{ window: { tumbling: '1m', groupBy: ['page'], aggregates: { clicks: 'count(*)' } } }],
 *     sink: { table: 'processed.clicks_per_minute' },
 *   });
 */
import { StrataError, parseDuration } from '../../core/index.ts';
import { parseTypeText } from '../../ingest/schema-file.ts';
import { field, type NestedField } from '../../table/index.ts';
import {
  DEFAULT_MAX_RECORDS_PER_BATCH,
  DEFAULT_STATE,
  DEFAULT_TRIGGER_INTERVAL_MS,
  WINDOW_END,
  WINDOW_START,
  type AggregateDefinition,
  type AggregateFunction,
  type PayloadFormat,
  type SourceDefinition,
  type StreamDefinition,
  type TransformDefinition,
  type TriggerDefinition,
  type WindowSpec,
} from '../model/index.ts';
import { validateStream } from './validate-stream.ts';

export type Duration = string | number;

export interface StreamInput {
  readonly name: string;
  readonly description?: string;
  readonly source: SourceInput;
  readonly transforms?: readonly TransformInput[];
  readonly sink: { readonly table: string; readonly mode?: 'append' | 'upsert'; readonly keys?: readonly string[]; readonly partitionBy?: readonly string[] };
  readonly outputMode?: 'append' | 'update';
  readonly deadLetterTable?: string;
  /** A duration (`'5s'`), `'available-now'`, or `{ interval: '5s' }`. Default 1 s. */
  readonly trigger?: Duration | 'available-now' | { readonly interval: Duration };
  readonly state?: { readonly memory?: string | number; readonly ttl?: Duration; readonly snapshotEvery?: number; readonly retainSnapshots?: number };
  readonly alerts?: { readonly webhook: string; readonly maxBacklogRecords?: number; readonly maxWatermarkDelay?: Duration };
}

export interface SourceInput {
  readonly kind: 'kafka' | 'directory' | 'http';
  /** `{ name: 'long not null' }`, `[{ name, type, required }]`, or Iceberg fields. */
  readonly columns: Readonly<Record<string, string>> | readonly { readonly name: string; readonly type: string; readonly required?: boolean }[] | readonly NestedField[];
  readonly format?: 'json' | 'avro';
  /** The Avro writer schema (for `format: 'avro'`). */
  readonly avroSchema?: Readonly<Record<string, unknown>>;
  readonly eventTime?: { readonly column: string; readonly maxLateness?: Duration };
  readonly maxRecordsPerBatch?: number;
  // kafka
  readonly brokers?: string | readonly string[];
  readonly topic?: string;
  readonly group?: string;
  readonly startingOffsets?: 'earliest' | 'latest' | { readonly specific: Readonly<Record<string, number>> } | Readonly<Record<string, number>>;
  readonly clientId?: string;
  // directory
  readonly path?: string;
  readonly pattern?: string;
  // http
  readonly maxBacklogRecords?: number;
  readonly maxRequestBytes?: string | number;
}

export type TransformInput =
  | { readonly sql: string }
  | { readonly dedup: { readonly keys: readonly string[] } }
  | {
      readonly window: {
        readonly tumbling?: Duration;
        readonly sliding?: { readonly size: Duration; readonly slide: Duration };
        readonly session?: { readonly gap: Duration };
        readonly timeColumn?: string;
        readonly groupBy?: readonly string[];
        readonly aggregates: Readonly<Record<string, string>>;
      };
    };

export function defineStream(input: StreamInput): StreamDefinition {
  const definition = normalise(input);
  validateStream(definition);
  return definition;
}

function normalise(input: StreamInput): StreamDefinition {
  const need = <T>(value: T | undefined, path: string): T => {
    if (value === undefined || value === null || value === '') throw invalid(`${path} is required`, path);
    return value;
  };
  const name = need(input.name, 'name');
  const source = sourceOf(need(input.source, 'source'));
  const transforms = (input.transforms ?? []).map((t, i) => transformOf(t, i, source));
  const window = transforms.find((t) => t.kind === 'window');
  const sinkInput = need(input.sink, 'sink');
  const table = need(sinkInput.table, 'sink.table');
  const keys = sinkInput.keys ?? (window?.kind === 'window' ? [WINDOW_START, WINDOW_END, ...window.groupBy] : []);
  return {
    name,
    ...(input.description === undefined ? {} : { description: input.description }),
    source,
    transforms,
    sink: { table, mode: sinkInput.mode ?? 'append', keys: [...keys], partitionBy: [...(sinkInput.partitionBy ?? [])] },
    outputMode: input.outputMode ?? 'append',
    deadLetterTable: input.deadLetterTable ?? `${table.slice(0, Math.max(0, table.lastIndexOf('.')))}.${name}_dead_letter`,
    trigger: triggerOf(input.trigger),
    state: {
      memoryBytes: input.state?.memory === undefined ? DEFAULT_STATE.memoryBytes : bytesOf(input.state.memory, 'state.memory'),
      ...(input.state?.ttl === undefined ? {} : { ttlMs: durationOf(input.state.ttl, 'state.ttl') }),
      snapshotEvery: input.state?.snapshotEvery ?? DEFAULT_STATE.snapshotEvery,
      retainSnapshots: input.state?.retainSnapshots ?? DEFAULT_STATE.retainSnapshots,
    },
    ...(input.alerts === undefined
      ? {}
      : {
          alerts: {
            webhook: need(input.alerts.webhook, 'alerts.webhook'),
            ...(input.alerts.maxBacklogRecords === undefined ? {} : { maxBacklogRecords: input.alerts.maxBacklogRecords }),
            ...(input.alerts.maxWatermarkDelay === undefined ? {} : { maxWatermarkDelayMs: durationOf(input.alerts.maxWatermarkDelay, 'alerts.max_watermark_delay') }),
          },
        }),
  };
}

function sourceOf(input: SourceInput): SourceDefinition {
  const columns = columnsOf(input.columns);
  const format: PayloadFormat =
    (input.format ?? 'json') === 'json'
      ? { kind: 'json' }
      : { kind: 'avro', schema: input.avroSchema ?? throwInvalid('source.avro_schema is required for format: avro', 'source.avro_schema') };
  if (input.format !== undefined && input.format !== 'json' && input.format !== 'avro') throw invalid(`source.format must be json or avro, not ${String(input.format)}`, 'source.format');
  const common = {
    columns,
    format,
    ...(input.eventTime === undefined
      ? {}
      : { eventTime: { column: input.eventTime.column, maxLatenessMs: input.eventTime.maxLateness === undefined ? 0 : durationOf(input.eventTime.maxLateness, 'source.event_time.max_lateness') } }),
    maxRecordsPerBatch: input.maxRecordsPerBatch ?? DEFAULT_MAX_RECORDS_PER_BATCH,
  };
  switch (input.kind) {
    case 'kafka': {
      const offsets = input.startingOffsets ?? 'earliest';
      return {
        kind: 'kafka',
        ...common,
        brokers: typeof input.brokers === 'string' ? input.brokers.split(',').map((b) => b.trim()) : [...(input.brokers ?? [])],
        topic: input.topic ?? '',
        group: input.group ?? '',
        startingOffsets: typeof offsets === 'string' ? offsets : 'specific' in offsets ? { specific: { ...(offsets.specific as Record<string, number>) } } : { specific: { ...(offsets as Record<string, number>) } },
        ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
      };
    }
    case 'directory':
      return { kind: 'directory', ...common, path: input.path ?? '', pattern: input.pattern ?? '*' };
    case 'http':
      return {
        kind: 'http',
        ...common,
        maxBacklogRecords: input.maxBacklogRecords ?? 1_000_000,
        maxRequestBytes: input.maxRequestBytes === undefined ? 16 * 1024 * 1024 : bytesOf(input.maxRequestBytes, 'source.max_request_bytes'),
      };
    default:
      throw invalid(`source.kind must be kafka, directory or http, not ${String((input as { kind?: unknown }).kind)}`, 'source.kind');
  }
}

function columnsOf(input: SourceInput['columns'] | undefined): NestedField[] {
  if (input === undefined) throw invalid('source.columns is required: the record schema, e.g. { id: long not null, ts: timestamptz }', 'source.columns');
  const ids = { next: 1 };
  const list = Array.isArray(input) ? input : Object.entries(input as Record<string, string>).map(([name, type]) => ({ name, type, required: false }));
  if (list.length > 0 && typeof (list[0] as { id?: unknown }).id === 'number' && typeof (list[0] as { type?: unknown }).type === 'object') return [...(list as NestedField[])];
  const specs = list as { name: string; type: string; required?: boolean }[];
  const topIds = specs.map(() => ids.next++);
  return specs.map((c, i) => {
    try {
      const { type, required } = parseTypeText(String(c.type), ids, 'source.columns', c.name);
      return field(topIds[i] ?? 0, c.name, type, c.required === true || required);
    } catch (error) {
      throw invalid(`source.columns.${c.name}: ${(error as Error).message}`, `source.columns.${c.name}`);
    }
  });
}

const AGGREGATE = /^\s*(count|sum|min|max|avg)\s*\(\s*(\*|[A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/i;

function transformOf(input: TransformInput, index: number, source: SourceDefinition): TransformDefinition {
  const path = `transforms[${index}]`;
  if ('sql' in input) return { kind: 'sql', sql: input.sql };
  if ('dedup' in input) return { kind: 'dedup', keys: [...(input.dedup.keys ?? [])] };
  if ('window' in input) {
    const w = input.window;
    const kinds = [w.tumbling !== undefined, w.sliding !== undefined, w.session !== undefined].filter(Boolean).length;
    if (kinds !== 1) throw invalid(`${path}.window needs exactly one of tumbling, sliding, session`, `${path}.window`);
    const window: WindowSpec =
      w.tumbling !== undefined
        ? { type: 'tumbling', sizeMs: durationOf(w.tumbling, `${path}.window.tumbling`) }
        : w.sliding !== undefined
          ? { type: 'sliding', sizeMs: durationOf(w.sliding.size, `${path}.window.sliding.size`), slideMs: durationOf(w.sliding.slide, `${path}.window.sliding.slide`) }
          : { type: 'session', gapMs: durationOf((w.session as { gap: Duration }).gap, `${path}.window.session.gap`) };
    const aggregates: AggregateDefinition[] = Object.entries(w.aggregates ?? {}).map(([name, text]) => {
      const m = AGGREGATE.exec(String(text));
      if (!m) throw invalid(`${path}.window.aggregates.${name}: ${JSON.stringify(text)} is not count(*), count(col), sum(col), min(col), max(col) or avg(col)`, `${path}.window.aggregates.${name}`);
      const fn = (m[1] ?? '').toLowerCase() as AggregateFunction;
      if (m[2] === '*' && fn !== 'count') throw invalid(`${path}.window.aggregates.${name}: only count takes *`, `${path}.window.aggregates.${name}`);
      return { name, fn, ...(m[2] === '*' ? {} : { column: m[2] ?? '' }) };
    });
    return { kind: 'window', window, timeColumn: w.timeColumn ?? source.eventTime?.column ?? '', groupBy: [...(w.groupBy ?? [])], aggregates };
  }
  throw invalid(`${path} must be one of { sql }, { dedup }, { window }`, path);
}

function triggerOf(input: StreamInput['trigger']): TriggerDefinition {
  if (input === undefined) return { kind: 'interval', intervalMs: DEFAULT_TRIGGER_INTERVAL_MS };
  if (input === 'available-now') return { kind: 'available-now' };
  const value = typeof input === 'object' ? input.interval : input;
  return { kind: 'interval', intervalMs: durationOf(value, 'trigger') };
}

function durationOf(value: Duration, path: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw invalid(`${path}: ${JSON.stringify(value)} is not a duration (e.g. 500ms, 30s, 5m, 1h)`, path);
  return ms;
}

const BYTES = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i;
const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };

function bytesOf(value: string | number, path: string): number {
  if (typeof value === 'number') return value;
  const m = BYTES.exec(value.trim());
  if (!m) throw invalid(`${path}: ${JSON.stringify(value)} is not a size (e.g. 256MiB, 1GB, 1048576)`, path);
  return Math.round(Number(m[1]) * (BYTE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1));
}

export function invalid(message: string, path: string): StrataError {
  return new StrataError('STREAM_INVALID', message, { path });
}

function throwInvalid(message: string, path: string): never {
  throw invalid(message, path);
}
