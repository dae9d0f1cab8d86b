/**
 * Test fixture: catalog-free tables in a temporary lake (table plane only, no catalog) — local, or
 * on S3 in the S3 test pass (test-lake.ts). DuckDB's scratch space is always local.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeLakeStore, type ObjectStore } from '../../storage/index.ts';
import { ObjectStoreTableOperations } from '../commit/object-store-table-operations.ts';
import { DuckDbRuntime } from '../io/duckdb-runtime.ts';
import { newTableMetadata, type NewTableOptions } from '../metadata/metadata-builder.ts';
import { Table } from '../table.ts';
import { testLakeStore } from './test-lake.ts';

export interface TableFixture {
  readonly dir: string;
  readonly store: ObjectStore;
  readonly runtime: DuckDbRuntime;
  create(name: string, options: Omit<NewTableOptions, 'location'>): Promise<Table>;
  /** A second, independent handle on the same table (another "writer"). */
  open(name: string): Promise<Table>;
  close(): Promise<void>;
}

export async function tableFixture(): Promise<TableFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-table-'));
  const store = testLakeStore(dir, 'tables');
  const runtime = await DuckDbRuntime.create({ tempDirectory: join(dir, 'tmp'), threads: 2 });
  const location = (name: string) => store.uri(`tables/${name}`);
  return {
    dir,
    store,
    runtime,
    async create(name, options) {
      const ops = new ObjectStoreTableOperations(store, location(name), name);
      await ops.commit(undefined, newTableMetadata({ ...options, location: location(name) }));
      return new Table(ops, runtime);
    },
    async open(name) {
      const ops = new ObjectStoreTableOperations(store, location(name), name);
      await ops.refresh();
      return new Table(ops, runtime);
    },
    async close() {
      runtime.close();
      closeLakeStore(store);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

import { UNPARTITIONED, type PartitionSpec } from '../partition/partition-spec.ts';
import { updateSpec } from '../partition/spec-update.ts';
import type { Schema } from '../schema/schema.ts';

/** A partition spec from `[source column, transform]` pairs. */
export function specOf(schema: Schema, fields: readonly (readonly [string, string])[]): PartitionSpec {
  let update = updateSpec(UNPARTITIONED, schema, 999, []);
  for (const [source, transform] of fields) update = update.addField(source, transform);
  return update.apply().spec;
}
