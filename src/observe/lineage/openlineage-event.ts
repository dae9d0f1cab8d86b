/**
 * OpenLineage run events (spec 2-0-2, `RunEvent`): what a pipeline run, a step or a query read and
 * wrote, at which Iceberg snapshots, so lineage tools (Marquez, DataHub, OpenMetadata, …) can draw
 * the graph and answer "which run produced this snapshot?".
 *
 * One run emits one START and exactly one of COMPLETE / FAIL / ABORT (RUNNING and OTHER are
 * optional extras); every event of the run carries the same `runId`, a UUID. A step's run names
 * its pipeline run in the `parent` run facet.
 *
 * Gotchas:
 * - Iceberg snapshot ids are 63-bit longs; JSON numbers lose them above 2^53. They are written as
 *   STRINGS everywhere here (`version.datasetVersion`, `strata_iceberg.snapshotId`), so the event
 *   is plain JSON and `JSON.stringify` is safe on it.
 * - `runId` must be a UUID (the spec's format); derive one for a step attempt with
 *   `lineageRunId(...)` rather than inventing a non-UUID id.
 *
 *   const event = runEvent({
 *     eventType: 'COMPLETE', eventTime: new Date(), runId,
 *     job: { namespace: 'strata://pipelines', name: 'daily_sales.aggregate', sql },
 *     inputs: [{ namespace, name: 'sales.orders', snapshotId: 7138412931840938134n }],
 *     outputs: [{ namespace, name: 'sales.daily', snapshotId, rowCount: 365 }],
 *   });
 */
import { StrataError } from '../../core/index.ts';
import {
  OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
  STRATA_ERROR_FACET_SCHEMA_URL,
  STRATA_ICEBERG_FACET_SCHEMA_URL,
  STRATA_PRODUCER,
  customFacet,
  standardFacet,
  type Facet,
} from './openlineage-facets.ts';

export const RUN_EVENT_TYPES = ['START', 'RUNNING', 'COMPLETE', 'ABORT', 'FAIL', 'OTHER'] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export type Facets = Readonly<Record<string, Facet>>;

export interface LineageRun {
  readonly runId: string;
  readonly facets: Facets;
}

export interface LineageJob {
  readonly namespace: string;
  readonly name: string;
  readonly facets: Facets;
}

export interface InputDataset {
  readonly namespace: string;
  readonly name: string;
  readonly facets: Facets;
  readonly inputFacets: Facets;
}

export interface OutputDataset {
  readonly namespace: string;
  readonly name: string;
  readonly facets: Facets;
  readonly outputFacets: Facets;
}

/** The wire shape (spec field names); plain JSON, no bigint. */
export interface RunEvent {
  readonly eventType: RunEventType;
  /** ISO-8601 with a zone (`Date.toISOString()`). */
  readonly eventTime: string;
  readonly run: LineageRun;
  readonly job: LineageJob;
  readonly inputs: readonly InputDataset[];
  readonly outputs: readonly OutputDataset[];
  readonly producer: string;
  readonly schemaURL: string;
}

/** A table a run read or wrote, in Strata's terms; `runEvent` turns it into facets. */
export interface LineageDataset {
  /** Where the table lives, e.g. `strata://<home or lake uri>`; also the `dataSource` facet. */
  readonly namespace: string;
  /** `db.table`. */
  readonly name: string;
  /** The Iceberg snapshot read or committed (int64: kept as a decimal string on the wire). */
  readonly snapshotId?: bigint | string;
  readonly schema?: readonly { readonly name: string; readonly type: string }[];
  /** Rows read (inputs) or written (outputs). */
  readonly rowCount?: number;
  /** Bytes read (inputs) or written (outputs). */
  readonly bytes?: number;
  /** The branch written or read (write-audit-publish), absent for `main`. */
  readonly branch?: string;
}

export interface JobTypeInput {
  readonly processingType: 'BATCH';
  readonly integration: 'STRATA';
  readonly jobType: 'PIPELINE' | 'STEP' | 'QUERY';
}

export interface SourceCodeLocationInput {
  /** `git`, `svn`, … */
  readonly type: string;
  readonly url: string;
  readonly repoUrl?: string;
  readonly path?: string;
  readonly version?: string;
  readonly tag?: string;
  readonly branch?: string;
}

