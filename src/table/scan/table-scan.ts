/**
 * Scan planning and reading. Planning picks the snapshot (current, by id, by timestamp, or a
 * branch/tag), then prunes in two steps before any data file is opened:
 *   1. manifests, by the partition summaries in the manifest list (inclusive projection of the
 *      filter onto each spec's partition fields);
 *   2. data files, by their partition tuple and by column metrics (value/null counts, bounds).
 * The plan reports what it will read (files, bytes) and what it skipped, so a query service can
 * refuse a scan over its cap before running it. Reading maps columns by field id, so files written
 * before a rename, a widening or an added column read correctly under the current schema.
 */
import { StrataError } from '../../core/index.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { EntryStatus, type DataFile } from '../manifest/data-file.ts';
import { ManifestContent } from '../manifest/manifest-file.ts';
import type { Snapshot } from '../metadata/snapshot.ts';
import {
  currentSchema,
  schemaById,
  snapshotAsOf,
  snapshotById,
  snapshotForRef,
  specById,
  type TableMetadata,
} from '../metadata/table-metadata.ts';
import type { Schema } from '../schema/schema.ts';
import type { TableOperations } from '../commit/table-operations.ts';
import type { DuckDbRuntime } from '../io/duckdb-runtime.ts';
import { readManifestEntries, readManifestList } from '../io/manifest-io.ts';
import { localPathFor } from '../io/local-files.ts';
import { readRelationSql } from '../parquet/data-file-reader.ts';
import {
  ManifestEvaluator,
  MetricsEvaluator,
  alwaysTrue,
  bind,
  evaluatePartition,
  projectInclusive,
  type BoundExpression,
  type Expression,
} from '../expressions/index.ts';
import { expressionToSql } from './expression-sql.ts';
import { dataFileReadError, missingDataFileError, type ScanFile } from './data-file-errors.ts';
import { join } from 'node:path';

export interface ScanOptions {
  /** Read this snapshot (time travel by id). */
  readonly snapshotId?: bigint;
  /** Read the snapshot that was current at this time (ms since epoch, or a Date). */
  readonly asOf?: number | Date;
  /** Read the head of a branch or a tag. */
  readonly ref?: string;
  /** Row filter: prunes files, then filters rows. */
  readonly filter?: Expression;
  readonly caseSensitive?: boolean;
}

export interface FileScanTask {
  readonly file: DataFile;
}

export interface ScanPlan {
  /** The snapshot read; undefined for a table without snapshots (reads nothing). */
  readonly snapshot: Snapshot | undefined;
  /** The schema rows are read with: the snapshot's schema when time travelling, else the current one. */
  readonly schema: Schema;
  readonly filter: BoundExpression;
  readonly tasks: readonly FileScanTask[];
  readonly stats: ScanStats;
}

export interface ScanStats {
  readonly manifestsTotal: number;
  readonly manifestsSkipped: number;
  readonly filesTotal: number;
  readonly filesSkipped: number;
  readonly filesPlanned: number;
  readonly bytesPlanned: number;
  readonly recordsPlanned: number;
}

export class TableScan {
  readonly #ops: TableOperations;
  readonly #runtime: DuckDbRuntime;
  readonly #options: ScanOptions;

  constructor(ops: TableOperations, runtime: DuckDbRuntime, options: ScanOptions) {
    this.#ops = ops;
    this.#runtime = runtime;
    this.#options = options;
  }

