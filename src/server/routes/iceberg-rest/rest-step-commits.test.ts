import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../../core/index.ts';
import { MARKER } from '../../../pipeline/index.ts';
import { applyUpdates, newTableMetadata, schema, field, Types, type MetadataUpdate, type TableMetadata } from '../../../table/index.ts';
import { refuseDuplicateStepCommits } from './rest-step-commits.ts';

const empty = newTableMetadata({
  location: 'file:///lake/t',
  schema: schema(0, [field(1, 'id', Types.long, true)]),
  spec: { specId: 0, fields: [] },
  properties: {},
  nowMs: 1_700_000_000_000,
});

function addSnapshot(meta: TableMetadata, id: bigint, summary: Record<string, string>, branch = 'main'): MetadataUpdate[] {
  const parent = meta.refs[branch]?.snapshotId ?? meta.currentSnapshotId ?? undefined;
  return [
    {
      action: 'add-snapshot',
      snapshot: {
        snapshotId: id,
        ...(parent === undefined ? {} : { parentSnapshotId: parent }),
        sequenceNumber: meta.lastSequenceNumber + 1n,
        timestampMs: 1_700_000_000_000 + Number(id),
        manifestList: `file:///lake/t/metadata/snap-${id}.avro`,
        summary: { operation: 'append', ...summary },
        schemaId: 0,
      },
    },
    { action: 'set-snapshot-ref', refName: branch, ref: { snapshotId: id, type: 'branch' } },
  ];
}

const step = (runId: string, stepId: string): Record<string, string> => ({ [MARKER.runId]: runId, [MARKER.stepId]: stepId });
const BIG = 9_007_199_254_740_993n; // above 2^53, as Spark's random snapshot ids are

test('a second commit of the same run and step is refused; other steps, runs and unmarked commits pass', () => {
  const first = addSnapshot(empty, BIG, step('r1', 'load'));
  refuseDuplicateStepCommits(empty, first);
  const after = applyUpdates(empty, first, { nowMs: 1_700_000_000_100, baseLocation: 'file:///lake/t/metadata/v1.metadata.json' });

  assert.throws(
    () => refuseDuplicateStepCommits(after, addSnapshot(after, 7n, step('r1', 'load'))),
    (error: unknown) => StrataError.is(error, 'VALIDATION_FAILED') && error.details['snapshotId'] === String(BIG),
  );
  refuseDuplicateStepCommits(after, addSnapshot(after, 8n, step('r1', 'other')));
  refuseDuplicateStepCommits(after, addSnapshot(after, 9n, step('r2', 'load')));
  refuseDuplicateStepCommits(after, addSnapshot(after, 10n, {}));
});

test('the check follows the branch the commit targets (write-audit-publish)', () => {
  const onBranch = addSnapshot(empty, 5n, step('r1', 'load'), 'wap-r1-load');
  const after = applyUpdates(empty, onBranch, { nowMs: 1_700_000_000_100, baseLocation: 'file:///lake/t/metadata/v1.metadata.json' });
  // main does not have it yet: a commit to main passes, a second one to the branch does not.
  refuseDuplicateStepCommits(after, addSnapshot(after, 6n, step('r1', 'load')));
  assert.throws(() => refuseDuplicateStepCommits(after, addSnapshot(after, 7n, step('r1', 'load'), 'wap-r1-load')), (e: unknown) => StrataError.is(e, 'VALIDATION_FAILED'));
});
