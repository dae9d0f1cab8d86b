/** The governance section of BENCHMARKS.md: policy compile time and end-to-end overhead ratios. */
import type { GovernanceOverheadResult } from './governance-overhead.ts';
import { markdownTable, ms, ratio } from './stats.ts';

const fine = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '—');

export function governanceSection(r: GovernanceOverheadResult): string[] {
  const rows = r.queries.map((q) => [
    q.name,
    q.rows.toLocaleString('en-US'),
    ms(q.ungoverned.p50),
    ms(q.admin.p50),
    ms(q.analyst.p50),
    `**${ratio(q.analyst.p50, q.admin.p50)}**`,
    ratio(q.admin.p50, q.ungoverned.p50),
  ]);
  return [
    '## (f) Governance: policy compile time and overhead',
    '',
    'Method: the query set of (e) over the same `tpch` tables, three ways, alternating, p50 of ' + `${r.runs} runs after a warm-up that checks all`,
    'three return the same rows. *ungoverned* = `SqlSession` without a governor; *admin* = governed as the administrator',
    '(policy snapshot loaded, checks passed, two audit records appended per statement, no policy applies); *analyst* =',
    'governed as a principal with SELECT on the database, a partial mask on `l_shipmode`, a hash mask on `o_custkey` and a',
    'row filter on lineitem that keeps every row, so the rows are the same and the difference is the cost of policy.',
    `${r.noise.grants} unrelated grants, ${r.noise.masks} masks and ${r.noise.filters} row filters sit in the policy store. ms.`,
    '',
    markdownTable(['query', 'rows out', 'ungoverned p50', 'admin p50', 'analyst p50', 'analyst / admin', 'admin / ungoverned'], rows),
    '',
    `Policy compile per statement (analyst; ${r.compileSamples} samples over the query set): load the policy snapshot from the`,
    'catalog database, decide every table reference, compile its governed relation.',
    '',
    markdownTable(
      ['step', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['snapshot load', fine(r.snapshotLoad.p50), fine(r.snapshotLoad.p99), fine(r.snapshotLoad.max)],
        ['**snapshot + decide + compile**', fine(r.compile.p50), fine(r.compile.p99), fine(r.compile.max)],
      ],
    ),
    '',
  ];
}

export function governanceHeadline(r: GovernanceOverheadResult): string[] {
  const ratios = r.queries.map((q) => q.analyst.p50 / q.admin.p50).filter(Number.isFinite);
  if (ratios.length === 0) return [];
  const worst = Math.max(...ratios);
  const best = Math.min(...ratios);
  return [
    `- Governance: policy compile p50 ${fine(r.compile.p50)} ms, p99 ${fine(r.compile.p99)} ms per statement; a masked, row-filtered principal's ` +
      `queries take ${best.toFixed(2)}–${worst.toFixed(2)}× the administrator's.`,
  ];
}
