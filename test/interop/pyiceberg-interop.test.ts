// Proof that another engine reads what Strata writes: every table in interop-cases.ts is written by
// Strata, then read by PyIceberg (the reference Python implementation) from its metadata file alone.
// Schema, specs, snapshots, history and refs must match Strata's metadata exactly, and the rows of
// every snapshot, every ref and every filtered (pruned) scan must equal Strata's as multisets.
// Without python3 + pyiceberg this suite is skipped locally, and fails when CI is set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../src/catalog/index.ts';
import type { ScanOptions, Table } from '../../src/table/index.ts';
import { INTEROP_CASES, type BuiltCase } from './interop-cases.ts';
import {
  compareRows,
  pyicebergUnavailable,
  readWithPyIceberg,
  schemaView,
  strataMetadataView,
  type PyRead,
  type PyReadResult,
} from './pyiceberg-harness.ts';

const unavailable = pyicebergUnavailable();
const skip = unavailable !== undefined && process.env['CI'] === undefined ? `${unavailable}; set CI to make this a failure` : false;

interface PlannedRead {
  readonly label: string;
  readonly strata: ScanOptions;
  readonly py: PyRead;
}

interface CaseState {
  readonly built: BuiltCase;
  readonly reads: readonly PlannedRead[];
  results: readonly PyReadResult[];
}

describe('PyIceberg reads the tables Strata writes', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-interop-'));
  let home: StrataHome | undefined;
  const states = new Map<string, CaseState>();

  before(async () => {
    assert.equal(unavailable, undefined, `PyIceberg is required when CI is set: ${String(unavailable)}`);
    home = await openStrataHome(join(dir, 'home'));
    await home.catalog.createNamespace(['interop']);
    let n = 0;
    for (const c of INTEROP_CASES) {
      const built = await c.build(home.catalog, `interop.t${n++}`);
      const table = built.table;
      const metadata = table.ops.currentLocation();
      assert.ok(metadata, `${c.name}: no metadata location`);
      const out = (what: string) => join(dir, `t${n}-${what}.parquet`);
      const reads: PlannedRead[] = [
        { label: 'current', strata: {}, py: { metadata, out: out('current') } },
        ...table.snapshots().map((s) => ({
          label: `snapshot ${s.snapshotId}`,
          strata: { snapshotId: s.snapshotId },
          py: { metadata, snapshot_id: s.snapshotId.toString(), out: out(`s${s.snapshotId}`) },
        })),
        ...built.refs.map((ref) => ({ label: `ref ${ref}`, strata: { ref }, py: { metadata, ref, out: out(`ref-${ref}`) } })),
        ...built.filters.map((f, i) => ({
          label: `filter ${f.py}`,
          strata: { filter: f.strata },
          py: { metadata, row_filter: f.py, out: out(`filter${i}`) },
        })),
      ];
      states.set(c.name, { built, reads, results: [] });
    }
    const all = [...states.values()];
    const results = readWithPyIceberg(all.flatMap((s) => s.reads.map((r) => r.py)));
    let at = 0;
    for (const state of all) {
      state.results = results.slice(at, at + state.reads.length);
      at += state.reads.length;
    }
  });

  after(async () => {
    await home?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of INTEROP_CASES) {
    test(c.name, async () => {
      const state = states.get(c.name);
      assert.ok(state && home, 'the table was not built');
      const table = state.built.table;
      const meta = table.metadata();
      const expectedMeta = strataMetadataView(meta);
      for (const [i, read] of state.reads.entries()) {
        const py = state.results[i];
        assert.ok(py, `${read.label}: no PyIceberg result`);
        assert.equal(py.error, undefined, `${read.label}: PyIceberg rejected the table: ${String(py.error)}`);
        assert.deepStrictEqual(py.metadata, expectedMeta, `${read.label}: PyIceberg sees different metadata`);
        await assertSameRead(table, home.runtime, read, py);
      }
      assertCaseShape(c.name, state);
    });
  }
});

async function assertSameRead(table: Table, runtime: StrataHome['runtime'], read: PlannedRead, py: PyReadResult): Promise<void> {
  const scan = table.scan(read.strata);
  const plan = await scan.planFiles();
  assert.deepStrictEqual(py.projection, schemaView(plan.schema), `${read.label}: PyIceberg projects a different schema`);
  if (read.strata.filter !== undefined) {
    assert.equal(py.files, plan.tasks.length, `${read.label}: PyIceberg planned ${py.files} files, Strata ${plan.tasks.length}`);
  }
  const columns = plan.schema.fields.map((f) => f.name);
  const cmp = await compareRows(runtime, await scan.toSql(plan), read.py.out, columns);
  assert.deepStrictEqual(cmp.pyColumns, columns, `${read.label}: column names differ`);
  assert.deepStrictEqual(
    { rows: cmp.pyRows, onlyInStrata: cmp.onlyInStrata, onlyInPyIceberg: cmp.onlyInPy },
    { rows: cmp.strataRows, onlyInStrata: [], onlyInPyIceberg: [] },
    `${read.label}: rows differ`,
  );
  assert.equal(py.rows, cmp.pyRows);
}

/** Each case really exercised its feature (so an equal-but-empty comparison cannot pass). */
function assertCaseShape(name: string, state: CaseState): void {
  const meta = state.built.table.metadata();
  const current = state.results[0];
  assert.ok(current && current.rows > 0, `${name}: the current snapshot has no rows`);
  for (const [i, read] of state.reads.entries()) {
    if (read.strata.filter !== undefined) {
      const rows = state.results[i]?.rows ?? -1;
      assert.ok(rows > 0 && rows < current.rows, `${name}: ${read.label} should select some rows but not all (got ${rows} of ${current.rows})`);
    }
  }
  const operations = meta.snapshots.map((s) => s.summary.operation);
  if (name.startsWith('schema evolution')) assert.equal(meta.schemas.length, 9);
  if (name.startsWith('partition spec evolution')) assert.equal(meta.partitionSpecs.length, 2);
  if (name === 'dynamic partition overwrite') assert.deepStrictEqual(operations, ['append', 'overwrite']);
  if (name.startsWith('metadata-only delete')) assert.deepStrictEqual(operations, ['append', 'delete', 'append', 'delete']);
  if (name === 'branches and tags') {
    assert.deepStrictEqual(Object.keys(meta.refs).sort(), ['audit', 'main', 'staging', 'v1']);
  }
}
