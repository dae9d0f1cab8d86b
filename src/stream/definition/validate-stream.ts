/**
 * Structural rules of a stream definition, checked before anything runs; messages name the key.
 * Column-level checks (does `amount` exist after the SQL step?) happen when the stream starts, by
 * the operators themselves, where the columns are known.
 */
import { StrataError } from '../../core/index.ts';
import type { StreamDefinition } from '../model/index.ts';

const NAME = /^[a-z][a-z0-9_]*$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

export function validateStream(definition: StreamDefinition): void {
  const fail = (message: string, path: string): never => {
    throw new StrataError('STREAM_INVALID', `Stream ${definition.name}: ${message}`, { stream: definition.name, path });
  };
  if (!NAME.test(definition.name)) fail(`the name must match [a-z][a-z0-9_]* (it names the stream's checkpoint area and metrics)`, 'name');
  const source = definition.source;
  if (source.columns.length === 0) fail('source.columns is empty', 'source.columns');
  if (source.maxRecordsPerBatch <= 0) fail('source.max_records_per_batch must be positive', 'source.max_records_per_batch');
  switch (source.kind) {
    case 'kafka':
      if (source.brokers.length === 0) fail('a kafka source needs brokers (host:port, …)', 'source.brokers');
      if (source.topic === '') fail('a kafka source needs a topic', 'source.topic');
      if (source.group === '') fail('a kafka source needs a consumer group (offsets are committed to it after each sink commit)', 'source.group');
      break;
    case 'directory':
      if (!source.path.startsWith('/')) fail(`source.path must be an absolute directory, not ${JSON.stringify(source.path)}`, 'source.path');
      break;
    case 'http':
      if (source.format.kind !== 'json') fail('an http source takes NDJSON: format must be json', 'source.format');
      if (source.maxBacklogRecords <= 0 || source.maxRequestBytes <= 0) fail('source.max_backlog_records and max_request_bytes must be positive', 'source');
      break;
  }
  const eventTime = source.eventTime;
  if (eventTime) {
    const column = source.columns.find((c) => c.name === eventTime.column);
    if (!column) fail(`source.event_time.column ${eventTime.column} is not a source column`, 'source.event_time.column');
    else if (column.type.kind !== 'timestamp' && column.type.kind !== 'timestamptz') fail(`source.event_time.column ${eventTime.column} must be a timestamp or timestamptz column`, 'source.event_time.column');
    if (eventTime.maxLatenessMs < 0) fail('source.event_time.max_lateness must not be negative', 'source.event_time.max_lateness');
  }
  const windows = definition.transforms.filter((t) => t.kind === 'window');
  if (windows.length > 1) fail('at most one window transform', 'transforms');
  definition.transforms.forEach((t, i) => {
    const path = `transforms[${i}]`;
    const windowBefore = definition.transforms.slice(0, i).some((p) => p.kind === 'window');
    if (t.kind === 'sql' && t.sql.trim() === '') fail(`${path}.sql is empty`, path);
    if (t.kind === 'dedup') {
      if (t.keys.length === 0) fail(`${path}.dedup needs keys`, path);
      if (windowBefore) fail(`${path}: dedup after a window is not supported; deduplicate records before aggregating`, path);
      if (!eventTime && definition.state.ttlMs === undefined) fail(`${path}: dedup without source.event_time remembers keys forever; set event_time (keys expire behind the watermark) or state.ttl`, path);
    }
    if (t.kind === 'window') {
      if (!eventTime) fail(`${path}: a window needs source.event_time (the watermark decides when a window is final)`, path);
      if (t.timeColumn === '') fail(`${path}.window.time_column is required`, path);
      if (t.aggregates.length === 0) fail(`${path}.window needs aggregates`, path);
      const w = t.window;
      if ((w.type === 'tumbling' && w.sizeMs <= 0) || (w.type === 'sliding' && (w.sizeMs <= 0 || w.slideMs <= 0 || w.slideMs > w.sizeMs)) || (w.type === 'session' && w.gapMs <= 0)) {
        fail(`${path}.window: sizes, slides and gaps must be positive, and a slide no longer than the size`, path);
      }
      if (w.type === 'session' && definition.outputMode === 'update') {
        fail(`${path}: session windows need output_mode: append (a merge changes a session's start, which an upsert key cannot follow)`, path);
      }
      if (w.type !== 'tumbling' && w.type !== 'sliding' && w.type !== 'session') fail(`${path}.window type ${String((w as { type: unknown }).type)} is unknown`, path);
    }
  });
  if (definition.outputMode === 'update' && definition.sink.mode !== 'upsert') {
    fail('output_mode: update rewrites changed windows, so the sink must be mode: upsert (keyed by window and group)', 'output_mode');
  }
  if (definition.outputMode !== 'append' && definition.outputMode !== 'update') fail('output_mode must be append or update', 'output_mode');
  if (!TABLE.test(definition.sink.table)) fail(`sink.table must be db.table, not ${JSON.stringify(definition.sink.table)}`, 'sink.table');
  if (!TABLE.test(definition.deadLetterTable)) fail(`dead_letter_table must be db.table, not ${JSON.stringify(definition.deadLetterTable)}`, 'dead_letter_table');
  if (definition.deadLetterTable === definition.sink.table) fail('the dead-letter table must differ from the sink table', 'dead_letter_table');
  if (definition.sink.mode === 'upsert' && definition.sink.keys.length === 0) fail('an upsert sink needs keys', 'sink.keys');
  if (definition.sink.mode !== 'append' && definition.sink.mode !== 'upsert') fail('sink.mode must be append or upsert', 'sink.mode');
  if (definition.trigger.kind === 'interval' && definition.trigger.intervalMs <= 0) fail('trigger interval must be positive', 'trigger');
  if (definition.state.snapshotEvery < 1 || definition.state.retainSnapshots < 1) fail('state.snapshot_every and state.retain_snapshots must be at least 1', 'state');
  if (definition.alerts && !/^https?:\/\//.test(definition.alerts.webhook)) fail('alerts.webhook must be an http(s) URL', 'alerts.webhook');
}
