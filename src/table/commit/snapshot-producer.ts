/**
 * Produces one new snapshot on a branch: adds data files, marks files deleted, carries every other
 * manifest over untouched, writes the manifest list and the summary, and hands the change to the
 * commit loop. On a lost race it rebuilds on top of the winner's snapshot — the manifest of added
 * files is written once and reused, only the manifest list (and rewritten manifests) are redone.
 */
import { StrataError } from '../../core/index.ts';
import { EntryStatus, type DataFile, type ManifestEntry } from '../manifest/data-file.ts';
import { ManifestContent, type ManifestFile } from '../manifest/manifest-file.ts';
import { advanceBranch } from '../metadata/metadata-builder.ts';
import type { TableChange } from '../metadata/metadata-update.ts';
import { MAIN_BRANCH, type Snapshot, type SnapshotOperation, type SnapshotSummary } from '../metadata/snapshot.ts';
import { snapshotForRef, type TableMetadata } from '../metadata/table-metadata.ts';
import { readManifestEntries, readManifestList, writeManifest, writeManifestList } from '../io/manifest-io.ts';
import { keyOf } from '../metadata/metadata-io.ts';
import { partitionKey } from '../io/partition-key.ts';
import { commitWithRetry, type CommitAttempt, type Committer } from './commit-retry.ts';
import { newSnapshotId } from './snapshot-id.ts';
import type { TableOperations } from './table-operations.ts';

/** Selects existing files to delete. `manifestMayMatch` lets whole manifests be skipped unread. */
export interface DeleteSelector {
  manifestMayMatch(manifest: ManifestFile, base: TableMetadata): boolean;
  /** True to delete the file. May throw (e.g. a metadata-only delete that matches part of a file). */
  entryMatches(entry: ManifestEntry, base: TableMetadata): boolean;
}

export interface FileChanges {
  readonly operation: SnapshotOperation;
  readonly added: readonly DataFile[];
  readonly deletes?: DeleteSelector;
}

export interface SnapshotProducerOptions {
  readonly branch?: string;
  /** Extra summary properties (e.g. Strata's run and step ids for idempotent pipeline commits). */
  readonly summary?: Readonly<Record<string, string>>;
  /**
   * Re-validation on each attempt: given the base being built on and the base the operation
   * started from, throw COMMIT_CONFLICT if a concurrent commit invalidates this one.
   */
  readonly validate?: (base: TableMetadata, start: TableMetadata) => Promise<void>;
}

export interface SnapshotResult {
  readonly snapshot: Snapshot;
  readonly metadata: TableMetadata;
  readonly addedFiles: readonly DataFile[];
  readonly deletedFiles: readonly DataFile[];
}

export class SnapshotProducer implements Committer {
  readonly snapshotId = newSnapshotId();
  readonly #ops: TableOperations;
  readonly #changes: FileChanges;
  readonly #options: SnapshotProducerOptions;
  readonly #branch: string;
  readonly #addedManifests = new Map<number, ManifestFile>();
  readonly #attemptFiles = new Map<number, string[]>();
  #start: TableMetadata | undefined;
  #last: { snapshot: Snapshot; deleted: DataFile[] } | undefined;

  constructor(ops: TableOperations, changes: FileChanges, options: SnapshotProducerOptions = {}) {
    this.#ops = ops;
    this.#changes = changes;
    this.#options = options;
    this.#branch = options.branch ?? MAIN_BRANCH;
  }

