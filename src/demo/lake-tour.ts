/**
 * `strata tour`: the lake's spine end to end on embedded defaults, narrated. Creates a partitioned
 * Iceberg table, appends, prunes a scan, evolves the schema and the partition spec, overwrites and
 * deletes partitions, writes on a branch and publishes it, and time-travels — then prints where
 * the table's metadata lives so any Iceberg reader (PyIceberg, Spark, DuckDB) can open it.
 */
import { openStrataHome } from '../catalog/index.ts';
import { Expressions, Types, field, type ScanStats } from '../table/index.ts';

export interface LakeTourOptions {
  readonly home: string;
  readonly log?: (line: string) => void;
}

export async function runLakeTour(options: LakeTourOptions): Promise<{ metadataLocation: string; rows: number }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const strata = await openStrataHome(options.home);
  try {
    const { catalog } = strata;
    log(`Strata home: ${strata.home}`);
    if (!(await catalog.listNamespaces()).some((ns) => ns.join('.') === 'demo')) await catalog.createNamespace(['demo']);
    if (await catalog.tableExists('demo.events')) await catalog.dropTable('demo.events', { purge: true });

    const events = await catalog.createTable(
      'demo.events',
      [
        field(1, 'event_id', Types.long, true),
        field(2, 'ts', Types.timestamptz, true),
        field(3, 'user_id', Types.long),
        field(4, 'kind', Types.string),
        field(5, 'amount', Types.decimal(12, 2)),
      ],
      { partitionBy: [{ source: 'ts', transform: 'day' }, { source: 'user_id', transform: 'bucket[4]' }] },
    );
    log(`\n1. Created demo.events, partitioned by day(ts), bucket[4](user_id)`);

    const generate = (from: number, count: number) =>
      `SELECT i AS event_id, TIMESTAMPTZ '2026-11-01 00:00:00+00' + INTERVAL (i * 7) MINUTE AS ts, i % 97 AS user_id,
              ['view', 'click', 'buy'][1 + i % 3] AS kind, CAST((i % 500) * 1.25 AS DECIMAL(12, 2)) AS amount
       FROM range(${from}, ${from + count}) t(i)`;
    for (const batch of [0, 1, 2]) {
      const result = await events.append({ sql: generate(batch * 2000, 2000) });
      log(`   append #${batch + 1}: snapshot ${result.snapshot.snapshotId}, +${result.snapshot.summary['added-records']} rows in ${result.snapshot.summary['added-data-files']} files`);
    }

    const filter = Expressions.and(
      Expressions.greaterThanOrEqual('ts', '2026-11-03T00:00:00Z'),
      Expressions.lessThan('ts', '2026-11-04T00:00:00Z'),
    );
    const plan = await events.scan({ filter }).planFiles();
    const day3 = await events.read({ filter });
    log(`\n2. Scan for 2026-11-03: ${day3.length} rows; ${describePlan(plan.stats)}`);

    await events.updateSchema((u) => u.addColumn('channel', Types.string).renameColumn('kind', 'event_type').updateColumnType('amount', Types.decimal(18, 2)));
    await events.append({ rows: [{ event_id: 100000n, ts: '2026-11-05T12:00:00Z', user_id: 7n, event_type: 'buy', amount: '99.99', channel: 'web' }] });
    log(`\n3. Schema evolved (kind → event_type, + channel, amount widened to decimal(18, 2)); old files still read: ${(await events.read()).length} rows`);

    await events.updateSpec((u) => u.removeField('ts_day').removeField('user_id_bucket_4').addField('ts', 'hour'));
    await events.append({ rows: [{ event_id: 100001n, ts: '2026-11-05T13:30:00Z', user_id: 8n, event_type: 'view', amount: '1.00', channel: 'app' }] });
    log(`   Partition spec evolved to hour(ts); the table now has ${events.metadata().partitionSpecs.length} specs`);

    const overwrite = await events.overwritePartitions({
      rows: [{ event_id: 200000n, ts: '2026-11-05T13:05:00Z', user_id: 9n, event_type: 'refund', amount: '-5.00', channel: 'app' }],
    });
    log(`\n4. Dynamic overwrite of hour 2026-11-05-13: -${overwrite.snapshot.summary['deleted-records'] ?? 0} +${overwrite.snapshot.summary['added-records']} rows`);

    const removed = await events.deleteWhere(Expressions.lessThan('ts', '2026-11-02T00:00:00Z'));
    log(`   Metadata-only delete of 2026-11-01: ${removed.snapshot.summary['deleted-data-files']} files, ${removed.snapshot.summary['deleted-records']} rows, no data rewritten`);

    await events.refs.createBranch('audit');
    await events.append({ rows: [{ event_id: 300000n, ts: '2026-11-06T09:00:00Z', user_id: 1n, event_type: 'view', amount: '0.00', channel: 'web' }] }, { branch: 'audit' });
    const onAudit = (await events.read({ ref: 'audit' })).length;
    const onMain = (await events.read()).length;
    await events.refs.fastForward('main', 'audit');
    log(`\n5. Wrote to branch audit (${onAudit} rows) while main had ${onMain}; published: main now ${(await events.read()).length}`);

    const first = events.snapshots()[0];
    if (first) log(`\n6. Time travel to the first snapshot ${first.snapshotId}: ${(await events.read({ snapshotId: first.snapshotId })).length} rows`);

    log(`\nHistory of demo.events:`);
    for (const s of events.snapshots()) {
      log(`   ${new Date(s.timestampMs).toISOString()}  ${String(s.snapshotId).padStart(19)}  ${s.summary.operation.padEnd(9)} total-records=${s.summary['total-records']}`);
    }
    const metadataLocation = events.ops.currentLocation() ?? '';
    const rows = (await events.read()).length;
    log(`\nCurrent metadata: ${metadataLocation}`);
    log(`Open it with any Iceberg reader, e.g. PyIceberg: StaticTable.from_metadata("${metadataLocation}")`);
    return { metadataLocation, rows };
  } finally {
    await strata.close();
  }
}

function describePlan(stats: ScanStats): string {
  return `planned ${stats.filesPlanned} of ${stats.filesTotal} files (${stats.bytesPlanned} bytes), skipped ${stats.manifestsSkipped} of ${stats.manifestsTotal} manifests without reading them`;
}
