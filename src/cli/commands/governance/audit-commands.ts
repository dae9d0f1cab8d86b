/**
 * `strata audit [filters]` and `strata audit verify`: the hash-chained audit log. Listing reads
 * the governed table `system.audit_log` (mirrored from the log on demand) as the acting principal,
 * so it shows what that principal's grants allow: everything for administrators, nothing for
 * others until they are granted SELECT on it. Newest records last (the last `--limit`, default 100). `verify` walks the whole
 * chain; a record whose hash does not recompute, a broken link or a gap is tampering, reported
 * with the first bad `seq` and exit code 5.
 */
import type { Command } from 'commander';
import { StrataError } from '../../../core/index.ts';
import { AUDIT_DECISIONS, AUDIT_TABLE_ID, syncAuditTable, type AuditFilter, type AuditRecord } from '../../../governance/index.ts';
import { openSqlRunner } from '../sql-runner.ts';
import type { CliContext } from '../../cli-context.ts';
import { parseWholeNumber } from './command-line.ts';
import { runGoverned } from './governed-command.ts';
import { printDone } from './report-output.ts';

const DEFAULT_LIMIT = 100;

interface AuditOptions {
  principal?: string;
  decision?: string;
  table?: string;
  since?: string;
  limit?: number;
}

export function registerAuditCommands(program: Command, context: CliContext): void {
  const audit = program
    .command('audit')
    .option('--principal <name>', 'only records of this principal')
    .option('--decision <decision>', `only ${AUDIT_DECISIONS.join(', ')}`)
    .option('--table <db.table>', 'only records that touched this table')
    .option('--since <iso-time>', 'only records at or after this time (e.g. 2024-06-01 or 2024-06-01T12:00:00Z)')
    .option('--limit <n>', `at most the last n matching records (default ${DEFAULT_LIMIT})`, parseWholeNumber)
    .description('Show the audit log (the governed table system.audit_log), newest last; "audit verify" checks it was not tampered with')
    .addHelpText(
      'after',
      '\nExamples:\n  $ strata audit --decision denied --limit 20\n  $ strata audit --principal alice --since 2024-06-01 --format json\n  $ strata audit verify',
    )
    .action(async (options: AuditOptions) => {
      const sql = auditQuery(filterOf(options), options.limit ?? DEFAULT_LIMIT, context.format === 'json');
      await context.withHome(async (strata) => {
        // The mirror catches up first, then the query runs governed like any other: grants, masks
        // and row filters on system.audit_log decide what this principal sees.
        await context.withGovernance(strata, (governance) => syncAuditTable(strata.catalog, governance.audit));
        const runner = await openSqlRunner(context, strata);
        try {
          await runner.run(sql);
        } finally {
          await runner.close();
        }
      });
    });

  audit
    .command('verify')
    .description('Check the whole hash chain; exit 5 when a record was changed, removed or inserted')
    .action(async () => {
      await runGoverned(context, { action: 'audit verify', audit: 'denials' }, async ({ plane }) => {
        const result = await plane.audit.verify();
        if (!result.ok) {
          throw new StrataError(
            'VALIDATION_FAILED',
            `The audit log has been tampered with: record ${result.firstBadSeq}: ${result.problem} (${result.records} records before it verify)`,
            { firstBadSeq: result.firstBadSeq, problem: result.problem, records: result.records },
          );
        }
        await printDone(context, `ok: ${result.records} records, head ${result.head}`, { ok: true, records: result.records, head: result.head });
      });
    });
}

function filterOf(options: AuditOptions): AuditFilter {
  if (options.decision !== undefined && !(AUDIT_DECISIONS as readonly string[]).includes(options.decision)) {
    throw new StrataError('INVALID_ARGUMENT', `--decision must be one of ${AUDIT_DECISIONS.join(', ')}, not ${options.decision}`, { decision: options.decision });
  }
  let since: number | undefined;
  if (options.since !== undefined) {
    since = Date.parse(options.since);
    if (Number.isNaN(since)) throw new StrataError('INVALID_ARGUMENT', `--since must be an ISO 8601 time (2024-06-01T12:00:00Z), not ${options.since}`, { since: options.since });
  }
  return {
    ...(options.principal === undefined ? {} : { principal: options.principal }),
    ...(options.decision === undefined ? {} : { decision: options.decision as AuditRecord['decision'] }),
    ...(options.table === undefined ? {} : { table: options.table }),
    ...(since === undefined ? {} : { since }),
  };
}

const TABLE_COLUMNS = ['seq', 'at', 'principal', 'acting_as', 'action', 'decision', 'tables', 'statement', 'reason'];

/** The last `limit` matching records of system.audit_log, newest last, as one SQL query. */
function auditQuery(filter: AuditFilter, limit: number, allColumns: boolean): string {
  if (limit < 1) throw new StrataError('INVALID_ARGUMENT', `--limit must be at least 1, not ${limit}`, { limit });
  const where: string[] = [];
  if (filter.principal !== undefined) where.push(`principal = ${quote(filter.principal.toLowerCase())}`);
  if (filter.decision !== undefined) where.push(`decision = ${quote(filter.decision)}`);
  if (filter.table !== undefined) where.push(`(',' || tables || ',') LIKE ${quote(`%,${filter.table.toLowerCase()},%`)}`);
  if (filter.since !== undefined) where.push(`at >= TIMESTAMPTZ ${quote(new Date(filter.since).toISOString())}`);
  // COLUMNS(lambda) rather than a column list: a principal granted only some columns still gets those.
  const columns = allColumns ? '*' : `COLUMNS(c -> c IN (${TABLE_COLUMNS.map(quote).join(', ')}))`;
  const inner = `SELECT * FROM ${AUDIT_TABLE_ID}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${limit}`;
  return `SELECT ${columns} FROM (${inner}) AS recent ORDER BY seq`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
