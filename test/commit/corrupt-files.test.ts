/**
 * Damaged tables: every file of the commit chain (metadata JSON, manifest list, manifest, data file)
 * missing, garbled or truncated, and a catalog pointer to nowhere. Each must fail with a
 * StrataError whose message names the damaged file — never a raw crash, and never a scan that
 * quietly returns fewer rows.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StrataHome } from '../../src/catalog/index.ts';
import { StrataError, type StrataErrorCode } from '../../src/core/index.ts';
import { ObjectStoreTableOperations, Table, readManifestList } from '../../src/table/index.ts';
import { TABLE, homeWithTable, idSource, readIds } from './commit-fixtures.ts';

interface Damaged {
  readonly home: StrataHome;
  readonly table: Table;
  readonly metadataFile: string;
  readonly manifestList: string;
  readonly manifests: readonly string[];
  readonly dataFiles: readonly string[];
}

/** A table with two appends (two partitions, two manifests), and where its files are. */
async function withTable(label: string, fn: (t: Damaged) => Promise<void>): Promise<void> {
  const home = await homeWithTable(label);
  try {
    const table = await home.catalog.loadTable(TABLE);
    await table.append(idSource(0, 50, 'p0', 'a'));
    await table.append(idSource(100, 50, 'p1', 'b'));
    const snapshot = table.currentSnapshot()!;
    const manifests = (await readManifestList(table.ops.store, snapshot)).map((m) => m.manifestPath);
    const dataFiles = (await table.scan().planFiles()).tasks.map((t) => t.file.filePath);
    assert.equal(manifests.length, 2);
    assert.equal(dataFiles.length, 2);
    assert.equal((await readIds(table)).length, 100, 'the undamaged table reads every row');
    await fn({ home, table, metadataFile: table.ops.currentLocation()!, manifestList: snapshot.manifestList, manifests, dataFiles });
  } finally {
    await home.close();
  }
}