  async commit(): Promise<SnapshotResult> {
    const metadata = await commitWithRetry(this.#ops, this);
    if (!this.#last) throw new StrataError('COMMIT_FAILED', 'Commit produced no snapshot');
    return { snapshot: this.#last.snapshot, metadata, addedFiles: this.#changes.added, deletedFiles: this.#last.deleted };
  }

  async build({ base, attempt }: CommitAttempt): Promise<TableChange> {
    this.#start ??= base;
    if (this.#options.validate && base !== this.#start) await this.#options.validate(base, this.#start);
    const store = this.#ops.store;
    const parent = snapshotForRef(base, this.#branch);
    const sequenceNumber = base.lastSequenceNumber + 1n;
    const written: string[] = [];
    this.#attemptFiles.set(attempt, written);

    const manifests: ManifestFile[] = [];
    for (const [specId, files] of groupBySpec(this.#changes.added)) {
      let manifest = this.#addedManifests.get(specId);
      if (!manifest) {
        const entries: ManifestEntry[] = files.map((dataFile) => ({
          status: EntryStatus.Added,
          snapshotId: this.snapshotId,
          sequenceNumber: null,
          fileSequenceNumber: null,
          dataFile,
        }));
        manifest = await writeManifest(store, base, {
          specId,
          content: ManifestContent.Data,
          entries,
          snapshotId: this.snapshotId,
          sequenceNumber,
        });
        this.#addedManifests.set(specId, manifest);
      }
      manifests.push({ ...manifest, sequenceNumber, minSequenceNumber: sequenceNumber });
    }

    const deleted: DataFile[] = [];
    const deletes = this.#changes.deletes;
    for (const manifest of parent ? await readManifestList(store, parent) : []) {
      // A manifest whose entries are all DELETED served its snapshot; later snapshots drop it.
      if (manifest.addedFilesCount + manifest.existingFilesCount === 0) continue;
      if (deletes && manifest.content !== ManifestContent.Data) {
        throw new StrataError(
          'UNSUPPORTED_FEATURE',
          `Cannot delete or overwrite in ${this.#ops.name}: it has row-level delete files (${manifest.manifestPath}), which Strata cannot apply yet`,
          { manifest: manifest.manifestPath },
        );
      }
      if (!deletes || !deletes.manifestMayMatch(manifest, base)) {
        manifests.push(manifest);
        continue;
      }
      const live = (await readManifestEntries(store, base, manifest)).filter((e) => e.status !== EntryStatus.Deleted);
      const doomed = new Set(live.filter((e) => deletes.entryMatches(e, base)));
      if (doomed.size === 0) {
        manifests.push(manifest);
        continue;
      }
      const rewritten = await writeManifest(store, base, {
        specId: manifest.partitionSpecId,
        content: ManifestContent.Data,
        snapshotId: this.snapshotId,
        sequenceNumber,
        entries: live.map((e) =>
          doomed.has(e)
            ? { ...e, status: EntryStatus.Deleted, snapshotId: this.snapshotId }
            : { ...e, status: EntryStatus.Existing },
        ),
      });
      written.push(rewritten.manifestPath);
      deleted.push(...[...doomed].map((e) => e.dataFile));
      if (rewritten.existingFilesCount > 0 || rewritten.deletedFilesCount > 0) manifests.push(rewritten);
    }

    const manifestList = await writeManifestList(
      store,
      base,
      this.snapshotId,
      parent?.snapshotId ?? null,
      sequenceNumber,
      attempt,
      manifests,
    );
    written.push(manifestList);

    const snapshot: Snapshot = {
      snapshotId: this.snapshotId,
      ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
      sequenceNumber,
      timestampMs: Math.max(Date.now(), base.lastUpdatedMs),
      manifestList,
      summary: summarize(this.#changes.operation, parent, this.#changes.added, deleted, manifests, this.#options.summary),
      schemaId: base.currentSchemaId,
    };
    this.#last = { snapshot, deleted };
    return {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: this.#branch, snapshotId: parent?.snapshotId ?? null }],
      updates: [
        { action: 'add-snapshot', snapshot },
        { action: 'set-snapshot-ref', refName: this.#branch, ref: advanceBranch(base, this.#branch, this.snapshotId) },
      ],
    };
  }

  async cleanupAttempt(attempt: number): Promise<void> {
    await this.#deleteQuietly(this.#attemptFiles.get(attempt) ?? []);
    this.#attemptFiles.delete(attempt);
  }

  async cleanupAll(): Promise<void> {
    const files = [...this.#attemptFiles.values()].flat();
    files.push(...[...this.#addedManifests.values()].map((m) => m.manifestPath));
    await this.#deleteQuietly(files);
    this.#attemptFiles.clear();
    this.#addedManifests.clear();
  }

  /** Cleanup is best effort: a leftover unreferenced file is harmless, a failed cleanup must not hide the real error. */
  async #deleteQuietly(files: readonly string[]): Promise<void> {
    const store = this.#ops.store;
    await store.deleteMany(files.map((f) => keyOf(store, f))).catch(() => undefined);
  }
}

function groupBySpec(files: readonly DataFile[]): Map<number, DataFile[]> {
  const groups = new Map<number, DataFile[]>();
  for (const f of files) {
    const list = groups.get(f.specId) ?? [];
    list.push(f);
    groups.set(f.specId, list);
  }
  return groups;
}

/** The snapshot summary with Iceberg's standard counters; totals continue the parent's. */
function summarize(
  operation: SnapshotOperation,
  parent: Snapshot | undefined,
  added: readonly DataFile[],
  deleted: readonly DataFile[],
  manifests: readonly ManifestFile[],
  extra: Readonly<Record<string, string>> = {},
): SnapshotSummary {
  const sum = (files: readonly DataFile[], pick: (f: DataFile) => number) => files.reduce((n, f) => n + pick(f), 0);
  const partitions = new Set([...added, ...deleted].map((f) => partitionKey(f.specId, f.partition)));
  const dataManifests = manifests.filter((m) => m.content === ManifestContent.Data);
  const totalFiles = dataManifests.reduce((n, m) => n + m.addedFilesCount + m.existingFilesCount, 0);
  const totalRecords = dataManifests.reduce((n, m) => n + m.addedRowsCount + m.existingRowsCount, 0);
  const parentSize = parent?.summary['total-files-size'];
  const summary: Record<string, string> = { ...extra, operation };
  const put = (key: string, value: number) => {
    if (value !== 0) summary[key] = String(value);
  };
  put('added-data-files', added.length);
  put('deleted-data-files', deleted.length);
  put('added-records', sum(added, (f) => f.recordCount));
  put('deleted-records', sum(deleted, (f) => f.recordCount));
  put('added-files-size', sum(added, (f) => f.fileSizeInBytes));
  put('removed-files-size', sum(deleted, (f) => f.fileSizeInBytes));
  summary['changed-partition-count'] = String(partitions.size);
  summary['total-records'] = String(totalRecords);
  if (parent === undefined || parentSize !== undefined) {
    const size = Number(parentSize ?? 0) + sum(added, (f) => f.fileSizeInBytes) - sum(deleted, (f) => f.fileSizeInBytes);
    summary['total-files-size'] = String(size);
  }
  summary['total-data-files'] = String(totalFiles);
  // Strata writes no delete files yet: delete totals carry over from the parent unchanged.
  for (const key of ['total-delete-files', 'total-position-deletes', 'total-equality-deletes']) {
    summary[key] = parent?.summary[key] ?? '0';
  }
  return summary as SnapshotSummary;
}
