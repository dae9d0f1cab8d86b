import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../core/index.ts';
import { Expressions } from './expressions/index.ts';
import { schema } from './schema/schema.ts';
import { Types, field } from './schema/types.ts';
import { tableFixture, specOf, type TableFixture } from './testing/table-fixture.ts';
import { TEST_LAKE } from './testing/test-lake.ts';
import type { Table } from './table.ts';

const eventSchema = schema(0, [
  field(1, 'id', Types.long, true),
  field(2, 'ts', Types.timestamptz, true),
  field(3, 'region', Types.string),
  field(4, 'amount', Types.decimal(10, 2)),
]);

const generate = (from: number, count: number) =>
  `SELECT i AS id, TIMESTAMPTZ '2024-03-01 00:00:00+00' + INTERVAL (i * 30) MINUTE AS ts,
          ['eu', 'us', 'apac'][1 + i % 3] AS region, CAST(i * 0.5 AS DECIMAL(10, 2)) AS amount
   FROM range(${from}, ${from + count}) t(i)`;

/** Keys of the objects in a table's `metadata/` or `data/` directory, on whichever lake the test runs (local or S3). */
async function objectsUnder(t: Table, dir: 'metadata' | 'data'): Promise<string[]> {
  const store = t.ops.store;
  const key = store.keyFromUri(`${t.metadata().location}/${dir}`);
  assert.ok(key !== undefined, `${t.metadata().location} is in the fixture's lake`);
  const keys: string[] = [];
  for await (const object of store.list(`${key}/`)) keys.push(object.key);
  return keys;
}

