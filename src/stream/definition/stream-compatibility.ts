/**
 * `strata stream check`: what a changed definition means for the running stream's state and
 * offsets, decided before deploying it (Spark users find out on restart). The rules:
 *
 * | change | kind | why |
 * | --- | --- | --- |
 * | SQL of a stateless transform, trigger, batch size, alerts, state memory / TTL / retention, max lateness, description | compatible | the next batches use it; state keys do not change |
 * | source column added (optional) | compatible | old records lack it (null) |
 * | stateful transforms added, removed, reordered or changed (window spec, group_by, aggregates, dedup keys, time column), output mode, a column a stateful transform reads removed or retyped | state-incompatible | state keys or accumulators no longer mean the same; the state must be discarded |
 * | source kind, Kafka topic / brokers, watched path, sink table | restart-from-scratch | committed offsets belong to the old source, and live in the old sink's snapshots |
 */
import type { StreamDefinition, TransformDefinition } from '../model/index.ts';

export type ChangeKind = 'compatible' | 'state-incompatible' | 'restart-from-scratch';

export interface CompatibilityChange {
  readonly path: string;
  readonly kind: ChangeKind;
  readonly message: string;
}

export interface CompatibilityReport {
  readonly stateReusable: boolean;
  readonly offsetsReusable: boolean;
  readonly changes: readonly CompatibilityChange[];
}

export function checkCompatibility(running: StreamDefinition, changed: StreamDefinition): CompatibilityReport {
  const changes: CompatibilityChange[] = [];
  const note = (path: string, kind: ChangeKind, message: string): void => void changes.push({ path, kind, message });
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

  const [a, b] = [running.source, changed.source];
  if (a.kind !== b.kind) note('source.kind', 'restart-from-scratch', `the source changes from ${a.kind} to ${b.kind}: committed offsets do not apply`);
  else if (a.kind === 'kafka' && b.kind === 'kafka') {
    if (a.topic !== b.topic) note('source.topic', 'restart-from-scratch', `topic ${a.topic} → ${b.topic}: committed offsets are positions in the old topic`);
    if (!same([...a.brokers].sort(), [...b.brokers].sort())) note('source.brokers', 'compatible', 'brokers changed: fine if they are the same cluster, otherwise offsets do not apply');
    if (a.group !== b.group) note('source.group', 'compatible', 'the consumer group only receives offsets for monitoring; the stream resumes from its sink');
    if (!same(a.startingOffsets, b.startingOffsets)) note('source.starting_offsets', 'compatible', 'starting offsets apply only to a stream with no committed batch');
  } else if (a.kind === 'directory' && b.kind === 'directory') {
    if (a.path !== b.path) note('source.path', 'restart-from-scratch', `the watched directory changes: the discovery log lists files of ${a.path}`);
    if (a.pattern !== b.pattern) note('source.pattern', 'compatible', 'the new pattern applies to files discovered from now on');
  }
  if (!same(a.format, b.format)) note('source.format', 'compatible', 'new records are decoded with the new format; records that fail go to the dead-letter table');
  if (a.maxRecordsPerBatch !== b.maxRecordsPerBatch) note('source.max_records_per_batch', 'compatible', 'applies from the next planned batch');
  if (!same(a.eventTime?.column, b.eventTime?.column)) note('source.event_time.column', 'state-incompatible', 'the event-time column changes: watermark and window state were built on the old one');
  else if (a.eventTime?.maxLatenessMs !== b.eventTime?.maxLatenessMs) note('source.event_time.max_lateness', 'compatible', 'the watermark moves at the new lateness from the next batch (it never moves back)');

  const stateful = (d: StreamDefinition): TransformDefinition[] => d.transforms.filter((t) => t.kind !== 'sql');
  const usedByState = new Set(stateful(running).flatMap((t) => (t.kind === 'dedup' ? t.keys : t.kind === 'window' ? [t.timeColumn, ...t.groupBy, ...t.aggregates.flatMap((x) => (x.column ? [x.column] : []))] : [])));
  for (const column of a.columns) {
    const now = b.columns.find((c) => c.name === column.name);
    if (!now) note(`source.columns.${column.name}`, usedByState.has(column.name) ? 'state-incompatible' : 'compatible', `column ${column.name} removed${usedByState.has(column.name) ? ', and stateful transforms use it' : ''}`);
    else if (!same(now.type, column.type)) note(`source.columns.${column.name}`, usedByState.has(column.name) ? 'state-incompatible' : 'compatible', `column ${column.name} changes type`);
    else if (now.required !== column.required) {
      note(`source.columns.${column.name}`, 'compatible', `column ${column.name} becomes ${now.required ? 'required: records without it go to the dead-letter table' : 'optional: records without it are accepted'}`);
    }
  }
  for (const column of b.columns) if (!a.columns.some((c) => c.name === column.name)) note(`source.columns.${column.name}`, 'compatible', `column ${column.name} added${column.required ? ' (required: older records without it go to the dead-letter table)' : ''}`);

  // Stateful transforms keep state under `<index>:<kind>`: positions matter, not just content.
  const oldIds = running.transforms.map((t, i) => `${i}:${t.kind}`);
  const newIds = changed.transforms.map((t, i) => `${i}:${t.kind}`);
  running.transforms.forEach((t, i) => {
    const other = changed.transforms[i];
    if (t.kind === 'sql') {
      if (other?.kind === 'sql' && other.sql !== t.sql) note(`transforms[${i}].sql`, 'compatible', 'the SQL applies to new batches; rows already aggregated are not recomputed');
      return;
    }
    if (!other || other.kind !== t.kind || !same(other, t)) note(`transforms[${i}]`, 'state-incompatible', `stateful transform ${t.kind} at position ${i} ${other ? 'changes' : 'is removed'}: its state no longer fits`);
  });
  changed.transforms.forEach((t, i) => {
    if (t.kind !== 'sql' && !oldIds.includes(newIds[i] ?? '')) note(`transforms[${i}]`, 'state-incompatible', `stateful transform ${t.kind} added at position ${i}`);
    if (t.kind === 'sql' && running.transforms[i] === undefined) note(`transforms[${i}]`, 'compatible', 'a stateless SQL transform is added');
  });
  if (running.outputMode !== changed.outputMode) note('output_mode', 'state-incompatible', `${running.outputMode} → ${changed.outputMode}: what was already emitted and what state holds differ`);
  if (running.sink.table !== changed.sink.table) note('sink.table', 'restart-from-scratch', `the sink changes to ${changed.sink.table}: the committed batches are recorded in ${running.sink.table}'s snapshots`);
  else if (!same(running.sink, changed.sink)) note('sink', 'compatible', 'sink mode, keys or partitioning change for new commits');
  if (running.deadLetterTable !== changed.deadLetterTable) note('dead_letter_table', 'compatible', 'new dead letters go to the new table');
  if (!same(running.trigger, changed.trigger)) note('trigger', 'compatible', 'takes effect on restart');
  if (!same(running.state, changed.state)) note('state', 'compatible', 'memory, TTL and retention settings take effect on restart');
  if (!same(running.alerts, changed.alerts)) note('alerts', 'compatible', 'takes effect on restart');

  const offsetsReusable = !changes.some((c) => c.kind === 'restart-from-scratch');
  return { stateReusable: offsetsReusable && !changes.some((c) => c.kind === 'state-incompatible'), offsetsReusable, changes };
}
