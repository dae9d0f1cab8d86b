/**
 * `{{ variable }}` templates in SQL text, ingest paths and DQDL rules, expanded once per run.
 *
 * Variables: `ds` (logical date `YYYY-MM-DD`), `ds_nodash` (`YYYYMMDD`), `next_ds` / `prev_ds` (the
 * neighbouring logical dates: by default one day after / before `ds`; a runner on a non-daily
 * schedule passes the real ones), `partition`, `run_id`, `pipeline`.
 *
 * Gotchas:
 * - An unknown variable is an error naming it, never left in the text: a SQL statement with a
 *   literal `{{ dss }}` in it would otherwise fail much later, or worse, succeed.
 * - Anything between `{{` and `}}` must be a single name; there are no filters or expressions.
 * - Values are substituted as-is (no quoting): write `DATE '{{ ds }}'`, not `DATE {{ ds }}`.
 *
 * @example
 *   renderTemplate("WHERE d = DATE '{{ds}}'", { ds: '2024-03-01', runId: 'r1' }) // "WHERE d = DATE '2024-03-01'"
 */
import { StrataError, closestName } from '../../core/index.ts';

export interface TemplateVars {
  /** Logical date, `YYYY-MM-DD`. */
  readonly ds: string;
  readonly runId: string;
  /** Logical partition string (default: `ds`). */
  readonly partition?: string;
  readonly pipeline?: string;
  /** Default: the day after `ds`. */
  readonly nextDs?: string;
  /** Default: the day before `ds`. */
  readonly prevDs?: string;
}

export const TEMPLATE_VARIABLES = ['ds', 'ds_nodash', 'next_ds', 'prev_ds', 'partition', 'run_id', 'pipeline'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const TEMPLATE_REFERENCE = /\{\{(.*?)\}\}/gs;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The variable names a template uses, in order of first use; throws on a malformed or unknown one. */
export function templateVariables(text: string): readonly TemplateVariable[] {
  const found: TemplateVariable[] = [];
  for (const match of text.matchAll(TEMPLATE_REFERENCE)) {
    const name = checkedName(match[1] ?? '', text);
    if (!found.includes(name)) found.push(name);
  }
  return found;
}

/** Expands every `{{ name }}`; throws PIPELINE_INVALID on an unknown variable or a bad date. */
export function renderTemplate(text: string, vars: TemplateVars): string {
  const ds = checkedDate(vars.ds, 'ds');
  const values: Record<TemplateVariable, string | undefined> = {
    ds,
    ds_nodash: ds.replaceAll('-', ''),
    next_ds: vars.nextDs === undefined ? addDays(ds, 1) : checkedDate(vars.nextDs, 'next_ds'),
    prev_ds: vars.prevDs === undefined ? addDays(ds, -1) : checkedDate(vars.prevDs, 'prev_ds'),
    partition: vars.partition ?? ds,
    run_id: vars.runId,
    pipeline: vars.pipeline,
  };
  return text.replace(TEMPLATE_REFERENCE, (_all, inner: string) => {
    const name = checkedName(inner, text);
    const value = values[name];
    if (value === undefined) {
      throw new StrataError('PIPELINE_INVALID', `Template variable {{ ${name} }} has no value here`, { variable: name });
    }
    return value;
  });
}

/** `YYYY-MM-DD` plus `days` (negative: minus), in the proleptic calendar, no time zone involved. */
export function addDays(date: string, days: number): string {
  const [, y, m, d] = DATE.exec(date) ?? [];
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d) + days);
  return new Date(ms).toISOString().slice(0, 10);
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  const match = DATE.exec(text);
  if (match === null) return false;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

function checkedName(inner: string, text: string): TemplateVariable {
  const name = inner.trim();
  if (!NAME.test(name)) {
    throw new StrataError(
      'PIPELINE_INVALID',
      `Template placeholder {{${inner}}} is not a variable name; templates take one of ${TEMPLATE_VARIABLES.join(', ')}`,
      { variable: name, template: text },
    );
  }
  if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
    const suggestion = closestName(name, TEMPLATE_VARIABLES);
    throw new StrataError(
      'PIPELINE_INVALID',
      `Unknown template variable {{ ${name} }}${suggestion ? `; did you mean {{ ${suggestion} }}?` : ''} Known: ${TEMPLATE_VARIABLES.join(', ')}`,
      { variable: name, ...(suggestion ? { suggestion } : {}) },
    );
  }
  return name as TemplateVariable;
}

function checkedDate(value: string, variable: string): string {
  if (!isIsoDate(value)) {
    throw new StrataError('INVALID_ARGUMENT', `Template variable ${variable} must be a date YYYY-MM-DD, got "${value}"`, {
      variable,
      value,
    });
  }
  return value;
}
