/**
 * `strata audit [filters]` and `strata audit verify`: the hash-chained audit log. Listing shows
 * the newest records last (the last `--limit` that match, default 100). `verify` walks the whole
 * chain; a record whose hash does not recompute, a broken link or a gap is tampering, reported
 * with the first bad `seq` and exit code 5.
 */
import type { Command } from 'commander';
import { StrataError } from '../../../core/index.ts';
import { AUDIT_DECISIONS, MAX_AUDIT_QUERY_LIMIT, type AuditFilter, type AuditLog, type AuditRecord } from '../../../governance/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { parseWholeNumber } from './command-line.ts';
import { runGoverned } from './governed-command.ts';
import { isoTime, printDone, printRows } from './report-output.ts';

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
    .description('Show the audit log (administrators), newest last; "audit verify" checks it was not tampered with')
    .addHelpText(
      'after',
      '\nExamples:\n  $ strata audit --decision denied --limit 20\n  $ strata audit --principal alice --since 2024-06-01 --format json\n  $ strata audit verify',
    )
    .action(async (options: AuditOptions) => {
      await runGoverned(context, { action: 'audit', audit: 'denials' }, async ({ strata, plane }) => {
        const records = await lastRecords(plane.audit, filterOf(options), options.limit ?? DEFAULT_LIMIT);
        if (context.format === 'json') {
          await printRows(
            context,
            strata,
            ['seq', 'at', 'principal', 'acting_as', 'action', 'decision', 'tables', 'columns', 'policies', 'rows', 'reason', 'statement', 'statement_hash', 'hash'],
            records.map((r) => [r.seq, isoTime(r.at), r.principal, r.actingAs ?? null, r.action, r.decision, r.tables ?? [], r.columns ?? [], r.policies ?? [], r.rows ?? null, r.reason ?? null, r.statement ?? null, r.statementHash, r.hash]),
          );
        } else {
          await printRows(
            context,
            strata,
            [{ name: 'seq', type: 'BIGINT' }, 'at', 'principal', 'acting_as', 'action', 'decision', 'tables', 'statement', 'reason'],
            records.map((r) => [r.seq, isoTime(r.at), r.principal, r.actingAs ?? null, r.action, r.decision, (r.tables ?? []).join(', '), r.statement ?? `sha256:${r.statementHash}`, r.reason ?? null]),
          );
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

/** The last `limit` matching records in `seq` order: pages through the log, keeping the tail. */
async function lastRecords(log: AuditLog, filter: AuditFilter, limit: number): Promise<AuditRecord[]> {
  if (limit < 1) throw new StrataError('INVALID_ARGUMENT', `--limit must be at least 1, not ${limit}`, { limit });
  let tail: AuditRecord[] = [];
  let afterSeq: number | undefined;
  for (;;) {
    const page = await log.query({ ...filter, limit: MAX_AUDIT_QUERY_LIMIT, ...(afterSeq === undefined ? {} : { afterSeq }) });
    tail = [...tail, ...page].slice(-limit);
    const last = page.at(-1);
    if (last === undefined || page.length < MAX_AUDIT_QUERY_LIMIT) return tail;
    afterSeq = last.seq;
  }
}
