/**
 * The pipeline the crash tests kill and restart: ingest files, an append (which would duplicate
 * rows if a step ran twice), and a gated write-audit-publish step that quarantines bad rows.
 */
import { definePipeline } from '../../../src/pipeline/index.ts';

export function crashPipeline(inputDir: string) {
  return definePipeline({
    name: 'crashy',
    retries: { maxAttempts: 2, initialDelayMs: 1 },
    steps: [
      { id: 'ingest', kind: 'ingest', paths: [`${inputDir}/events-{{ ds }}.ndjson`], into: 'raw.events', format: 'ndjson' },
      { id: 'append', kind: 'sql', inputs: ['raw.events'], output: 'out.appended', mode: 'append', sql: "SELECT id, amount, '{{ ds }}' AS ds FROM raw.events WHERE day = '{{ ds }}'" },
      {
        id: 'gated',
        kind: 'sql',
        inputs: ['raw.events'],
        output: 'out.gated',
        mode: 'overwrite-partitions',
        partitionBy: ['day'],
        sql: "SELECT id, day, amount FROM raw.events WHERE day = '{{ ds }}'",
        audit: { action: 'quarantine', where: "day = '{{ ds }}'", rules: 'Rules = [ ColumnValues "amount" >= 0 ]' },
      },
    ],
  });
}
