/**
 * The SQL transform step: run a SELECT over tables and write its rows to the output table with
 * append, overwrite-partitions or merge-by-key semantics, exactly once per run and step.
 *
 * - The output table is created from the query's columns on first run (partitioned as declared).
 * - Columns map BY NAME: the query must name its columns like the table's; a table column the
 *   query lacks is written NULL, a query column the table lacks is an error.
 * - merge is copy-on-write: the table's new content (rows whose key the source does not have, plus
 *   the source) replaces it whole in one snapshot. Source keys must be unique.
 * - With an `audit` gate the write goes to a branch, is audited there and published only if it
 *   passes (write-audit-publish.ts, audit-gate.ts). A table a publish step publishes is staged on
 *   the run's branch and left for that step.
 */
import { StrataError } from '../../core/index.ts';
import { quoteSqlIdent as quoteIdent, type Table } from '../../table/index.ts';
import type { SqlSession } from '../../sql/index.ts';

import type { SqlStep } from '../definition/pipeline-definition.ts';
import { quarantineTableName } from '../../quality/check/failed-rows.ts';
import { auditBranch } from './audit-gate.ts';
import { findStepCommit, markerSummary, refuseDuplicateCommit } from './commit-marker.ts';
import { rowsOf } from './session-rows.ts';
import { describeRelation } from '../../quality/check/session-sql.ts';
import type { QualityOutcome, StepExecution, StepOutcome, TableVersion } from './step-execution.ts';
import { dropBranch, openBranch, publishBranch, runBranch, wapBranch } from './write-audit-publish.ts';

export async function runSqlStep(x: StepExecution, step: SqlStep): Promise<StepOutcome> {
  const select = x.render(step.sql);
  const table = await ensureOutputTable(x, step, select);
  const staged = x.staged.has(step.output);
  const branch = staged ? runBranch(x.run.runId) : step.audit ? wapBranch(x.run.runId, step.id) : 'main';

  // Exactly once: an earlier attempt's commit on main (or on the run's staging branch) is adopted.
  const earlier = findStepCommit(await table.refresh(), x.key, staged ? branch : 'main');
  if (earlier) {
    if (step.audit?.action === 'quarantine') await publishQuarantine(x, step.output, branch);
    return { inputs: [], outputs: [{ table: step.output, snapshotId: earlier.snapshotId }], note: `adopted commit ${earlier.snapshotId} of an earlier attempt` };
  }

  if (branch !== 'main') await openBranch(table, branch, { fresh: !staged });
  if (!staged && step.audit?.action === 'quarantine') await dropQuarantineBranch(x, step.output, branch);
  const head = (await table.refresh()).refs[branch]?.snapshotId;
  await x.fault('before-write', step.id, x.attempt);
  const write = { branch, summary: markerSummary(x.key), validate: refuseDuplicateCommit(x.key, branch) };
  const statement = await writeStatement(x.session, table, step, select, branch);
  await x.session.execute(statement.sql, { signal: x.signal, write: { ...write, overwrite: statement.overwrite } });
  const inputs: TableVersion[] = x.session.lastPlan.map((p) => ({ table: p.table, ...(p.snapshotId === undefined ? {} : { snapshotId: p.snapshotId }) }));
  await x.fault('after-write', step.id, x.attempt);

  let quality: QualityOutcome | undefined;
  if (step.audit) {
    const gate = await auditBranch(x, step.output, branch, step.audit, async (excluded) => {
      // The step's own write again, minus the quarantined rows, from where the branch was before
      // it: the mode's semantics (append, partition overwrite, merge) hold for what publishes.
      if (head !== undefined) await table.refs.setCurrentSnapshot(head, branch);
      const again = await writeStatement(x.session, table, step, select, branch, excluded);
      await x.session.execute(again.sql, { signal: x.signal, write: { ...write, overwrite: again.overwrite } });
    });
    quality = gate.outcome;
  }
  await x.fault('before-publish', step.id, x.attempt);
  let snapshotId: bigint | undefined;
  if (staged) {
    snapshotId = (await table.refresh()).refs[branch]?.snapshotId;
  } else if (branch !== 'main') {
    snapshotId = await publishBranch(table, branch);
    if (step.audit?.action === 'quarantine') await publishQuarantine(x, step.output, branch);
  } else {
    snapshotId = (await table.refresh()).refs['main']?.snapshotId;
  }
  await x.fault('after-publish', step.id, x.attempt);
  const summary = snapshotId === undefined ? undefined : table.metadata().snapshots.find((s) => s.snapshotId === snapshotId)?.summary;
  return {
    inputs,
    outputs: [
      {
        table: step.output,
        ...(snapshotId === undefined ? {} : { snapshotId }),
        ...(staged ? { branch } : {}),
        ...(summary?.['added-records'] ? { rows: Number(summary['added-records']) } : {}),
        ...(summary?.['added-files-size'] ? { bytes: Number(summary['added-files-size']) } : {}),
      },
    ],
    ...(quality ? { quality: [quality] } : {}),
  };
}

