/**
 * `strata snapshots <db.table>`: the table's history, oldest first — every snapshot with its
 * parent, commit time, operation, row and file counts, and the branches/tags that point at it.
 */
import type { Command } from 'commander';
import type { Table } from '../../table/index.ts';
import type { CliContext } from '../cli-context.ts';
import { rowStreamOf, type RowStream } from '../output/index.ts';
import { loadTableForCli, splitTableName } from './load-table.ts';

function count(value: string | undefined): bigint | null {
  return value !== undefined && /^\d+$/.test(value) ? BigInt(value) : null;
}

export function snapshotsStream(table: Table): RowStream {
  const meta = table.metadata();
  const refsBySnapshot = new Map<bigint, string[]>();
  for (const [name, ref] of Object.entries(meta.refs)) {
    const label = ref.type === 'tag' ? `tag:${name}` : name;
    refsBySnapshot.set(ref.snapshotId, [...(refsBySnapshot.get(ref.snapshotId) ?? []), label]);
  }
  const rows = [...meta.snapshots]
    .sort((a, b) => (a.sequenceNumber < b.sequenceNumber ? -1 : a.sequenceNumber > b.sequenceNumber ? 1 : a.timestampMs - b.timestampMs))
    .map((s) => [
      s.snapshotId,
      s.parentSnapshotId ?? null,
      new Date(s.timestampMs).toISOString(),
      s.summary.operation,
      count(s.summary['added-records']),
      count(s.summary['deleted-records']),
      count(s.summary['total-records']),
      count(s.summary['total-data-files']),
      s.schemaId ?? null,
      s.snapshotId === meta.currentSnapshotId,
      (refsBySnapshot.get(s.snapshotId) ?? []).sort().join(', ') || null,
    ]);
  return rowStreamOf(
    [
      { name: 'snapshot_id', type: 'BIGINT' },
      { name: 'parent_id', type: 'BIGINT' },
      { name: 'committed_at', type: 'TIMESTAMP WITH TIME ZONE' },
      { name: 'operation', type: 'VARCHAR' },
      { name: 'added_records', type: 'BIGINT' },
      { name: 'deleted_records', type: 'BIGINT' },
      { name: 'total_records', type: 'BIGINT' },
      { name: 'total_files', type: 'BIGINT' },
      { name: 'schema_id', type: 'INTEGER' },
      { name: 'current', type: 'BOOLEAN' },
      { name: 'refs', type: 'VARCHAR' },
    ],
    rows,
  );
}

export function registerSnapshots(program: Command, context: CliContext): void {
  program
    .command('snapshots')
    .argument('<table>', 'the table, as database.table')
    .description("List a table's snapshots (its commit history), oldest first")
    .addHelpText(
      'after',
      `
Examples:
  $ strata snapshots sales.orders
  $ strata snapshots sales.orders --format json | tail -1
  $ strata snapshots sales.orders --format parquet --output history.parquet`,
    )
    .action(async (name: string) => {
      await context.withHome(async (strata) => {
        await context.governed(strata, 'snapshots', `snapshots ${name}`, async (guard) => {
          const { database, table } = splitTableName(name);
          guard.require('DESCRIBE', { database, table });
        });
        await context.render(snapshotsStream(await loadTableForCli(strata.catalog, name)), strata);
      });
    });
}
