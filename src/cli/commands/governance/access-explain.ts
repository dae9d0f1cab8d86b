/**
 * Renders `SqlSession.explainAccess` for `strata access explain`: the decision, the privilege
 * checks with the grants that allowed them, and per table each column (readable, masked or hidden,
 * with grant ids, the mask and what it outranked, or why it is hidden) and each row filter with
 * its predicate bound to the principal. The JSON form is the explanation object itself, minus the
 * masks' hash keys (secrets) and plus each row filter's `boundPredicate`.
 */
import type { ColumnDecision, ReadDecision } from '../../../governance/index.ts';
import type { PrivilegeCheck } from '../../../governance/enforce/index.ts';
import type { SqlSession } from '../../../sql/index.ts';
import { bindOrExplain } from './access-profile.ts';
import { describeMaskFunction } from './mask-commands.ts';
import type { PrincipalProfile } from './principal-profile.ts';
import type { Report, ReportSection } from './report-output.ts';

export type AccessExplanation = Awaited<ReturnType<SqlSession['explainAccess']>>;

export function explanationReport(explanation: AccessExplanation, profile: PrincipalProfile): Report {
  const principal = explanation.principal;
  const heading = [
    `principal: ${principal.name}${principal.administrator ? ' (administrator: every check passes, no mask or row filter applies)' : ''}${explanation.actingAs === undefined ? '' : `, explained for ${explanation.actingAs}`}`,
    `statement: ${explanation.statement}`,
    `decision:  ${explanation.allowed ? 'ALLOWED' : `DENIED: ${explanation.reason ?? ''}`}`,
  ];
  const sections: ReportSection[] = [
    {
      title: 'Privilege checks',
      columns: ['privilege', 'on', { name: 'allowed', type: 'BOOLEAN' }, 'grants', 'reason'],
      rows: explanation.checks.map((c) => [c.decision.privilege, onText(c), c.decision.allowed, c.decision.grants.map((g) => g.id).join(', '), c.decision.reason]),
      empty: '(none beyond reading the tables below)',
    },
  ];
  for (const read of explanation.reads) {
    sections.push({
      title: `Table ${read.table} (${read.allowed ? 'readable' : `DENIED: ${read.reason ?? ''}`})`,
      columns: ['column', 'type', 'access', 'grants', 'mask', 'mask via', 'note'],
      rows: read.columns.map((c) => [
        c.name,
        c.type,
        accessOf(c),
        principal.administrator ? 'administrator' : c.grants.map((g) => g.id).join(', '),
        c.mask === undefined ? null : `${c.mask.policy}: ${describeMaskFunction(c.mask.function)}`,
        c.mask?.via ?? null,
        noteOf(c),
      ]),
      empty: '(no columns)',
    });
    sections.push({
      title: `Row filters on ${read.table} (a row is visible only when all hold)`,
      columns: ['row_filter', 'via', 'predicate', `bound to ${principal.name}`],
      rows: read.rowFilters.map((f) => [f.name, f.via, f.predicate, bindOrExplain(f.predicate, profile)]),
      empty: '(none: every row is visible)',
    });
  }
  return { heading, sections, json: explanationJson(explanation, profile) };
}

function explanationJson(explanation: AccessExplanation, profile: PrincipalProfile): unknown {
  return {
    ...explanation,
    reads: explanation.reads.map((read: ReadDecision) => ({
      ...read,
      columns: read.columns.map((c) => {
        if (c.mask === undefined) return c;
        const { hashKey: _secret, ...mask } = c.mask;
        return { ...c, mask };
      }),
      rowFilters: read.rowFilters.map((f) => ({ ...f, boundPredicate: bindOrExplain(f.predicate, profile) })),
    })),
  };
}

function accessOf(column: ColumnDecision): string {
  if (!column.readable) return 'hidden';
  return column.mask === undefined ? 'readable' : 'masked';
}

/** Why a column is hidden, or which masks its mask outranked. */
function noteOf(column: ColumnDecision): string | null {
  if (!column.readable) return column.reason ?? null;
  const outranked = column.mask?.outranked ?? [];
  return outranked.length > 0 ? `outranks ${outranked.join(', ')}` : null;
}

function onText(check: PrivilegeCheck): string {
  if (check.on.table !== undefined) return `${check.on.database ?? ''}.${check.on.table}`;
  if (check.on.database !== undefined) return `database ${check.on.database}`;
  return 'catalog';
}
