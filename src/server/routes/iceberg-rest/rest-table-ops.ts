/**
 * What the REST table endpoints do to tables, apart from HTTP and governance: build a new table's
 * first metadata from a `CreateTableRequest` or from a staged create's commit, and commit a
 * client's requirements + updates through `commitWithRetry`, the same optimistic-concurrency path
 * as Strata's own writers (check requirements on the latest metadata, apply, compare-and-swap the
 * catalog pointer, retry a lost race while the requirements still hold).
 */
import { refuseDuplicateStepCommits } from './rest-step-commits.ts';
import type { Catalog, TableIdentifier } from '../../../catalog/index.ts';
import { StrataError, parseJson } from '../../../core/index.ts';
import {
  withFreshIds,
  UNSORTED_ORDER,
  applyUpdates,
  checkRequirements,
  commitWithRetry,
  metadataToJson,
  newTableMetadata,
  parseSortOrder,
  schemaFromJson,
  specFromJson,
  type MetadataUpdate,
  type Table,
  type TableChange,
  type TableMetadata,
} from '../../../table/index.ts';
import { badRequest, stringMapOf, type Json } from './rest-wire.ts';

/** The spec's `LoadTableResult` / `CommitTableResponse` (no `metadata-location` for a staged create). */
export function loadTableResult(metadata: TableMetadata, metadataLocation: string | undefined): Json {
  return {
    ...(metadataLocation === undefined ? {} : { 'metadata-location': metadataLocation }),
    metadata: metadataJson(metadata),
    config: {},
  };
}

/** Table metadata as a JSON value (snapshot ids stay bigint, for `stringifyJson`). */
export function metadataJson(metadata: TableMetadata): unknown {
  return parseJson(metadataToJson(metadata));
}

export function tableResult(table: Table): Json {
  return loadTableResult(table.metadata(), table.ops.currentLocation());
}

/** The location a `CreateTableRequest` asked for, if any (`null` counts as none). */
export function requestedLocation(body: Json): string | undefined {
  const location = body['location'];
  if (location === undefined || location === null) return undefined;
  if (typeof location !== 'string' || location === '') throw badRequest('location must be a string');
  return location;
}

/** The first metadata of a table from a `CreateTableRequest` (schema, partition-spec, write-order, properties). */
export function metadataFromCreateRequest(body: Json, location: string): TableMetadata {
  if (body['schema'] === undefined) throw badRequest('schema is required');
  const spec = body['partition-spec'];
  const order = body['write-order'];
  // As the reference catalog does: ids start at 1 whatever the client sent (Spark sends 0 …), and
  // the partition and sort fields follow their columns to the new ids.
  const { schema, freshId } = withFreshIds(schemaFromJson(body['schema']));
  const requestedSpec = spec === undefined || spec === null ? undefined : specFromJson(spec);
  const requestedOrder = order === undefined || order === null ? UNSORTED_ORDER : parseSortOrder(order);
  return newTableMetadata({
    location,
    schema,
    ...(requestedSpec ? { spec: { ...requestedSpec, fields: requestedSpec.fields.map((f) => ({ ...f, sourceId: freshId(f.sourceId) })) } } : {}),
    sortOrder: { ...requestedOrder, fields: requestedOrder.fields.map((f) => ({ ...f, sourceId: freshId(f.sourceId) })) },
    properties: stringMapOf(body['properties'], 'properties'),
  });
}

/**
 * The first metadata of a table created by a commit with `assert-create` (a staged create, e.g.
 * PyIceberg's `create_table_transaction` or a CTAS): the updates describe the whole table, so a
 * blank table is seeded with the first schema/spec/order/location/uuid they name, then every
 * update is applied on top (re-adding the seeded schema or spec is a no-op there).
 */
export function metadataFromCreateCommit(updates: readonly MetadataUpdate[], defaultLocation: string): TableMetadata {
  const first = <A extends MetadataUpdate['action']>(action: A) => updates.find((u): u is Extract<MetadataUpdate, { action: A }> => u.action === action);
  const schema = first('add-schema');
  if (!schema) throw badRequest('a create commit (assert-create) needs an add-schema update');
  const spec = first('add-spec');
  const order = first('add-sort-order');
  const uuid = first('assign-uuid');
  const location = updates.findLast((u) => u.action === 'set-location');
  const seed = newTableMetadata({
    location: location?.location ?? defaultLocation,
    schema: schema.schema,
    ...(spec ? { spec: spec.spec } : {}),
    sortOrder: order ? order.sortOrder : UNSORTED_ORDER,
    ...(uuid ? { tableUuid: uuid.uuid } : {}),
  });
  return applyUpdates(seed, updates);
}

/** True for the create half of a staged create: the commit asserts the table does not exist yet. */
export function isCreateCommit(change: TableChange): boolean {
  return change.requirements.some((r) => r.type === 'assert-create');
}

/**
 * Creates the table a create commit describes. The table must not exist (409 CommitFailed, as the
 * spec's assert-create), nor appear while it is being created.
 */
export async function createByCommit(catalog: Catalog, id: TableIdentifier, change: TableChange, location: string): Promise<Table> {
  if (await catalog.tableExists(id)) checkRequirements((await catalog.loadTable(id)).metadata(), change.requirements);
  checkRequirements(undefined, change.requirements);
  const metadata = metadataFromCreateCommit(change.updates, location);
  try {
    return await catalog.createTableFromMetadata(id, metadata);
  } catch (error) {
    if (StrataError.is(error, 'TABLE_ALREADY_EXISTS')) {
      throw new StrataError('COMMIT_CONFLICT', `Commit conflict: table ${[...id.namespace, id.name].join('.')} was created concurrently`, { requirement: 'assert-create' });
    }
    throw error;
  }
}

/** Commits a client's change to an existing table; returns the committed metadata and its file. */
export async function commitToTable(table: Table, change: TableChange): Promise<{ metadata: TableMetadata; metadataLocation: string | undefined }> {
  const metadata = await commitWithRetry(table.ops, {
    build: async ({ base }) => {
      refuseDuplicateStepCommits(base, change.updates);
      return Promise.resolve(change);
    },
  });
  return { metadata, metadataLocation: table.ops.currentLocation() };
}
