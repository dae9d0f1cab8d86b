/** The pipelines and data-quality section of BENCHMARKS.md: DQDL evaluation cost and pipeline-run overhead. */
import type { PipelineQualityResult } from './pipeline-quality.ts';
import { markdownTable, ms, ratio } from './stats.ts';

const count = (n: number): string => n.toLocaleString('en-US');

export function pipelineSection(r: PipelineQualityResult): string[] {
  const q = r.quality;
  const p = r.pipeline;
  const bookkeeping = p.pipeline.p50 - p.pipelineStep.p50;
  const inStep = p.pipelineStep.p50 - p.direct.p50;
  return [
    '## (h) Pipelines and data quality',
    '',
    `Method, DQDL: one ruleset of ${q.rules} rules on \`tpch.lineitem\` of (e) (RowCount, IsComplete, Completeness, Uniqueness of`,
    '(l_orderkey, l_linenumber), ColumnValues ranges and sets, one with a threshold and one with a `where`, Mean, Sum,',
    'StandardDeviation, ColumnLength, an `and` composite), evaluated three ways: *compiled* = `checkTable` (describe, rules',
    'compiled to as few SQL passes as possible, run through a `SqlSession`); *per rule* = each rule checked alone as its own',
    "ruleset through `checkTable`, times summed (one query per rule); *DuckDB* = one hand-written aggregate SELECT of the same",
    "dataset-level metrics over `read_parquet([...])` of the table's data files on a bare connection. The runs check that",
    `compiled and per rule agree on every rule's outcome and that DuckDB counts the same rows. p50 of ${q.runs} runs after a warm-up; ms.`,
    '',
    markdownTable(
      ['rows', 'rules passed', 'compiled p50', 'statements', 'per rule p50', 'statements', 'DuckDB p50', 'compiled / DuckDB', 'per rule / compiled'],
      [
        [
          count(q.rows),
          `${q.rulesPassed} / ${q.rules}`,
          ms(q.compiled.p50),
          String(q.compiledPasses),
          ms(q.perRule.p50),
          String(q.perRulePasses),
          ms(q.duckdb.p50),
          `**${ratio(q.compiled.p50, q.duckdb.p50)}**`,
          `**${ratio(q.perRule.p50, q.compiled.p50)}**`,
        ],
      ],
    ),
    '',
    `The compiler reads the table in ${q.compiledPasses} statement(s) instead of ${q.perRulePasses}, which makes the ruleset ` +
      `${ratio(q.perRule.p50, q.compiled.p50)} faster than one query per rule; it takes ${ratio(q.compiled.p50, q.duckdb.p50)} the time of the ` +
      'hand-written SELECT, which skips the describe, the catalog load and the file planning of each check. ' +
      `The slowest rule alone, \`${q.slowestRule.rule}\`, takes ${ms(q.slowestRule.p50)} ms (${((q.slowestRule.p50 / q.perRule.p50) * 100).toFixed(0)}% of the per-rule total).`,
    '',
    `Method, pipelines: one SQL step overwriting one month partition (\`l_shipdate\` in ${p.month}, ${count(p.rowsWritten)} rows) of a table`,
    'partitioned like lineitem. *direct* = `SqlSession.execute(\'INSERT OVERWRITE …\')`; *pipeline* = trigger + `runQueued` of a',
    'one-step pipeline (mode `overwrite-partitions`); *audited* = the same step with an `audit` gate of ' + `${p.auditRules} DQDL rules (action`,
    '`fail`): written on a branch, checked there, results recorded, main fast-forwarded. *step* = the step record\'s own',
    `duration (\`startedAt\` → \`finishedAt\`, ms resolution). p50 of ${p.runs} alternating runs after a warm-up; ms.`,
    '',
    markdownTable(
      ['way', 'p50', 'step p50', 'vs direct'],
      [
        ['direct INSERT OVERWRITE', ms(p.direct.p50), '—', '1.00×'],
        ['one-step pipeline run', ms(p.pipeline.p50), ms(p.pipelineStep.p50), `**${ratio(p.pipeline.p50, p.direct.p50)}**`],
        [`with audit gate (${p.auditRules} rules, fail)`, ms(p.audited.p50), ms(p.auditedStep.p50), `**${ratio(p.audited.p50, p.direct.p50)}**`],
      ],
    ),
    '',
    `A pipeline run adds ${ms(p.pipeline.p50 - p.direct.p50)} ms to the write: ${ms(bookkeeping)} ms around the step (run record, claim and leases ` +
      `in the catalog database, lineage events) and ${ms(inStep)} ms inside it (exactly-once marker lookup, the column check of its SELECT); ` +
      `the audit gate adds ${ms(p.audited.p50 - p.pipeline.p50)} ms more (branch, ${p.auditRules}-rule check, results row, fast-forward).`,
    '',
  ];
}

export function pipelineHeadline(r: PipelineQualityResult): string[] {
  const q = r.quality;
  const p = r.pipeline;
  return [
    `- Data quality: ${q.rules} DQDL rules over ${count(q.rows)} rows run as ${q.compiledPasses} statement(s), p50 ${ms(q.compiled.p50)} ms ` +
      `(${ratio(q.compiled.p50, q.duckdb.p50)} a hand-written DuckDB SELECT; one query per rule takes ${ratio(q.perRule.p50, q.compiled.p50)} as long). ` +
      `Pipelines: a one-step run overwriting ${count(p.rowsWritten)} rows takes ${ratio(p.pipeline.p50, p.direct.p50)} a direct INSERT OVERWRITE, ` +
      `${ratio(p.audited.p50, p.direct.p50)} with an audit gate.`,
  ];
}
