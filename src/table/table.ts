/**
 * `Table`: one Iceberg table, the table plane's public face. Reads go through `scan()`; every change
 * is a commit through the optimistic-concurrency loop (commit/commit-retry.ts), so concurrent
 * writers never lose each other's work and a crash mid-commit leaves the previous snapshot intact.
 *
 * @example
 *   const table = await tables.create('file:///lake/curated/sales/orders', schema, { partitionBy: [{ source: 'ts', transform: 'day' }] });
 *   await table.append({ rows: [{ id: 1n, ts: '2024-01-01T10:00:00Z' }] });
 *   await table.updateSchema((u) => u.addColumn('note', Types.string));
 *   const rows = await table.read({ filter: Expressions.greaterThan('id', 0) });
 */
import type { SchemaUpdate } from './schema/schema-update.ts';
import { updateSchema } from './schema/schema-update.ts';
import { indexSchema, type Schema } from './schema/schema.ts';
import { StrataError } from '../core/index.ts';
import type { PartitionSpec } from './partition/partition-spec.ts';
import { updateSpec, type SpecUpdate } from './partition/spec-update.ts';
import type { DataFile } from './manifest/data-file.ts';
import type { TableMetadata } from './metadata/table-metadata.ts';
import { keyOf } from './metadata/metadata-io.ts';
import { currentSchema, currentSnapshot, defaultSpec } from './metadata/table-metadata.ts';
import type { Snapshot } from './metadata/snapshot.ts';
import type { TableOperations } from './commit/table-operations.ts';
import { appendFiles } from './commit/append-files.ts';
import { replacePartitions } from './commit/replace-partitions.ts';
import { replaceTable } from './commit/replace-table.ts';
import { deleteWhere } from './commit/delete-where.ts';
import { commitMetadataChange } from './commit/metadata-change.ts';
import * as refs from './commit/manage-snapshots.ts';
import type { SnapshotProducerOptions, SnapshotResult } from './commit/snapshot-producer.ts';
import type { DuckDbRuntime } from './io/duckdb-runtime.ts';
import { stageDataFiles, type DataSource } from './write/stage-data-files.ts';
import { TableScan, type ScanOptions } from './scan/table-scan.ts';
import type { Expression } from './expressions/index.ts';

export interface WriteOptions {
  /** Commit to this branch instead of main (write-audit-publish). */
  readonly branch?: string;
  /** Extra snapshot summary properties. */
  readonly summary?: Readonly<Record<string, string>>;
  /**
   * Re-checked on every retry against the table a concurrent commit produced (`base`); throw to
   * give the commit up (e.g. another writer already wrote the same rows).
   */
  readonly validate?: (base: TableMetadata, start: TableMetadata) => Promise<void>;
}

export class Table {
  readonly ops: TableOperations;
  readonly runtime: DuckDbRuntime;

  constructor(ops: TableOperations, runtime: DuckDbRuntime) {
    this.ops = ops;
    this.runtime = runtime;
  }

  get name(): string {
    return this.ops.name;
  }

  /** The metadata last read or committed (call `refresh()` to see other writers' commits). */
  metadata(): TableMetadata {
    const meta = this.ops.current();
    if (!meta) throw new StrataError('INVALID_ARGUMENT', `Table ${this.name} has not been loaded; call refresh() first`);
    return meta;
  }

  async refresh(): Promise<TableMetadata> {
    return this.ops.refresh();
  }

  schema(): Schema {
    return currentSchema(this.metadata());
  }

  spec(): PartitionSpec {
    return defaultSpec(this.metadata());
  }

  currentSnapshot(): Snapshot | undefined {
    return currentSnapshot(this.metadata());
  }

  snapshots(): readonly Snapshot[] {
    return this.metadata().snapshots;
  }

  // ---- data ---------------------------------------------------------------------------------

  /** Write `source` as new data files (not yet committed); for callers that commit themselves. */
  async writeFiles(source: DataSource): Promise<DataFile[]> {
    const meta = this.ops.current() ?? (await this.ops.refresh());
    return stageDataFiles(this.ops, meta, this.runtime, source);
  }

  /** Append rows: write data files, then commit an `append` snapshot. */
  async append(source: DataSource, options: WriteOptions = {}): Promise<SnapshotResult> {
    return this.#writeAndCommit(source, (files) => appendFiles(this.ops, files, producerOptions(options)));
  }

  /** Dynamic partition overwrite: replace every partition that `source` writes to. */
  async overwritePartitions(source: DataSource, options: WriteOptions = {}): Promise<SnapshotResult> {
    return this.#writeAndCommit(source, (files) => replacePartitions(this.ops, files, producerOptions(options)));
  }

  /**
   * Replace the whole table (on the branch) with `source`: every existing data file is deleted in
   * the same snapshot. Merge-by-key writes use it to commit a copy-on-write rewrite.
   */
  async overwrite(source: DataSource, options: WriteOptions = {}): Promise<SnapshotResult> {
    return this.#writeAndCommit(source, (files) => replaceTable(this.ops, files, producerOptions(options)));
  }

