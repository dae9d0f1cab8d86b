/**
 * CustomSql, in Glue's two forms:
 *
 * - with a condition: the statement must return ONE value (one row, one column), checked against
 *   the condition: `CustomSql "select count(*) from primary where amount < 0" = 0`;
 * - without one (row level): the statement selects the PASSING rows of the primary dataset. Its
 *   output columns that are also primary columns (at least one is required, as in Glue) identify
 *   those rows; the observed value is the fraction of primary rows selected, checked against
 *   `with threshold` if given, else every row must be selected. This costs two statements: a
 *   DESCRIBE for the output columns, then the count.
 *
 * `primary` stands for the dataset: every bare `primary` word outside strings and quoted names is
 * rewritten to a CTE `"primary"` over the dataset's relation (merged into the user's own WITH).
 * The statement itself is the user's SQL, run as written otherwise: CustomSql is a documented way
 * to send SQL to the engine, so it must reach the engine through a governed `run`.
 */
import { significant, tokenize } from '../../core/index.ts';
import { complianceMeasurement } from './row-check.ts';
import { findColumn } from './column-types.ts';
import type { RuleCompiler } from './rule-compiler.ts';
import { metricsOf, numberOf } from './rule-compiler.ts';
import { RuleProblem } from './rule-problem.ts';
import { quoteIdent } from './sql-literals.ts';

/** The user's statement with `primary` bound to `relation`. */
export function bindPrimary(statement: string, relation: string): string {
  const tokens = tokenize(statement.trim().replace(/;\s*$/, ''));
  let text = tokens.map((t) => (t.kind === 'word' && t.text.toLowerCase() === 'primary' ? '"primary"' : t.text)).join('');
  const words = significant(tokenize(text));
  const first = words[0];
  const cte = `"primary" AS (SELECT * FROM ${relation})`;
  if (first?.kind === 'word' && first.text.toLowerCase() === 'with') {
    const second = words[1];
    const after = second?.kind === 'word' && second.text.toLowerCase() === 'recursive' ? second : first;
    text = `${text.slice(0, after.end)} ${cte},${text.slice(after.end)}`;
    return text;
  }
  return `WITH ${cte}\n${text}`;
}

const customSql: RuleCompiler = (ctx) => {
  const statement = bindPrimary(ctx.rule.params[0] ?? '', ctx.dataset.relation);
  if (ctx.condition !== undefined || ctx.analyzer) {
    return async () => {
      const rows = await ctx.run(statement);
      const row = rows[0];
      if (rows.length !== 1 || row === undefined || row.length !== 1) {
        const width = row?.length ?? 0;
        throw new RuleProblem(
          `CustomSql with a condition must return a single value; it returned ${rows.length} row(s) of ${width} column(s). ` +
            'To check rows instead, drop the condition: the statement then selects the passing rows.',
        );
      }
      const observed = numberOf(row[0]);
      return { ...(observed === undefined ? {} : { observed }), metrics: metricsOf({ [ctx.metricKey]: observed }) };
    };
  }
  return async () => {
    const described = await ctx.run(`DESCRIBE ${statement}`);
    const output = described.map((r) => String(r[0]));
    const shared = output.flatMap((name) => {
      try {
        return [quoteIdent(findColumn(ctx.dataset, name).name)];
      } catch {
        return [];
      }
    });
    if (shared.length === 0) {
      throw new RuleProblem(
        `The output of CustomSql (${output.join(', ')}) must contain at least one column of the dataset to give row-level results`,
      );
    }
    const key = (cols: readonly string[]) => (cols.length === 1 ? (cols[0] ?? '') : `row(${cols.join(', ')})`);
    const predicate = `${key(shared)} IN (SELECT ${key(shared)} FROM (${statement}) AS __dq_q)`;
    const rows = await ctx.run(`SELECT count(*) FILTER (WHERE coalesce(${predicate}, false)), count(*) FROM ${ctx.dataset.relation}`);
    const passing = numberOf(rows[0]?.[0]) ?? 0;
    const total = numberOf(rows[0]?.[1]) ?? 0;
    return complianceMeasurement(ctx, {
      passing,
      total,
      ...(total === 0 ? {} : { ratio: passing / total }),
      passingRows: `(${predicate})`,
    });
  };
};

export const CUSTOM_SQL_COMPILERS = { CustomSql: customSql } satisfies Record<string, RuleCompiler>;
