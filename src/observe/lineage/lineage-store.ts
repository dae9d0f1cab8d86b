/**
 * Lineage events as a Strata table: `system.lineage_events`, an Iceberg table in the lake's system
 * zone, partitioned by day of `event_time`. One row per OpenLineage run event; the full event is
 * kept as JSON in `event`, and the columns beside it are what people filter on in SQL:
 *
 *   SELECT event_time, event_type, job_name, inputs, outputs
 *   FROM system.lineage_events WHERE run_id = '…' ORDER BY event_time
 *
 * `inputs`/`outputs` are comma lists of `db.table@snapshotId` (just `db.table` when the snapshot is
 * unknown), so "which runs wrote sales.daily?" is a `LIKE` away without parsing JSON.
 *
 * `record()` writes a batch in ONE commit (a run's START/COMPLETE plus its steps' events, say), so
 * a busy pipeline does not turn every event into a snapshot. `exportJson()` gives NDJSON, one event
 * per line, the format OpenLineage consumers (Marquez's `/api/v1/lineage` loader, the Python
 * client's file transport) ingest.
 */
import { StrataError } from '../../core/index.ts';
import { ensureTable, type Catalog } from '../../catalog/index.ts';
import { Expressions, Types, field, type Expression, type Table } from '../../table/index.ts';
import { RUN_EVENT_TYPES, isUuid, type InputDataset, type OutputDataset, type RunEvent } from './openlineage-event.ts';

export const LINEAGE_TABLE_ID = 'system.lineage_events';

const FIELDS = [
  field(1, 'event_time', Types.timestamptz, true),
  field(2, 'event_type', Types.string, true),
  field(3, 'run_id', Types.string, true),
  field(4, 'parent_run_id', Types.string),
  field(5, 'job_namespace', Types.string, true),
  field(6, 'job_name', Types.string, true),
  field(7, 'inputs', Types.string, true),
  field(8, 'outputs', Types.string, true),
  field(9, 'event', Types.string, true),
];

export interface LineageFilter {
  readonly runId?: string;
  readonly jobName?: string;
  /** Events at or after this time. */
  readonly since?: Date;
  /** Keep only the most recent `limit` events (still returned oldest first). */
  readonly limit?: number;
}

export class LineageStore {
  readonly #table: Table;

  private constructor(table: Table) {
    this.#table = table;
  }

  /** Opens the store, creating `system.lineage_events` (and the `system` database) if missing. */
  static async open(catalog: Catalog): Promise<LineageStore> {
    const table = await ensureTable(catalog, LINEAGE_TABLE_ID, FIELDS, { zone: 'system', partitionBy: [{ source: 'event_time', transform: 'day' }] });
    return new LineageStore(table);
  }

  /** Appends the events in one commit; nothing to record, no commit. */
  async record(events: readonly RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map(toRow);
    await this.#table.append({ rows }, { summary: { 'strata.lineage-events': String(rows.length) } });
  }

  /**
   * Events matching every given filter, oldest first (ties: START before RUNNING before the end
   * event). Filters on the row columns, so day partitions before `since` are never opened.
   */
  async list(filter: LineageFilter = {}): Promise<RunEvent[]> {
    if (filter.limit !== undefined && (!Number.isInteger(filter.limit) || filter.limit < 1)) {
      throw new StrataError('INVALID_ARGUMENT', `limit must be a positive integer, got ${filter.limit}`, { limit: filter.limit });
    }
    await this.#table.refresh();
    if (this.#table.currentSnapshot() === undefined) return [];
    const predicates: Expression[] = [];
    if (filter.runId !== undefined) predicates.push(Expressions.equal('run_id', filter.runId.toLowerCase()));
    if (filter.jobName !== undefined) predicates.push(Expressions.equal('job_name', filter.jobName));
    if (filter.since !== undefined) predicates.push(Expressions.greaterThanOrEqual('event_time', filter.since));
    const rows = await this.#table.read(predicates.length === 0 ? {} : { filter: Expressions.and(...predicates) });
    const events = rows.map((row) => parseEvent(row['event']));
    events.sort(chronological);
    return filter.limit === undefined ? events : events.slice(Math.max(0, events.length - filter.limit));
  }

  /** NDJSON: one event per line, newline-terminated; empty string when nothing matches. */
  async exportJson(filter: LineageFilter = {}): Promise<string> {
    const events = await this.list(filter);
    return events.map((e) => `${JSON.stringify(e)}\n`).join('');
  }
}

function toRow(event: RunEvent): Record<string, unknown> {
  if (!isUuid(event.run.runId)) throw new StrataError('INVALID_ARGUMENT', `run.runId must be a UUID, got ${JSON.stringify(event.run.runId)}`, { runId: event.run.runId });
  const time = Date.parse(event.eventTime);
  if (Number.isNaN(time)) throw new StrataError('INVALID_ARGUMENT', `eventTime must be an ISO-8601 time, got ${JSON.stringify(event.eventTime)}`, { eventTime: event.eventTime });
  const parent = event.run.facets['parent']?.['run'] as { runId?: unknown } | undefined;
  return {
    event_time: new Date(time), // the row writer takes a Date (or ISO text) for timestamptz
    event_type: event.eventType,
    run_id: event.run.runId.toLowerCase(),
    parent_run_id: typeof parent?.runId === 'string' ? parent.runId : null,
    job_namespace: event.job.namespace,
    job_name: event.job.name,
    inputs: datasetList(event.inputs),
    outputs: datasetList(event.outputs),
    event: JSON.stringify(event),
  };
}

/** `db.table@snapshotId` per dataset, comma-separated. */
export function datasetList(datasets: readonly (InputDataset | OutputDataset)[]): string {
  return datasets
    .map((d) => {
      const version = d.facets['version']?.['datasetVersion'];
      return typeof version === 'string' ? `${d.name}@${version}` : d.name;
    })
    .join(',');
}

function parseEvent(text: unknown): RunEvent {
  if (typeof text !== 'string') throw new StrataError('CORRUPT_FILE', `${LINEAGE_TABLE_ID} holds a row without its event JSON; the row was not written by LineageStore`, { table: LINEAGE_TABLE_ID });
  return JSON.parse(text) as RunEvent;
}

const RANK: Readonly<Record<string, number>> = { START: 0, RUNNING: 1, OTHER: 2, COMPLETE: 3, ABORT: 3, FAIL: 3 };

function chronological(a: RunEvent, b: RunEvent): number {
  const byTime = Date.parse(a.eventTime) - Date.parse(b.eventTime);
  if (byTime !== 0) return byTime;
  const byType = (RANK[a.eventType] ?? RUN_EVENT_TYPES.length) - (RANK[b.eventType] ?? RUN_EVENT_TYPES.length);
  return byType !== 0 ? byType : a.run.runId.localeCompare(b.run.runId);
}