export interface RunEventInput {
  readonly eventType: RunEventType;
  readonly eventTime: Date;
  /** A UUID, the same for every event of one run. */
  readonly runId: string;
  readonly job: {
    readonly namespace: string;
    readonly name: string;
    readonly sql?: string;
    readonly jobType?: JobTypeInput;
    readonly sourceCodeLocation?: SourceCodeLocationInput;
  };
  /** The run that spawned this one (a step's pipeline run). */
  readonly parent?: { readonly runId: string; readonly namespace: string; readonly name: string };
  /** The scheduled window (start included, end excluded), e.g. a backfill partition. */
  readonly nominalTime?: { readonly start: Date; readonly end?: Date };
  readonly inputs?: readonly LineageDataset[];
  readonly outputs?: readonly LineageDataset[];
  /** Becomes the `errorMessage` run facet (and `strata_error` when a code is given); meant for FAIL/ABORT. */
  readonly error?: { readonly message: string; readonly code?: string; readonly stackTrace?: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** Builds a spec-shaped run event; throws INVALID_ARGUMENT for a non-UUID run id or a bad time. */
export function runEvent(input: RunEventInput): RunEvent {
  if (!(RUN_EVENT_TYPES as readonly string[]).includes(input.eventType)) {
    throw new StrataError('INVALID_ARGUMENT', `Unknown OpenLineage eventType ${JSON.stringify(input.eventType)}; use one of ${RUN_EVENT_TYPES.join(', ')}`, { eventType: input.eventType });
  }
  requireUuid(input.runId, 'runId');
  if (input.parent !== undefined) requireUuid(input.parent.runId, 'parent.runId');
  return {
    eventType: input.eventType,
    eventTime: isoTime(input.eventTime, 'eventTime'),
    run: { runId: input.runId.toLowerCase(), facets: runFacets(input) },
    job: { namespace: input.job.namespace, name: input.job.name, facets: jobFacets(input.job) },
    inputs: (input.inputs ?? []).map((d) => ({ namespace: d.namespace, name: d.name, facets: datasetFacets(d), inputFacets: inputFacets(d) })),
    outputs: (input.outputs ?? []).map((d) => ({ namespace: d.namespace, name: d.name, facets: datasetFacets(d), outputFacets: outputFacets(d) })),
    producer: STRATA_PRODUCER,
    schemaURL: OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
  };
}

function runFacets(input: RunEventInput): Facets {
  const facets: Record<string, Facet> = {};
  if (input.parent !== undefined) {
    facets['parent'] = standardFacet('ParentRunFacet', {
      run: { runId: input.parent.runId.toLowerCase() },
      job: { namespace: input.parent.namespace, name: input.parent.name },
    });
  }
  if (input.nominalTime !== undefined) {
    facets['nominalTime'] = standardFacet('NominalTimeRunFacet', {
      nominalStartTime: isoTime(input.nominalTime.start, 'nominalTime.start'),
      ...(input.nominalTime.end === undefined ? {} : { nominalEndTime: isoTime(input.nominalTime.end, 'nominalTime.end') }),
    });
  }
  if (input.error !== undefined) {
    facets['errorMessage'] = standardFacet('ErrorMessageRunFacet', {
      message: input.error.message,
      programmingLanguage: 'TypeScript',
      ...(input.error.stackTrace === undefined ? {} : { stackTrace: input.error.stackTrace }),
    });
    if (input.error.code !== undefined) facets['strata_error'] = customFacet(STRATA_ERROR_FACET_SCHEMA_URL, { code: input.error.code });
  }
  return facets;
}

function jobFacets(job: RunEventInput['job']): Facets {
  const facets: Record<string, Facet> = {};
  if (job.sql !== undefined) facets['sql'] = standardFacet('SQLJobFacet', { query: job.sql });
  if (job.jobType !== undefined) {
    facets['jobType'] = standardFacet('JobTypeJobFacet', { processingType: job.jobType.processingType, integration: job.jobType.integration, jobType: job.jobType.jobType });
  }
  if (job.sourceCodeLocation !== undefined) facets['sourceCodeLocation'] = standardFacet('SourceCodeLocationJobFacet', { ...job.sourceCodeLocation });
  return facets;
}

function datasetFacets(d: LineageDataset): Facets {
  const facets: Record<string, Facet> = {
    dataSource: standardFacet('DatasourceDatasetFacet', { name: d.namespace, uri: d.namespace }),
  };
  if (d.schema !== undefined) facets['schema'] = standardFacet('SchemaDatasetFacet', { fields: d.schema.map((f) => ({ name: f.name, type: f.type })) });
  if (d.snapshotId !== undefined) {
    const snapshotId = snapshotIdText(d.snapshotId);
    facets['version'] = standardFacet('DatasetVersionDatasetFacet', { datasetVersion: snapshotId });
    facets['strata_iceberg'] = customFacet(STRATA_ICEBERG_FACET_SCHEMA_URL, { snapshotId, ...(d.branch === undefined ? {} : { branch: d.branch }) });
  } else if (d.branch !== undefined) {
    facets['strata_iceberg'] = customFacet(STRATA_ICEBERG_FACET_SCHEMA_URL, { branch: d.branch });
  }
  return facets;
}

function inputFacets(d: LineageDataset): Facets {
  if (d.rowCount === undefined && d.bytes === undefined) return {};
  return { inputStatistics: standardFacet('InputStatisticsInputDatasetFacet', statistics(d)) };
}

function outputFacets(d: LineageDataset): Facets {
  // rowCount is required by OutputStatisticsOutputDatasetFacet: no count, no facet.
  if (d.rowCount === undefined) return {};
  return { outputStatistics: standardFacet('OutputStatisticsOutputDatasetFacet', statistics(d)) };
}

function statistics(d: LineageDataset): Record<string, number> {
  return {
    ...(d.rowCount === undefined ? {} : { rowCount: wholeNumber(d.rowCount, 'rowCount') }),
    ...(d.bytes === undefined ? {} : { size: wholeNumber(d.bytes, 'bytes') }),
  };
}

/** Snapshot ids as exact decimal text (a number above 2^53 has already lost digits: refused). */
function snapshotIdText(id: bigint | string): string {
  if (typeof id === 'bigint') return id.toString();
  if (!/^-?\d+$/.test(id)) throw new StrataError('INVALID_ARGUMENT', `snapshotId must be an integer, got ${JSON.stringify(id)}`, { snapshotId: id });
  return BigInt(id).toString();
}

function wholeNumber(n: number, what: string): number {
  if (!Number.isFinite(n) || n < 0) throw new StrataError('INVALID_ARGUMENT', `${what} must be a non-negative number, got ${n}`, { [what]: n });
  return Math.round(n);
}

function isoTime(time: Date, what: string): string {
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) throw new StrataError('INVALID_ARGUMENT', `${what} must be a valid Date`, { [what]: String(time) });
  return time.toISOString();
}

function requireUuid(id: string, what: string): void {
  if (!isUuid(id)) throw new StrataError('INVALID_ARGUMENT', `${what} must be a UUID (OpenLineage requires it), got ${JSON.stringify(id)}; derive one with lineageRunId(...)`, { [what]: id });
}