/** What an earlier attempt quarantined on its branch was never published: start that over too. */
async function dropQuarantineBranch(x: StepExecution, output: string, branch: string): Promise<void> {
  const quarantine = quarantineTableName(output);
  if (await x.home.catalog.tableExists(quarantine)) await dropBranch(await x.home.catalog.loadTable(quarantine), branch);
}

async function publishQuarantine(x: StepExecution, output: string, branch: string): Promise<void> {
  const quarantine = quarantineTableName(output);
  if (await x.home.catalog.tableExists(quarantine)) await publishBranch(await x.home.catalog.loadTable(quarantine), branch);
}

async function ensureOutputTable(x: StepExecution, step: SqlStep, select: string): Promise<Table> {
  if (!(await x.home.catalog.tableExists(step.output))) {
    const database = step.output.slice(0, step.output.lastIndexOf('.'));
    await x.session.execute(`CREATE DATABASE IF NOT EXISTS ${database}`);
    const partitioned = step.partitionBy && step.partitionBy.length > 0 ? ` PARTITIONED BY (${step.partitionBy.join(', ')})` : '';
    await x.session.execute(`CREATE TABLE IF NOT EXISTS ${step.output}${partitioned} AS SELECT * FROM (${select}\n) LIMIT 0`);
  }
  return x.home.catalog.loadTable(step.output);
}

async function writeStatement(
  session: SqlSession,
  table: Table,
  step: SqlStep,
  select: string,
  branch: string,
  exclude?: string,
): Promise<{ sql: string; overwrite: 'partitions' | 'table' }> {
  const fields = table.schema().fields;
  const produced = await describeRelation(session, `(${select}\n)`);
  const known = new Map(fields.map((f) => [f.name.toLowerCase(), f.name]));
  const unknown = produced.filter((c) => !known.has(c.name.toLowerCase()));
  if (unknown.length > 0) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Step ${step.id} produces column(s) ${unknown.map((c) => c.name).join(', ')} that ${step.output} does not have; its columns are ${fields.map((f) => f.name).join(', ')}`,
      { step: step.id, table: step.output },
    );
  }
  const has = new Set(produced.map((c) => c.name.toLowerCase()));
  const projection = fields.map((f) => (has.has(f.name.toLowerCase()) ? quoteIdent(f.name) : `NULL AS ${quoteIdent(f.name)}`)).join(', ');
  const projected = `SELECT ${projection} FROM (${select}\n) AS strata_step_source`;
  const source = exclude === undefined ? projected : `(${projected}\n) EXCEPT ALL (${exclude}\n)`;
  if (step.mode === 'append') return { sql: `INSERT INTO ${step.output} ${source}`, overwrite: 'partitions' };
  if (step.mode === 'overwrite-partitions') return { sql: `INSERT OVERWRITE ${step.output} ${source}`, overwrite: 'partitions' };

  const keys = step.mergeKeys ?? [];
  const keyList = keys.map(quoteIdent).join(', ');
  const duplicates = await rowsOf(session, `SELECT count(*) AS n FROM (SELECT ${keyList} FROM (${source}\n) GROUP BY ALL HAVING count(*) > 1)`);
  if (Number(duplicates[0]?.['n'] ?? 0) > 0) {
    throw new StrataError('INVALID_ARGUMENT', `Step ${step.id} merges on (${keys.join(', ')}) but its query returns ${String(duplicates[0]?.['n'])} key(s) more than once; make the keys unique`, {
      step: step.id,
    });
  }
  const target = branch === 'main' ? step.output : `${step.output} FOR VERSION AS OF '${branch}'`;
  const matches = keys.map((k) => `s.${quoteIdent(k)} IS NOT DISTINCT FROM t.${quoteIdent(k)}`).join(' AND ');
  const kept = `SELECT ${fields.map((f) => `t.${quoteIdent(f.name)}`).join(', ')} FROM ${target} AS t WHERE NOT EXISTS (SELECT 1 FROM (${source}\n) AS s WHERE ${matches})`;
  return { sql: `INSERT OVERWRITE ${step.output} ${kept} UNION ALL ${source}`, overwrite: 'table' };
}
