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
const skip = unavailable !== undefined && !process.env['CI'] ? `${unavailable}; set CI to make this a failure` : false;

interface PlannedRead {
  readonly label: string;
  readonly strata: ScanOptions;
  readonly py: PyRead;
  /** PyIceberg must fail this read with exactly this error. */
  readonly expectError?: string;
  /** A known PyIceberg bug prunes every file for this filter (see FilterCase.pyPrunesAll). */
  readonly pyPrunesAll?: string;
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
      const unreadable = (built.pyUnreadable ?? []).map((u) => u.column);
      const selected = unreadable.length === 0 ? {} : { selected_fields: table.schema().fields.map((f) => f.name).filter((f) => !unreadable.includes(f)) };
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
          ...(f.pyPrunesAll !== undefined ? { pyPrunesAll: f.pyPrunesAll } : {}),
          py: { metadata, row_filter: f.py, out: out(`filter${i}`) },
        })),
      ].map((r) => ({ ...r, py: { ...r.py, ...selected } }));
      for (const u of built.pyUnreadable ?? []) {
        reads.push({ label: `unreadable ${u.column}`, strata: {}, py: { metadata, selected_fields: ['id', u.column], out: out(`bad-${u.column}`) }, expectError: u.error });
      }
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
        const py: PyReadResult | undefined = state.results[i];
        assert.ok(py, `${read.label}: no PyIceberg result`);
        if (read.expectError !== undefined) {
          assert.equal(py.error, read.expectError, `${read.label}: PyIceberg should refuse this read`);
          continue;
        }
        if (read.pyPrunesAll !== undefined) {
          assert.deepStrictEqual([py.error, py.files, py.rows], [undefined, 0, 0], `${read.label}: ${read.pyPrunesAll}; PyIceberg now finds rows, so turn this into a full comparison`);
          const strataRows = await table.read(read.strata);
          assert.ok(strataRows.length > 0, `${read.label}: Strata should find the rows PyIceberg misses`);
          continue;
        }
        assert.equal(py.error, undefined, `${read.label}: PyIceberg rejected the table: ${String(py.error)}`);
        assert.deepStrictEqual(py.metadata, expectedMeta, `${read.label}: PyIceberg sees different metadata`);
        await assertSameRead(table, home.runtime, read, py, state.built.pyNullListAsEmpty);
      }
      assertCaseShape(c.name, state);
    });
  }
});

async function assertSameRead(
  table: Table,
  runtime: StrataHome['runtime'],
  read: PlannedRead,
  py: PyReadResult,
  nullListAsEmpty: readonly string[] = [],
): Promise<void> {
  const scan = table.scan(read.strata);
  const plan = await scan.planFiles();
  const selected = read.py.selected_fields;
  const projected = selected === undefined ? plan.schema : { ...plan.schema, fields: plan.schema.fields.filter((f) => selected.includes(f.name)) };
  assert.deepStrictEqual(py.projection, schemaView(projected), `${read.label}: PyIceberg projects a different schema`);
  if (read.strata.filter !== undefined) {
    assert.equal(py.files, plan.tasks.length, `${read.label}: PyIceberg planned ${py.files} files, Strata ${plan.tasks.length}`);
  }
  const columns = plan.schema.fields.map((f) => f.name).filter((f) => read.py.selected_fields?.includes(f) ?? true);
  const cmp = await compareRows(runtime, await scan.toSql(plan), read.py.out, columns, nullListAsEmpty);
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
    if (read.strata.filter !== undefined && read.pyPrunesAll === undefined) {
      const rows = state.results[i]?.rows ?? -1;
      assert.ok(rows > 0 && rows < current.rows, `${name}: ${read.label} should select some rows but not all (got ${rows} of ${current.rows})`);
    }
  }
  const operations = meta.snapshots.map((s) => s.summary.operation);
  if (name.startsWith('schema evolution')) assert.equal(meta.schemas.length, 8);
  if (name.startsWith('partition spec evolution')) assert.equal(meta.partitionSpecs.length, 2);
  if (name === 'dynamic partition overwrite') assert.deepStrictEqual(operations, ['append', 'overwrite']);
  if (name.startsWith('metadata-only delete')) assert.deepStrictEqual(operations, ['append', 'delete', 'append', 'delete']);
  if (name === 'branches and tags') {
    assert.deepStrictEqual(Object.keys(meta.refs).sort(), ['audit', 'main', 'staging', 'v1']);
  }
}
