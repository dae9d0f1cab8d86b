/**
 * GRANT, REVOKE and SHOW GRANTS over SQL, run against the policy store with the same rights check
 * as the CLI: an administrator, or a holder of the privilege WITH GRANT OPTION (or ADMIN) on the
 * object or an ancestor. The objects named must exist, so a typo cannot create a grant nobody
 * will ever match.
 */
import { StrataError } from '../core/index.ts';
import type { Catalog } from '../catalog/index.ts';
import { decideGrantOption, grantAppliesTo } from '../governance/decision/index.ts';
import type { Governor, StatementGuard } from '../governance/enforce/index.ts';
import { granteeToString, securableToString, type Grant, type Securable } from '../governance/model.ts';
import type { GovernanceStatement } from '../governance/sql/index.ts';
import { formatTagExpression } from '../governance/tags/tag-expression.ts';
import type { StatementResult } from './sql-session.ts';

export interface GovernanceStatementContext {
  readonly catalog: Catalog;
  readonly governor?: Governor;
  readonly guard?: StatementGuard;
}

export async function runGovernanceStatement(statement: GovernanceStatement, ctx: GovernanceStatementContext): Promise<StatementResult> {
  const { governor, guard } = ctx;
  if (!governor || !guard) {
    throw new StrataError('INVALID_ARGUMENT', 'GRANT, REVOKE and SHOW GRANTS need a governed session (strata sql, or a SqlSession opened with a governor)');
  }
  if (statement.kind === 'showGrants') return showGrants(statement, governor, guard);
  for (const securable of statement.securables) await requireExists(ctx.catalog, securable);
  for (const privilege of statement.privileges) {
    for (const securable of statement.securables) {
      const right = decideGrantOption(guard.snapshot, guard.principal, privilege, securable);
      if (!right.allowed) {
        throw new StrataError(
          'ACCESS_DENIED',
          `${guard.principal.name} may not ${statement.kind} ${privilege} on ${describe(securable)}: ${right.reason}`,
          { principal: guard.principal.name, privilege },
        );
      }
    }
  }
  await guard.allow();
  let changed = 0;
  for (const privilege of statement.privileges) {
    for (const securable of statement.securables) {
      if (statement.kind === 'grant') {
        await governor.policies.grant({ privilege, securable, grantee: statement.grantee, withGrantOption: statement.withGrantOption, grantedBy: guard.principal.name });
        changed++;
      } else {
        changed += (await governor.policies.revoke({ privilege, securable, grantee: statement.grantee, grantOptionOnly: statement.grantOptionOnly })).length;
      }
    }
  }
  const what = `${statement.privileges.join(', ')} on ${statement.securables.map(describe).join(', ')}`;
  const message =
    statement.kind === 'grant'
      ? `Granted ${what} to ${granteeToString(statement.grantee)}${statement.withGrantOption ? ' WITH GRANT OPTION' : ''}`
      : `Revoked ${statement.grantOptionOnly ? 'the grant option for ' : ''}${what} from ${granteeToString(statement.grantee)}`;
  return { kind: 'ok', message, rowCount: changed };
}

async function showGrants(statement: Extract<GovernanceStatement, { kind: 'showGrants' }>, governor: Governor, guard: StatementGuard): Promise<StatementResult> {
  const principal = guard.principal;
  const grants = (await governor.policies.listGrants(statement.grantee ? { grantee: statement.grantee } : {}))
    .filter((g) => principal.administrator || grantAppliesTo(g, principal))
    .filter((g) => !statement.on || covers(statement.on, g.securable));
  const data = grants.map((g: Grant) => [g.id, g.privilege, describe(g.securable), granteeToString(g.grantee), g.withGrantOption, g.grantedBy, new Date(g.createdAt).toISOString()]);
  const columns = ['id', 'privilege', 'securable', 'grantee', 'with_grant_option', 'granted_by', 'created_at'].map((name) => ({
    name,
    type: name === 'with_grant_option' ? 'BOOLEAN' : 'VARCHAR',
  }));
  return {
    kind: 'rows',
    columns,
    rows: {
      async *[Symbol.asyncIterator]() {
        if (data.length > 0) yield await Promise.resolve(data);
      },
    },
  };
}

/** Whether a grant's securable lies on or under `on` (SHOW GRANTS … ON db lists the tables' too). */
function covers(on: Securable, securable: Securable): boolean {
  if (on.kind === 'catalog') return true;
  if (on.kind === 'tags') return securable.kind === 'tags' && formatTagExpression(securable.expression) === formatTagExpression(on.expression);
  if (securable.kind === 'catalog' || securable.kind === 'tags') return false;
  if (securable.database !== on.database) return false;
  if (on.kind === 'database') return true;
  if (securable.kind === 'database' || securable.table !== on.table) return false;
  return on.kind === 'table' || (securable.kind === 'column' && securable.column === on.column);
}

function describe(securable: Securable): string {
  return securableToString(securable, formatTagExpression);
}

async function requireExists(catalog: Catalog, securable: Securable): Promise<void> {
  if (securable.kind === 'catalog' || securable.kind === 'tags') return;
  const databases = (await catalog.listNamespaces()).map((n) => n.join('.').toLowerCase());
  if (!databases.includes(securable.database)) {
    throw new StrataError('NAMESPACE_NOT_FOUND', `Database ${securable.database} does not exist, so nothing on it can be granted`, { namespace: [securable.database] });
  }
  if (securable.kind === 'database') return;
  const id = `${securable.database}.${securable.table}`;
  const table = await catalog.loadTable(id);
  if (securable.kind === 'column' && !table.schema().fields.some((f) => f.name.toLowerCase() === securable.column)) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Column ${securable.column} does not exist in ${id}; columns are: ${table.schema().fields.map((f) => f.name).join(', ')}`,
      { table: id, column: securable.column },
    );
  }
}
