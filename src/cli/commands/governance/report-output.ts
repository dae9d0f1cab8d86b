/**
 * Output of the governance commands. Lists are ordinary row streams (every format works);
 * confirmations are one line of text (`{"message": …}` with --format json); reports with several
 * sections (`principal show`, `access show`, `access explain`) print readable sections in table
 * format and ONE JSON object in json format. csv and parquet hold one rectangle, so reports refuse
 * them (use json).
 */
import { StrataError, stringifyJson } from '../../../core/index.ts';
import type { StrataHome } from '../../../catalog/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { rowStreamOf, type OutputColumn } from '../../output/index.ts';

export interface ReportSection {
  readonly title: string;
  /** Column names; every column is text unless typed. */
  readonly columns: readonly (string | OutputColumn)[];
  readonly rows: readonly (readonly unknown[])[];
  /** Printed instead of an empty table. */
  readonly empty: string;
}

export interface Report {
  /** Lines printed first in table format (`name: value` facts). */
  readonly heading: readonly string[];
  readonly sections: readonly ReportSection[];
  /** What --format json prints. */
  readonly json: unknown;
}

export async function printReport(context: CliContext, strata: StrataHome, report: Report): Promise<void> {
  const format = context.format;
  if (format === 'json') {
    await context.stdout.write(`${stringifyJson(report.json)}\n`);
    return;
  }
  if (format !== 'table') {
    throw new StrataError('INVALID_ARGUMENT', `This report has several sections; print it with --format table or --format json, not ${format}.`, { format });
  }
  for (const line of report.heading) await context.stdout.write(`${line}\n`);
  for (const section of report.sections) {
    await context.stdout.write(`\n${section.title}:\n`);
    if (section.rows.length === 0) await context.stdout.write(`  ${section.empty}\n`);
    else await context.render(rowStreamOf(columnsOf(section.columns), section.rows), strata);
  }
}

/** A list (one rectangle) in the chosen format. */
export async function printRows(context: CliContext, strata: StrataHome, columns: readonly (string | OutputColumn)[], rows: readonly (readonly unknown[])[]): Promise<void> {
  await context.render(rowStreamOf(columnsOf(columns), rows), strata);
}

/** A confirmation: the message, or `{"message": …, …extra}` with --format json. */
export async function printDone(context: CliContext, message: string, extra: Record<string, unknown> = {}): Promise<void> {
  if (context.format === 'json') await context.stdout.write(`${stringifyJson({ message, ...extra })}\n`);
  else await context.stdout.write(`${message}\n`);
}

function columnsOf(columns: readonly (string | OutputColumn)[]): OutputColumn[] {
  return columns.map((c) => (typeof c === 'string' ? { name: c, type: 'VARCHAR' } : c));
}

/** ms since the epoch → ISO 8601 (UTC), or null. */
export function isoTime(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