  /**
   * Write data files, then commit them. When the commit definitely failed, the files it would have
   * added are deleted; when its outcome is unknown (COMMIT_STATE_UNKNOWN) they are kept, because
   * the table may now reference them.
   */
  async #writeAndCommit(source: DataSource, commit: (files: DataFile[]) => Promise<SnapshotResult>): Promise<SnapshotResult> {
    const files = await this.writeFiles(source);
    try {
      return await commit(files);
    } catch (error) {
      if (!StrataError.is(error, 'COMMIT_STATE_UNKNOWN')) {
        const store = this.ops.store;
        await store.deleteMany(files.map((f) => keyOf(store, f.filePath))).catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * Metadata-only delete: drop every data file whose rows all match `filter` (whole partitions, in
   * practice). Fails with VALIDATION_FAILED, changing nothing, if a file matches only in part.
   */
  async deleteWhere(filter: Expression, options: WriteOptions = {}): Promise<SnapshotResult> {
    return deleteWhere(this.ops, filter, producerOptions(options));
  }

  /** Commit already-written data files (e.g. from `writeFiles`). */
  async appendFiles(files: readonly DataFile[], options: WriteOptions = {}): Promise<SnapshotResult> {
    return appendFiles(this.ops, files, producerOptions(options));
  }

  scan(options: ScanOptions = {}): TableScan {
    return new TableScan(this.ops, this.runtime, options);
  }

  /** Convenience: read rows (JSON-compatible values) of a scan. */
  async read(options: ScanOptions = {}): Promise<Record<string, unknown>[]> {
    return this.scan(options).toRows();
  }

  // ---- metadata changes --------------------------------------------------------------------

  /** Evolve the schema: `table.updateSchema((u) => u.addColumn('x', Types.long).renameColumn('a', 'b'))`. */
  async updateSchema(change: (update: SchemaUpdate) => SchemaUpdate): Promise<TableMetadata> {
    return commitMetadataChange(this.ops, (base) => {
      const result = change(updateSchema(currentSchema(base), base.lastColumnId)).apply();
      const kept = new Set(indexSchema(result.schema).keys());
      const orphan = defaultSpec(base).fields.find((f) => !kept.has(f.sourceId));
      if (orphan) {
        throw new StrataError(
          'INVALID_SCHEMA',
          `Cannot drop the column behind partition field "${orphan.name}"; change the partition spec first (updateSpec(u => u.removeField('${orphan.name}')))`,
          { partitionField: orphan.name },
        );
      }
      return {
        requirements: [
          { type: 'assert-current-schema-id', currentSchemaId: base.currentSchemaId },
          { type: 'assert-last-assigned-field-id', lastAssignedFieldId: base.lastColumnId },
        ],
        updates: [
          { action: 'add-schema', schema: result.schema, lastColumnId: result.lastColumnId },
          { action: 'set-current-schema', schemaId: -1 },
        ],
      };
    });
  }

  /** Evolve the partition spec: `table.updateSpec((u) => u.addField('ts', 'hour'))`. New writes use the new spec. */
  async updateSpec(change: (update: SpecUpdate) => SpecUpdate): Promise<TableMetadata> {
    return commitMetadataChange(this.ops, (base) => {
      const result = change(updateSpec(defaultSpec(base), currentSchema(base), base.lastPartitionId, base.partitionSpecs)).apply();
      return {
        requirements: [
          { type: 'assert-default-spec-id', defaultSpecId: base.defaultSpecId },
          { type: 'assert-last-assigned-partition-id', lastAssignedPartitionId: base.lastPartitionId },
        ],
        updates: [
          { action: 'add-spec', spec: result.spec },
          { action: 'set-default-spec', specId: -1 },
        ],
      };
    });
  }

  async updateProperties(updates: Readonly<Record<string, string>>, removals: readonly string[] = []): Promise<TableMetadata> {
    return commitMetadataChange(this.ops, () => ({
      requirements: [],
      updates: [
        ...(Object.keys(updates).length > 0 ? [{ action: 'set-properties' as const, updates }] : []),
        ...(removals.length > 0 ? [{ action: 'remove-properties' as const, removals }] : []),
      ],
    }));
  }

  /** Branches and tags. */
  readonly refs = {
    createBranch: (name: string, snapshotId?: bigint, retention?: refs.RefRetention) =>
      commitMetadataChange(this.ops, (base) => refs.createBranch(base, name, snapshotId, retention)),
    createTag: (name: string, snapshotId?: bigint, retention?: refs.RefRetention) =>
      commitMetadataChange(this.ops, (base) => refs.createTag(base, name, snapshotId, retention)),
    removeBranch: (name: string) => commitMetadataChange(this.ops, (base) => refs.removeRef(base, name, 'branch')),
    removeTag: (name: string) => commitMetadataChange(this.ops, (base) => refs.removeRef(base, name, 'tag')),
    fastForward: (branch: string, to: string) => commitMetadataChange(this.ops, (base) => refs.fastForward(base, branch, to)),
    rollbackTo: (snapshotId: bigint, branch?: string) =>
      commitMetadataChange(this.ops, (base) => refs.rollbackTo(base, snapshotId, branch)),
    setCurrentSnapshot: (snapshotId: bigint, branch = 'main') =>
      commitMetadataChange(this.ops, (base) => refs.setBranchSnapshot(base, branch, snapshotId)),
  };
}

function producerOptions(options: WriteOptions): SnapshotProducerOptions {
  return {
    ...(options.branch !== undefined ? { branch: options.branch } : {}),
    ...(options.summary !== undefined ? { summary: options.summary } : {}),
    ...(options.validate !== undefined ? { validate: options.validate } : {}),
  };
}
