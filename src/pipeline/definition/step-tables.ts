/**
 * Which tables a step reads and writes, by kind — the one place that knows, so the DAG, the
 * validator and lineage agree.
 *
 * Gotchas:
 * - A publish step READS its tables (it moves their main branch to the run's branch); it does not
 *   count as a writer, otherwise every published table would have two writers.
 * - An ingest step reads files, not tables: `inputsOf` is empty.
 * - Table names compare case-insensitively (`tableKey`), as the SQL engines treat them.
 */
import type { StepDefinition } from './pipeline-definition.ts';

/** Tables (`db.table`) the step reads. */
export function inputsOf(step: StepDefinition): readonly string[] {
  switch (step.kind) {
    case 'sql':
      return step.inputs;
    case 'ingest':
      return [];
    case 'quality':
      return [step.table];
    case 'publish':
      return step.tables;
    case 'function':
      return step.inputs ?? [];
  }
}

/** Tables (`db.table`) the step writes. */
export function outputsOf(step: StepDefinition): readonly string[] {
  switch (step.kind) {
    case 'sql':
      return [step.output];
    case 'ingest':
      return [step.into];
    case 'function':
      return step.outputs ?? [];
    case 'quality':
    case 'publish':
      return [];
  }
}

/** The form two table names are compared in. */
export function tableKey(table: string): string {
  return table.trim().toLowerCase();
}
