/**
 * A temporary Strata home for pipeline tests: a source table `src.events` (id, day, amount) with a
 * few rows per day, and helpers to open services on it and read tables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../../catalog/index.ts';
import { Types, field } from '../../../table/index.ts';
import { PipelineService, type PipelineServiceOptions } from '../pipeline-service.ts';

export interface PipelineFixture {
  readonly dir: string;
  readonly home: StrataHome;
  /** Opens a service on the home (closed by `close()`). */
  service(options?: Omit<PipelineServiceOptions, 'home'>): Promise<PipelineService>;
  /** Rows of a table's main branch (or of a branch), sorted by id. */
  rows(table: string, branch?: string): Promise<Record<string, unknown>[]>;
  /** Snapshots of a table whose summary carries this run and step. */
  commitsOf(table: string, runId: string, stepId: string): Promise<number>;
  close(): Promise<void>;
}

/** Source rows: days 2024-03-01 … 2024-03-03, ids d*10 + 1..3, amount = id (one negative on 03-02). */
export const SOURCE_DAYS = ['2024-03-01', '2024-03-02', '2024-03-03'];

export async function pipelineFixture(): Promise<PipelineFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-pipeline-'));
  const home = await openStrataHome(join(dir, 'home'));
  await home.catalog.createNamespace(['src'], { zone: 'raw' });
  await home.catalog.createNamespace(['out'], { zone: 'processed' });
  const source = await home.catalog.createTable('src.events', [field(1, 'id', Types.long, true), field(2, 'day', Types.date, true), field(3, 'amount', Types.long)]);
  const rows = SOURCE_DAYS.flatMap((day, d) =>
    [1, 2, 3].map((i) => ({ id: BigInt(d * 10 + i), day, amount: day === '2024-03-02' && i === 2 ? -5n : BigInt(d * 10 + i) })),
  );
  await source.append({ rows });
  const services: PipelineService[] = [];
  return {
    dir,
    home,
    async service(options = {}) {
      const service = await PipelineService.open({ home, ...options });
      services.push(service);
      return service;
    },
    async rows(table, branch) {
      const t = await home.catalog.loadTable(table);
      const meta = await t.refresh();
      const snapshotId = branch === undefined ? meta.refs['main']?.snapshotId : meta.refs[branch]?.snapshotId;
      if (snapshotId === undefined) return [];
      return (await t.read({ snapshotId })).sort((a, b) => Number(a['id']) - Number(b['id']));
    },
    async commitsOf(table, runId, stepId) {
      const t = await home.catalog.loadTable(table);
      return (await t.refresh()).snapshots.filter((s) => s.summary['strata.run-id'] === runId && s.summary['strata.step-id'] === stepId).length;
    },
    async close() {
      for (const s of services) await s.close();
      await home.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
