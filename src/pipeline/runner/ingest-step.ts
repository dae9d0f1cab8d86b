/**
 * The ingest step: files → a raw table through the ingest plane. Exactly once by content: the
 * ingest ledger recognises files already ingested (by any earlier attempt or run) and skips them,
 * and bad records are quarantined with their reason, never dropped.
 */
import { readFile } from 'node:fs/promises';
import { StrataError } from '../../core/index.ts';
import { ingest, parseSchemaFile } from '../../ingest/index.ts';
import type { IngestStep } from '../definition/pipeline-definition.ts';
import type { StepExecution, StepOutcome } from './step-execution.ts';

export async function runIngestStep(x: StepExecution, step: IngestStep): Promise<StepOutcome> {
  const { catalog, lake, runtime } = x.home;
  const database = step.into.slice(0, step.into.lastIndexOf('.'));
  if (!(await catalog.listNamespaces()).some((ns) => ns.join('.') === database)) {
    await catalog.createNamespace(database.split('.'), { zone: 'raw' }).catch((error: unknown) => {
      if (!StrataError.is(error, 'NAMESPACE_ALREADY_EXISTS')) throw error;
    });
  }
  await x.fault('before-write', step.id, x.attempt);
  const result = await ingest({
    catalog,
    lake,
    runtime,
    paths: step.paths.map((p) => x.render(p)),
    into: step.into,
    ...(step.format === undefined ? {} : { format: step.format }),
    ...(step.schema === undefined ? {} : { schema: parseSchemaFile(await readFile(x.render(step.schema), 'utf8'), x.render(step.schema)) }),
    ...(step.maxBadRatio === undefined ? {} : { maxBadRatio: step.maxBadRatio }),
  });
  await x.fault('after-commit', step.id, x.attempt);
  if (result.failed) {
    throw new StrataError('VALIDATION_FAILED', `Ingest into ${step.into} failed: ${result.quarantined} of ${result.read} record(s) quarantined in ${result.quarantineTable}`, {
      step: step.id,
      quarantined: result.quarantined,
    });
  }
  const skipped = result.files.filter((f) => f.status === 'skipped').length;
  return {
    inputs: [],
    outputs: [{ table: step.into, ...(result.snapshotId === undefined ? {} : { snapshotId: result.snapshotId }), rows: result.written }],
    ...(skipped > 0 ? { note: `${skipped} file(s) already ingested` } : {}),
  };
}