const ids = (rows: Record<string, unknown>[]) => rows.map((r) => Number(r['id'])).sort((a, b) => a - b);
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('Table', () => {
  let fx: TableFixture;
  before(async () => {
    fx = await tableFixture();
  });
  after(async () => {
    await fx.close();
  });

  async function events(name: string, partitionBy: (readonly [string, string])[] = [['ts', 'day']]): Promise<Table> {
    return fx.create(name, { schema: eventSchema, spec: specOf(eventSchema, partitionBy) });
  }

  test('append writes one snapshot per commit with Iceberg summary counters', async () => {
    const t = await events('append');
    assert.match(t.metadata().location, TEST_LAKE === 's3' ? /^s3:\/\// : /^file:\/\//, `the table is on the ${TEST_LAKE} lake`);
    const first = await t.append({ sql: generate(0, 100) });
    const second = await t.append({ sql: generate(100, 50) });
    assert.equal(first.snapshot.summary.operation, 'append');
    assert.equal(first.snapshot.summary['added-records'], '100');
    assert.equal(second.snapshot.summary['total-records'], '150');
    assert.equal(second.snapshot.parentSnapshotId, first.snapshot.snapshotId);
    assert.equal(second.snapshot.sequenceNumber, first.snapshot.sequenceNumber + 1n);
    assert.deepEqual(ids(await t.read()), range(0, 150));
    const totalFiles = Number(second.snapshot.summary['total-data-files']);
    assert.equal(totalFiles, (await t.scan().planFiles()).tasks.length);
  });

  test('pruned scans return exactly the rows of an unpruned scan with the same filter', async () => {
    const t = await events('prune', [['ts', 'day'], ['id', 'bucket[4]']]);
    await t.append({ sql: generate(0, 400) });
    await t.append({ sql: generate(400, 400) });
    const filters = [
      Expressions.greaterThanOrEqual('ts', '2024-03-05T00:00:00Z'),
      Expressions.and(Expressions.greaterThan('ts', '2024-03-02T10:00:00Z'), Expressions.lessThan('ts', '2024-03-03T00:00:00Z')),
      Expressions.equal('id', 17),
      Expressions.in('id', [3, 400, 799]),
      Expressions.or(Expressions.lessThan('id', 5), Expressions.greaterThan('amount', '395.00')),
      Expressions.equal('region', 'eu'),
      Expressions.not(Expressions.lessThan('ts', '2024-03-10T00:00:00Z')),
      Expressions.startsWith('region', 'ap'),
    ];
    const all = await t.read();
    for (const filter of filters) {
      const plan = await t.scan({ filter }).planFiles();
      const pruned = ids(await t.read({ filter }));
      // Reference: the same filter applied in DuckDB to every row, no pruning involved.
      const sql = await t.scan().toSql();
      const { expressionToSql } = await import('./scan/expression-sql.ts');
      const expected = ids(
        await fx.runtime.withConnection(async (c) =>
          (await c.runAndReadAll(`SELECT id FROM (${sql}) WHERE ${expressionToSql(plan.filter)}`)).getRowObjectsJson() as Record<string, unknown>[],
        ),
      );
      assert.deepEqual(pruned, expected, `filter ${JSON.stringify(filter)}`);
      assert.ok(all.length >= pruned.length);
    }
    const selective = await t.scan({ filter: Expressions.equal('id', 17) }).planFiles();
    assert.ok(selective.stats.filesPlanned < selective.stats.filesTotal / 4, 'an id lookup reads few files');
    assert.ok(selective.stats.bytesPlanned > 0);
  });

  test('dynamic partition overwrite replaces only the partitions it writes', async () => {
    const t = await events('overwrite');
    await t.append({ sql: generate(0, 96) }); // 2 days, 48 rows each
    const result = await t.overwritePartitions({
      rows: [{ id: 1000n, ts: '2024-03-02T05:00:00Z', region: 'eu', amount: '1.00' }],
    });
    assert.equal(result.snapshot.summary.operation, 'overwrite');
    assert.equal(result.snapshot.summary['deleted-records'], '48');
    assert.deepEqual(ids(await t.read()), [...range(0, 48), 1000]);
  });

  test('a full overwrite replaces every partition, and fails on a concurrent append instead of deleting it', async () => {
    const t = await events('overwrite-all');
    await t.append({ sql: generate(0, 96) }); // 2 days
    const result = await t.overwrite({ rows: [{ id: 9000n, ts: '2024-03-05T05:00:00Z', region: 'eu', amount: '1.00' }] });
    assert.equal(result.snapshot.summary['deleted-records'], '96');
    assert.equal(result.snapshot.summary['replace-table'], 'true');
    assert.deepEqual(ids(await t.read()), [9000]);
    const stale = await fx.open('overwrite-all');
    await t.append({ rows: [{ id: 9001n, ts: '2024-03-06T05:00:00Z', region: 'eu', amount: '1.00' }] });
    await assert.rejects(stale.overwrite({ rows: [] }), (e) => StrataError.is(e, 'COMMIT_CONFLICT'));
    assert.deepEqual(ids(await t.read()), [9000, 9001]);
  });

  test('metadata-only delete removes whole partitions and refuses partial ones, changing nothing', async () => {
    const t = await events('delete');
    await t.append({ sql: generate(0, 96) });
    const before = t.currentSnapshot()?.snapshotId;
    await assert.rejects(t.deleteWhere(Expressions.lessThan('ts', '2024-03-01T12:00:00Z')), (e) => StrataError.is(e, 'VALIDATION_FAILED'));
    assert.equal((await t.refresh()).currentSnapshotId, before);
    const result = await t.deleteWhere(Expressions.lessThan('ts', '2024-03-02T00:00:00Z'));
    assert.equal(result.snapshot.summary.operation, 'delete');
    assert.equal(result.snapshot.summary['deleted-records'], '48');
    assert.deepEqual(ids(await t.read()), range(48, 48));
  });

  test('after partitioning is removed, an overwrite replaces the whole table whatever spec old files have', async () => {
    const t = await events('overwrite-unpartitioned');
    await t.append({ sql: generate(0, 96) });
    await t.updateSpec((u) => u.removeField('ts_day'));
    await t.overwritePartitions({ rows: [{ id: 5000n, ts: '2024-03-01T00:00:00Z', region: 'eu', amount: '1.00' }] });
    assert.deepEqual(ids(await t.read()), [5000]);
  });

  test('a failed overwrite leaves no files behind and all-deleted manifests are not carried forward', async () => {
    const t = await events('cleanup');
    await t.append({ sql: generate(0, 96) });
    const other = await fx.open('cleanup');
    const before = (await objectsUnder(t, 'metadata')).length;
    // `t` starts an overwrite of day 1 from a stale view while `other` appends to day 1 first.
    await other.append({ rows: [{ id: 7000n, ts: '2024-03-01T01:00:00Z', region: 'us', amount: '2.00' }] });
    const afterAppend = (await objectsUnder(t, 'metadata')).length;
    const dataFiles = async () => (await objectsUnder(t, 'data')).filter((k) => k.endsWith('.parquet')).length;
    const dataBefore = await dataFiles();
    await assert.rejects(
      t.overwritePartitions({ rows: [{ id: 7001n, ts: '2024-03-01T02:00:00Z', region: 'us', amount: '3.00' }] }),
      (e) => StrataError.is(e, 'COMMIT_CONFLICT'),
    );
    assert.equal((await objectsUnder(t, 'metadata')).length, afterAppend, 'the failed overwrite left no metadata behind');
    assert.equal(await dataFiles(), dataBefore, 'the failed overwrite left no data files behind');
    assert.ok(afterAppend > before);
    await t.refresh();
    const deleted = await t.deleteWhere(Expressions.lessThan('ts', '2024-03-02T00:00:00Z'));
    const next = await t.append({ rows: [{ id: 7002n, ts: '2024-03-03T00:00:00Z', region: 'eu', amount: '1.00' }] });
    const { readManifestList } = await import('./io/manifest-io.ts');
    const manifests = await readManifestList(t.ops.store, next.snapshot);
    assert.ok(manifests.every((m) => m.addedFilesCount + m.existingFilesCount > 0), 'no manifest of only deleted entries');
    assert.ok(Number(deleted.snapshot.summary['deleted-data-files']) > 0);
  });

  test('when the swap itself fails the outcome is unknown: COMMIT_STATE_UNKNOWN, and no file is deleted', async () => {
    const t = await events('unknown-state');
    const { Table } = await import('./table.ts');
    const ops = t.ops;
    const flaky: typeof ops = {
      store: ops.store,
      name: ops.name,
      current: () => ops.current(),
      currentLocation: () => ops.currentLocation(),
      refresh: () => ops.refresh(),
      commit: async () => {
        throw new StrataError('STORAGE_ERROR', 'connection reset while writing the metadata file');
      },
    };
    const writer = new Table(flaky, fx.runtime);
    await assert.rejects(writer.append({ sql: generate(0, 10) }), (e) => StrataError.is(e, 'COMMIT_STATE_UNKNOWN'));
    assert.ok((await objectsUnder(t, 'data')).some((k) => k.endsWith('.parquet')), 'data files are kept');
  });

  test('time travel by snapshot id and by timestamp', async () => {
    const t = await events('travel');
    const a = await t.append({ sql: generate(0, 10) });
    await new Promise((r) => setTimeout(r, 5));
    const b = await t.append({ sql: generate(10, 10) });
    assert.deepEqual(ids(await t.read({ snapshotId: a.snapshot.snapshotId })), range(0, 10));
    assert.deepEqual(ids(await t.read({ asOf: a.snapshot.timestampMs })), range(0, 10));
    assert.deepEqual(ids(await t.read({ asOf: b.snapshot.timestampMs + 1 })), range(0, 20));
    await assert.rejects(t.read({ asOf: a.snapshot.timestampMs - 1000 }), (e) => StrataError.is(e, 'SNAPSHOT_NOT_FOUND'));
    await assert.rejects(t.read({ snapshotId: 42n }), (e) => StrataError.is(e, 'SNAPSHOT_NOT_FOUND'));
  });

  test('schema evolution keeps old files readable by field id', async () => {
    const t = await fx.create('evolve', {
      schema: schema(0, [field(1, 'id', Types.int, true), field(2, 'name', Types.string), field(3, 'score', Types.float), field(4, 'gone', Types.string)]),
    });
    await t.append({ rows: [{ id: 1, name: 'a', score: 1.5, gone: 'x' }] });
    await t.updateSchema((u) =>
      u
        .renameColumn('name', 'label')
        .updateColumnType('id', Types.long)
        .updateColumnType('score', Types.double)
        .deleteColumn('gone')
        .addColumn('added', Types.string)
        .moveFirst('label'),
    );
    await t.append({ rows: [{ id: 2n ** 40n, label: 'b', score: 2.25, added: 'new' }] });
    assert.deepEqual(
      t.schema().fields.map((f) => `${f.id}:${f.name}:${f.type.kind}`),
      ['2:label:string', '1:id:long', '3:score:double', '5:added:string'],
    );
    const rows = (await t.read()).sort((a, b) => String(a['label']).localeCompare(String(b['label'])));
    assert.deepEqual(rows, [
      { label: 'a', id: '1', score: 1.5, added: null },
      { label: 'b', id: String(2n ** 40n), score: 2.25, added: 'new' },
    ]);
    // The first snapshot still reads with the schema it was written with.
    const first = t.snapshots()[0];
    assert.ok(first);
    assert.deepEqual(await t.read({ snapshotId: first.snapshotId }), [{ id: 1, name: 'a', score: 1.5, gone: 'x' }]);
  });

  test('partition spec evolution: files under both specs are planned and pruned', async () => {
    const t = await events('spec-evolution');
    await t.append({ sql: generate(0, 96) });
    await t.updateSpec((u) => u.removeField('ts_day').addField('ts', 'hour'));
    assert.equal(t.metadata().partitionSpecs.length, 2);
    await t.append({ sql: generate(96, 48) });
    assert.deepEqual(ids(await t.read()), range(0, 144));
    const filter = Expressions.equal('ts', '2024-03-03T12:00:00Z');
    const plan = await t.scan({ filter }).planFiles();
    assert.equal(plan.tasks.length, 1);
    assert.equal(plan.tasks[0]?.file.specId, 1);
    assert.deepEqual(ids(await t.read({ filter })), [120]);
  });

  test('a partition source column can be dropped only after the spec stops using it', async () => {
    const t = await fx.create('drop-source', {
      schema: schema(0, [field(1, 'id', Types.long, true), field(2, 'region', Types.string)]),
      spec: specOf(schema(0, [field(1, 'id', Types.long, true), field(2, 'region', Types.string)]), [['region', 'identity']]),
    });
    await t.append({ rows: [{ id: 1n, region: 'eu' }, { id: 2n, region: 'us' }] });
    await assert.rejects(t.updateSchema((u) => u.deleteColumn('region')), (e) => StrataError.is(e, 'INVALID_SCHEMA'));
    await t.updateSpec((u) => u.removeField('region'));
    await t.updateSchema((u) => u.deleteColumn('region'));
    await t.append({ rows: [{ id: 3n }] });
    assert.deepEqual(ids(await t.read()), [1, 2, 3]);
  });

  test('branches, tags, fast-forward and rollback', async () => {
    const t = await events('branches');
    const base = await t.append({ sql: generate(0, 10) });
    await t.refs.createBranch('audit');
    await t.refs.createTag('v1');
    await t.append({ sql: generate(10, 5) }, { branch: 'audit' });
    assert.deepEqual(ids(await t.read()), range(0, 10), 'main is untouched by a branch write');
    assert.deepEqual(ids(await t.read({ ref: 'audit' })), range(0, 15));
    await t.refs.fastForward('main', 'audit');
    assert.deepEqual(ids(await t.read()), range(0, 15));
    assert.deepEqual(ids(await t.read({ ref: 'v1' })), range(0, 10));
    await t.updateSchema((u) => u.addColumn('note', Types.string));
    assert.ok('note' in ((await t.read({ ref: 'audit' }))[0] ?? {}), 'a branch reads with the table schema');
    assert.ok(!('note' in ((await t.read({ ref: 'v1' }))[0] ?? {})), 'a tag reads with its snapshot schema');
    await t.append({ sql: `SELECT *, NULL AS note FROM (${generate(100, 1)})` });
    await t.append({ sql: `SELECT *, NULL AS note FROM (${generate(200, 1)})` }, { branch: 'audit' });
    await assert.rejects(t.refs.fastForward('main', 'audit'), (e) => StrataError.is(e, 'VALIDATION_FAILED'));
    await t.refs.rollbackTo(base.snapshot.snapshotId);
    assert.deepEqual(ids(await t.read()), range(0, 10));
    await assert.rejects(t.refs.createTag('v1'), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    await t.refs.removeTag('v1');
    assert.equal(t.metadata().refs['v1'], undefined);
    await assert.rejects(t.refs.removeBranch('main'), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    await assert.rejects(t.read({ ref: 'nope' }), (e) => StrataError.is(e, 'REF_NOT_FOUND'));
  });

  test('bad rows are refused before anything is written', async () => {
    const t = await events('bad-rows');
    await assert.rejects(t.append({ rows: [{ id: 'x', ts: '2024-01-01T00:00:00Z' }] }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    await assert.rejects(t.append({ rows: [{ id: 1n, ts: null }] }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    await assert.rejects(t.append({ rows: [{ id: 1n, ts: '2024-01-01T00:00:00Z', nope: 1 }] }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
    assert.equal(t.metadata().snapshots.length, 0);
  });

  test('row-level delete files written by other engines are refused loudly, never ignored', async () => {
    const t = await events('delete-files');
    await t.append({ sql: generate(0, 10) });
    const { writeManifest, writeManifestList, readManifestList } = await import('./io/manifest-io.ts');
    const { commitMetadataChange } = await import('./commit/metadata-change.ts');
    const meta = t.metadata();
    const parent = t.currentSnapshot();
    assert.ok(parent);
    const snapshotId = 99n;
    const sequenceNumber = meta.lastSequenceNumber + 1n;
    const deletes = await writeManifest(t.ops.store, meta, {
      specId: 0,
      content: 1,
      snapshotId,
      sequenceNumber,
      entries: [{
        status: 1,
        snapshotId,
        sequenceNumber: null,
        fileSequenceNumber: null,
        dataFile: {
          content: 1, filePath: `${meta.location}/data/pos-deletes.parquet`, fileFormat: 'PARQUET', specId: 0,
          partition: [19783], recordCount: 1, fileSizeInBytes: 100,
        },
      }],
    });
    const list = await writeManifestList(t.ops.store, meta, snapshotId, parent.snapshotId, sequenceNumber, 0, [
      ...(await readManifestList(t.ops.store, parent)),
      deletes,
    ]);
    await commitMetadataChange(t.ops, () => ({
      requirements: [],
      updates: [
        {
          action: 'add-snapshot',
          snapshot: { snapshotId, parentSnapshotId: parent.snapshotId, sequenceNumber, timestampMs: Date.now(), manifestList: list, summary: { operation: 'delete' } },
        },
        { action: 'set-snapshot-ref', refName: 'main', ref: { snapshotId, type: 'branch' } },
      ],
    }));
    await assert.rejects(t.read(), (e) => StrataError.is(e, 'UNSUPPORTED_FEATURE'));
    await assert.rejects(t.deleteWhere(Expressions.lessThan('ts', '2024-03-02T00:00:00Z')), (e) => StrataError.is(e, 'UNSUPPORTED_FEATURE'));
    assert.deepEqual(ids(await t.read({ snapshotId: parent.snapshotId })), range(0, 10), 'snapshots before the deletes still read');
  });

  test('an empty table reads no rows', async () => {
    const t = await events('empty');
    assert.deepEqual(await t.read(), []);
    const plan = await t.scan().planFiles();
    assert.equal(plan.snapshot, undefined);
    assert.equal(plan.stats.filesPlanned, 0);
  });
});