/** Rejects with a StrataError of `code` whose message names `file` (by its file name at least). */
async function assertFailsNaming(work: Promise<unknown>, file: string, code: StrataErrorCode = 'CORRUPT_FILE'): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(StrataError.is(error), `expected a StrataError, got ${error instanceof Error ? error.stack : String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.includes(basename(fileURLToPath(file))), `the message names ${file}: ${error.message}`);
    return true;
  });
}

const pathOf = (uri: string) => fileURLToPath(uri);

async function garble(uri: string): Promise<void> {
  const bytes = await readFile(pathOf(uri));
  for (let i = 0; i < bytes.length; i += 7) bytes[i] = (bytes[i]! ^ 0x5a) & 0xff;
  await writeFile(pathOf(uri), bytes);
}

async function halve(uri: string): Promise<void> {
  const bytes = await readFile(pathOf(uri));
  await truncate(pathOf(uri), bytes.length >> 1);
}

/** Both a plan and a read of the current snapshot must fail the same way. */
async function assertScanFails(table: Table, file: string): Promise<void> {
  await assertFailsNaming(table.scan().planFiles(), file);
  await assertFailsNaming(table.read(), file);
}

describe('the metadata file', () => {
  test('missing: loading the table fails naming it', async () => {
    await withTable('meta-missing', async ({ home, metadataFile }) => {
      await rm(pathOf(metadataFile));
      await assertFailsNaming(home.catalog.loadTable(TABLE), metadataFile);
    });
  });

  test('garbled bytes: loading fails naming it', async () => {
    await withTable('meta-garbled', async ({ home, metadataFile }) => {
      await garble(metadataFile);
      await assertFailsNaming(home.catalog.loadTable(TABLE), metadataFile);
    });
  });

  test('invalid JSON, and valid JSON that is not table metadata: loading fails naming it', async () => {
    await withTable('meta-json', async ({ home, metadataFile }) => {
      const text = await readFile(pathOf(metadataFile), 'utf8');
      await writeFile(pathOf(metadataFile), text.slice(0, text.length >> 1));
      await assertFailsNaming(home.catalog.loadTable(TABLE), metadataFile);
      await writeFile(pathOf(metadataFile), JSON.stringify({ 'format-version': 2, location: 'file:///nowhere' }));
      await assertFailsNaming(home.catalog.loadTable(TABLE), metadataFile);
    });
  });

  test('the catalog pointing at a metadata file that does not exist: loading fails naming it', async () => {
    await withTable('meta-dangling', async ({ home, metadataFile }) => {
      const dangling = metadataFile.replace(/[^/]+$/, '00099-does-not-exist.metadata.json');
      const id = { namespace: ['db'], name: 'events' };
      assert.equal(await home.catalog.backend.swapMetadataLocation(id, metadataFile, dangling), true);
      await assertFailsNaming(home.catalog.loadTable(TABLE), dangling);
    });
  });
});

describe('the manifest list', () => {
  test('missing: planning, reading and appending fail naming it', async () => {
    await withTable('list-missing', async ({ table, manifestList }) => {
      await rm(pathOf(manifestList));
      await assertScanFails(table, manifestList);
      // An append carries the parent's manifests over, so it must read the list and fail too.
      await assertFailsNaming(table.append(idSource(900, 1, 'p0', 'late')), manifestList);
      assert.equal(table.snapshots().length, 2, 'nothing was committed');
    });
  });

  test('garbled and truncated: planning and reading fail naming it', async () => {
    await withTable('list-garbled', async ({ table, manifestList }) => {
      const original = await readFile(pathOf(manifestList));
      await garble(manifestList);
      await assertScanFails(table, manifestList);
      await writeFile(pathOf(manifestList), original);
      await halve(manifestList);
      await assertScanFails(table, manifestList);
    });
  });

  test('missing for an older snapshot: time travel to it fails naming it', async () => {
    await withTable('list-old', async ({ table }) => {
      const first = table.snapshots()[0]!;
      await rm(pathOf(first.manifestList));
      await assertFailsNaming(table.read({ snapshotId: first.snapshotId }), first.manifestList);
      assert.equal((await readIds(table)).length, 100, 'the current snapshot does not use that list');
    });
  });
});

describe('a manifest', () => {
  test('missing: planning and reading fail naming it', async () => {
    await withTable('manifest-missing', async ({ table, manifests }) => {
      await rm(pathOf(manifests[1]!));
      await assertScanFails(table, manifests[1]!);
    });
  });

  test('truncated: planning and reading fail naming it', async () => {
    await withTable('manifest-truncated', async ({ table, manifests }) => {
      await halve(manifests[0]!);
      await assertScanFails(table, manifests[0]!);
    });
  });

  test('garbled: planning and reading fail naming it', async () => {
    await withTable('manifest-garbled', async ({ table, manifests }) => {
      await garble(manifests[1]!);
      await assertScanFails(table, manifests[1]!);
    });
  });
});

describe('a data file', () => {
  /** Reading fails with CORRUPT_FILE whose message and details carry the file's table URI. */
  async function assertReadFailsNamingUri(table: Table, uri: string): Promise<void> {
    await assertFailsNaming(table.read(), uri);
    await assert.rejects(table.read(), (error: unknown) => {
      assert.ok(StrataError.is(error, 'CORRUPT_FILE') && error.message.includes(uri), String(error));
      assert.equal(error.details['file'], uri);
      return true;
    });
  }

  test('missing: reading fails naming it (no partial result)', async () => {
    await withTable('data-missing', async ({ table, dataFiles }) => {
      await rm(pathOf(dataFiles[0]!));
      await assertReadFailsNamingUri(table, dataFiles[0]!);
    });
  });

  test('garbled and truncated: reading fails naming it', async () => {
    await withTable('data-garbled', async ({ table, dataFiles }) => {
      const original = await readFile(pathOf(dataFiles[1]!));
      await garble(dataFiles[1]!);
      await assertReadFailsNamingUri(table, dataFiles[1]!);
      await writeFile(pathOf(dataFiles[1]!), original);
      await halve(dataFiles[1]!);
      await assertReadFailsNamingUri(table, dataFiles[1]!);
    });
  });

  /** The same table seen through a store without local paths (as on S3): scans download data files into a cache. */
  async function remoteView(home: StrataHome, table: Table): Promise<Table> {
    const remote = new Proxy(table.ops.store, {
      get: (target, prop) => (prop === 'localPath' ? () => undefined : (Reflect.get(target, prop, target) as unknown)),
    });
    const location = table.metadata().location;
    await writeFile(pathOf(`${location}/metadata/v1.metadata.json`), await readFile(pathOf(table.ops.currentLocation()!)));
    const ops = new ObjectStoreTableOperations(remote, location);
    await ops.refresh();
    return new Table(ops, home.runtime);
  }

  test('missing on a store without local paths (S3-like): the download fails naming it', async () => {
    await withTable('data-remote-missing', async ({ home, table, dataFiles }) => {
      await rm(pathOf(dataFiles[0]!));
      await assertReadFailsNamingUri(await remoteView(home, table), dataFiles[0]!);
    });
  });

  test('garbled on a store without local paths: the error names the table URI, not the cache path', async () => {
    await withTable('data-remote-garbled', async ({ home, table, dataFiles }) => {
      await garble(dataFiles[1]!);
      await assertReadFailsNamingUri(await remoteView(home, table), dataFiles[1]!);
    });
  });
});