  async planFiles(): Promise<ScanPlan> {
    const meta = this.#ops.current() ?? (await this.#ops.refresh());
    const snapshot = chooseSnapshot(meta, this.#options);
    const schema = readSchema(meta, snapshot, this.#options);
    const filter = this.#options.filter ? bind(this.#options.filter, schema, this.#options.caseSensitive ?? true) : alwaysTrue();
    const stats = { manifestsTotal: 0, manifestsSkipped: 0, filesTotal: 0, filesSkipped: 0, filesPlanned: 0, bytesPlanned: 0, recordsPlanned: 0 };
    const tasks: FileScanTask[] = [];
    if (snapshot) {
      const store = this.#ops.store;
      const metrics = new MetricsEvaluator(filter);
      const bySpec = new Map<number, { manifests: ManifestEvaluator; projected: ReturnType<typeof projectInclusive> }>();
      const evaluatorFor = (specId: number) => {
        let entry = bySpec.get(specId);
        if (!entry) {
          const spec = specById(meta, specId);
          const projected = projectInclusive(filter, spec, schema);
          entry = { manifests: new ManifestEvaluator(projected), projected };
          bySpec.set(specId, entry);
        }
        return entry;
      };
      for (const manifest of await readManifestList(store, snapshot)) {
        if (manifest.content !== ManifestContent.Data) {
          if (manifest.addedFilesCount + manifest.existingFilesCount > 0) throw deleteFilesUnsupported(this.#ops.name, manifest.manifestPath);
          continue;
        }
        stats.manifestsTotal++;
        const evaluator = evaluatorFor(manifest.partitionSpecId);
        if (!evaluator.manifests.mightMatch(manifest)) {
          stats.manifestsSkipped++;
          stats.filesSkipped += manifest.addedFilesCount + manifest.existingFilesCount;
          stats.filesTotal += manifest.addedFilesCount + manifest.existingFilesCount;
          continue;
        }
        for (const entry of await readManifestEntries(store, meta, manifest)) {
          if (entry.status === EntryStatus.Deleted) continue;
          stats.filesTotal++;
          const file = entry.dataFile;
          if (!evaluatePartition(evaluator.projected, file.partition) || !metrics.mightMatch(file)) {
            stats.filesSkipped++;
            continue;
          }
          tasks.push({ file });
          stats.filesPlanned++;
          stats.bytesPlanned += file.fileSizeInBytes;
          stats.recordsPlanned += file.recordCount;
        }
      }
    }
    return { snapshot, schema, filter, tasks, stats };
  }

  /** A DuckDB query reading the planned files (by field id) and applying the row filter. */
  async toSql(plan?: ScanPlan): Promise<string> {
    return (await this.#query(plan)).sql;
  }

  /**
   * Rows as JSON-compatible objects (bigints and decimals as strings, timestamps as ISO text).
   * A missing or damaged data file fails with CORRUPT_FILE naming it, never with fewer rows.
   */
  async toRows(plan?: ScanPlan): Promise<Record<string, unknown>[]> {
    const { sql, files } = await this.#query(plan);
    return this.#runtime.withConnection(async (connection) => {
      try {
        const reader = await connection.runAndReadAll(sql);
        return reader.getRowObjectsJson() as Record<string, unknown>[];
      } catch (error) {
        throw dataFileReadError(error, files);
      }
    });
  }

  async #query(plan?: ScanPlan): Promise<{ sql: string; files: ScanFile[] }> {
    const p = plan ?? (await this.planFiles());
    const cacheDir = join(this.#runtime.tempDirectory, 'object-cache');
    const files = await Promise.all(
      p.tasks.map(async (t): Promise<ScanFile> => {
        const uri = t.file.filePath;
        try {
          return { uri, path: await localPathFor(this.#ops.store, uri, cacheDir) };
        } catch (error) {
          throw missingDataFileError(error, uri);
        }
      }),
    );
    const relation = readRelationSql({ files, schema: p.schema });
    const sql = p.filter.kind === 'true' ? `SELECT * FROM (${relation})` : `SELECT * FROM (${relation}) WHERE ${expressionToSql(p.filter)}`;
    return { sql, files };
  }

  get store(): ObjectStore {
    return this.#ops.store;
  }
}

/**
 * The schema to read a snapshot with, as the reference implementation chooses it: a branch (main
 * included) reads with the table's current schema, so columns added since are visible; a snapshot
 * id, a timestamp or a tag reads with the schema the snapshot was written with.
 */
function readSchema(meta: TableMetadata, snapshot: Snapshot | undefined, options: ScanOptions): Schema {
  const pinned =
    options.snapshotId !== undefined ||
    options.asOf !== undefined ||
    (options.ref !== undefined && meta.refs[options.ref]?.type === 'tag');
  return pinned && snapshot?.schemaId !== undefined ? schemaById(meta, snapshot.schemaId) : currentSchema(meta);
}

/**
 * Strata does not apply position or equality delete files yet. A table another engine wrote with
 * merge-on-read deletes would read deleted rows back, so such a scan fails loudly instead.
 */
function deleteFilesUnsupported(table: string, manifest: string): StrataError {
  return new StrataError(
    'UNSUPPORTED_FEATURE',
    `Table ${table} has row-level delete files (manifest ${manifest}); Strata cannot apply them yet. ` +
      `Compact the table with an engine that can (e.g. Spark's rewrite_data_files) before reading it here.`,
    { table, manifest },
  );
}

function chooseSnapshot(meta: TableMetadata, options: ScanOptions): Snapshot | undefined {
  if (options.snapshotId !== undefined) return snapshotById(meta, options.snapshotId);
  if (options.asOf !== undefined) return snapshotAsOf(meta, options.asOf instanceof Date ? options.asOf.getTime() : options.asOf);
  if (options.ref !== undefined) return snapshotForRef(meta, options.ref);
  return snapshotForRef(meta, 'main');
}
