/**
 * Checks a pipeline definition before anything runs, so a typo fails at `definePipeline`/load
 * time with a message naming the pipeline, the step and the path (`steps[2].mergeKeys`), not
 * halfway through a nightly run.
 *
 * Every failure is `StrataError('PIPELINE_INVALID', …, { pipeline, step?, path?, cycle? })`.
 * The checks are defensive about runtime types too: YAML and plain JavaScript definitions arrive
 * without the compiler's help.
 *
 * What it does NOT check: that input tables exist (that needs a catalog: `checkInputs`), and the
 * DQDL text of rules (the quality plane parses it when the step runs).
 */
import { StrataError, closestName } from '../../core/index.ts';
import { scheduleProblem } from '../schedule/cron-schedule.ts';
import { PipelineDag } from './pipeline-dag.ts';
import type { PipelineDefinition, RetryPolicy } from './pipeline-definition.ts';
import { inputsOf, outputsOf, tableKey } from './step-tables.ts';
import { templateVariables } from './templates.ts';

export const PIPELINE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const STEP_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** `db.table` or `a.b.table`. */
export const TABLE_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;
export const STEP_KINDS = ['sql', 'ingest', 'quality', 'publish', 'function'] as const;
export const WRITE_MODES = ['append', 'overwrite-partitions', 'merge'] as const;
export const ENGINES = ['duckdb', 'spark'] as const;
export const COMPUTE_MODES = ['shared', 'transient'] as const;
export const NOTIFICATION_EVENTS = ['run.succeeded', 'run.failed', 'quality.failed'] as const;
const INGEST_FORMATS = ['json', 'ndjson', 'csv', 'parquet'];

interface Where {
  readonly step?: string;
  readonly path?: string;
}

type Loose = Record<string, unknown>;

/** Throws PIPELINE_INVALID on the first problem found. */
export function validatePipeline(definition: PipelineDefinition): void {
  new Validator(definition).run();
}

/**
 * PIPELINE_INVALID 'missing input' when a step reads a table that no step of the pipeline writes
 * and that does not exist. Each missing table is reported (`details.missing`); each distinct
 * table is looked up once.
 */
export async function checkInputs(
  definition: PipelineDefinition,
  tableExists: (id: string) => Promise<boolean>,
): Promise<void> {
  const written = new Set(definition.steps.flatMap((step) => outputsOf(step).map(tableKey)));
  const known = new Map<string, boolean>();
  const missing: { step: string; table: string; path: string }[] = [];
  for (const [i, step] of definition.steps.entries()) {
    for (const table of inputsOf(step)) {
      const key = tableKey(table);
      if (written.has(key)) continue;
      let exists = known.get(key);
      if (exists === undefined) {
        exists = await tableExists(table);
        known.set(key, exists);
      }
      if (!exists) missing.push({ step: step.id, table, path: `steps[${i}]` });
    }
  }
  const first = missing[0];
  if (first !== undefined) {
    const list = missing.map((m) => `${m.table} (read by ${m.step})`).join(', ');
    throw new StrataError(
      'PIPELINE_INVALID',
      `Pipeline ${definition.name}: missing input ${list}: no step of the pipeline writes it and the table does not exist; create or ingest it first, or add the step that produces it`,
      { pipeline: definition.name, step: first.step, path: first.path, table: first.table, missing },
    );
  }
}

class Validator {
  readonly #definition: PipelineDefinition;
  readonly #name: string;

  constructor(definition: PipelineDefinition) {
    this.#definition = definition;
    this.#name = isRecord(definition) && typeof definition.name === 'string' ? definition.name : '(unnamed)';
  }

  run(): void {
    const d = this.#definition as unknown;
    if (!isRecord(d)) this.#fail('a pipeline definition must be an object with a name and steps', {});
    if (typeof d.name !== 'string' || !PIPELINE_NAME.test(d.name)) {
      this.#fail(
        `name ${JSON.stringify(d.name)} is not valid; use letters, digits and _ (starting with a letter or _, at most 128)`,
        { path: 'name' },
      );
    }
    this.#optionalString(d.description, { path: 'description' });
    if (d.concurrency !== undefined) this.#positiveInteger(d.concurrency, { path: 'concurrency' });
    if (d.retries !== undefined) this.#retries(d.retries, { path: 'retries' });
    if (d.timeoutMs !== undefined) this.#positiveNumber(d.timeoutMs, { path: 'timeoutMs' });
    if (d.engine !== undefined) this.#oneOf(d.engine, ENGINES, { path: 'engine' });
    if (d.compute !== undefined) this.#oneOf(d.compute, COMPUTE_MODES, { path: 'compute' });
    if (d.schedule !== undefined) this.#schedule(d.schedule);
    if (d.notifications !== undefined) this.#notifications(d.notifications);
    if (!Array.isArray(d.steps) || d.steps.length === 0) {
      this.#fail('needs at least one step in steps', { path: 'steps' });
    }
    const ids = new Map<string, number>();
    (d.steps as unknown[]).forEach((step, i) => this.#step(step, i, ids));
    this.#dependsOn();
    this.#writers();
    new PipelineDag(this.#definition);
  }

  #step(step: unknown, i: number, ids: Map<string, number>): void {
    const at = `steps[${i}]`;
    if (!isRecord(step)) this.#fail(`${at} must be an object with an id and a kind`, { path: at });
    if (typeof step.id !== 'string' || !STEP_ID.test(step.id)) {
      this.#fail(`${at}.id ${JSON.stringify(step.id)} is not valid; use letters, digits, _ and -`, { path: `${at}.id` });
    }
    const where = { step: step.id, path: at };
    const previous = ids.get(step.id);
    if (previous !== undefined) {
      this.#fail(`step id "${step.id}" is used twice (steps[${previous}] and ${at}); step ids must be unique`, {
        ...where,
        path: `${at}.id`,
      });
    }
    ids.set(step.id, i);
    if (!(STEP_KINDS as readonly unknown[]).includes(step.kind)) {
      this.#fail(`step ${step.id}: kind ${JSON.stringify(step.kind)} is not one of ${STEP_KINDS.join(', ')}`, {
        ...where,
        path: `${at}.kind`,
      });
    }
    const w = (key: string): Where => ({ step: step.id as string, path: `${at}.${key}` });
    this.#optionalString(step.description, w('description'));
    if (step.dependsOn !== undefined) this.#stringList(step.dependsOn, w('dependsOn'), { allowEmpty: true });
    if (step.retries !== undefined) this.#retries(step.retries, w('retries'));
    if (step.timeoutMs !== undefined) this.#positiveNumber(step.timeoutMs, w('timeoutMs'));
    if (step.engine !== undefined) this.#oneOf(step.engine, ENGINES, w('engine'));
    switch (step.kind) {
      case 'sql':
        this.#tableList(step.inputs, w('inputs'), { allowEmpty: true, what: 'inputs (tables read)' });
        this.#table(step.output, w('output'), 'output (the table written)');
        this.#template(step.sql, w('sql'), 'sql (a SELECT)');
        if (step.mode === undefined) {
          this.#fail(`step ${step.id}: a SQL step needs mode: one of ${WRITE_MODES.join(', ')}`, w('mode'));
        }
        this.#oneOf(step.mode, WRITE_MODES, w('mode'));
        if (step.mode === 'merge') {
          if (step.mergeKeys === undefined || (Array.isArray(step.mergeKeys) && step.mergeKeys.length === 0)) {
            this.#fail(
              `step ${step.id}: mode merge needs mergeKeys (merge_keys in YAML), the columns that identify a row`,
              w('mergeKeys'),
            );
          }
          this.#stringList(step.mergeKeys, w('mergeKeys'));
        } else if (step.mergeKeys !== undefined) {
          this.#fail(`step ${step.id}: mergeKeys only apply to mode merge (mode is ${String(step.mode)})`, w('mergeKeys'));
        }
        if (step.partitionBy !== undefined) this.#stringList(step.partitionBy, w('partitionBy'));
        if (step.audit !== undefined) this.#audit(step.audit, w('audit'));
        break;
      case 'ingest':
        this.#stringList(step.paths, w('paths'));
        (step.paths as string[]).forEach((path, j) => this.#template(path, w(`paths[${j}]`), 'path'));
        this.#table(step.into, w('into'), 'into (the table written)');
        if (step.format !== undefined) this.#oneOf(step.format, INGEST_FORMATS, w('format'));
        this.#optionalString(step.schema, w('schema'));
        if (step.maxBadRatio !== undefined) {
          if (typeof step.maxBadRatio !== 'number' || !(step.maxBadRatio >= 0 && step.maxBadRatio <= 1)) {
            this.#fail(`step ${step.id}: maxBadRatio must be a number from 0 to 1`, w('maxBadRatio'));
          }
        }
        break;
      case 'quality':
        this.#table(step.table, w('table'), 'table (the table checked)');
        this.#template(step.rules, w('rules'), 'rules (DQDL text)');
        this.#oneOf(step.action, ['fail', 'warn'], w('action'));
        this.#optionalString(step.ruleset, w('ruleset'));
        break;
      case 'publish':
        this.#tableList(step.tables, w('tables'), { allowEmpty: false, what: 'tables (to publish)' });
        break;
      case 'function':
        if (typeof step.run !== 'function') this.#fail(`step ${step.id}: a function step needs run: a function`, w('run'));
        if (step.inputs !== undefined) this.#tableList(step.inputs, w('inputs'), { allowEmpty: true, what: 'inputs' });
        if (step.outputs !== undefined) this.#tableList(step.outputs, w('outputs'), { allowEmpty: true, what: 'outputs' });
        break;
    }
  }

  #dependsOn(): void {
    const ids = this.#definition.steps.map((s) => s.id);
    this.#definition.steps.forEach((step, i) => {
      (step.dependsOn ?? []).forEach((dep, j) => {
        const where = { step: step.id, path: `steps[${i}].dependsOn[${j}]` };
        if (dep === step.id) this.#fail(`step ${step.id} depends on itself`, where);
        if (!ids.includes(dep)) {
          const suggestion = closestName(dep, ids);
          this.#fail(
            `step ${step.id} depends on unknown step "${dep}"${suggestion ? `; did you mean "${suggestion}"?` : ''} Steps: ${ids.join(', ')}`,
            where,
          );
        }
      });
    });
  }

  #writers(): void {
    const writers = new Map<string, { step: string; index: number }>();
    this.#definition.steps.forEach((step, i) => {
      for (const table of outputsOf(step)) {
        const other = writers.get(tableKey(table));
        if (other !== undefined) {
          this.#fail(
            `steps ${other.step} and ${step.id} both write ${table}; a table has one writer per pipeline (read it in the second step and write another table, or merge the two steps)`,
            { step: step.id, path: `steps[${i}]` },
          );
        }
        writers.set(tableKey(table), { step: step.id, index: i });
      }
    });
    this.#definition.steps.forEach((step, i) => {
      if (step.kind !== 'publish') return;
      step.tables.forEach((table, j) => {
        if (!writers.has(tableKey(table))) {
          this.#fail(
            `publish step ${step.id} lists ${table}, which no step of the pipeline writes; publish only tables this pipeline stages`,
            { step: step.id, path: `steps[${i}].tables[${j}]` },
          );
        }
      });
    });
  }

  #schedule(schedule: unknown): void {
    if (!isRecord(schedule) || typeof schedule.cron !== 'string') {
      this.#fail('schedule needs cron: a cron expression such as "0 2 * * *"', { path: 'schedule.cron' });
    }
    if (schedule.timezone !== undefined && typeof schedule.timezone !== 'string') {
      this.#fail('schedule.timezone must be an IANA zone name such as Europe/Berlin', { path: 'schedule.timezone' });
    }
    if (schedule.catchup !== undefined && typeof schedule.catchup !== 'boolean') {
      this.#fail('schedule.catchup must be true or false', { path: 'schedule.catchup' });
    }
    const problem = scheduleProblem({ cron: schedule.cron, ...(typeof schedule.timezone === 'string' ? { timezone: schedule.timezone } : {}) });
    if (problem !== undefined) {
      this.#fail(`schedule: ${problem}`, { path: problem.startsWith('unknown time zone') ? 'schedule.timezone' : 'schedule.cron' });
    }
  }

  #notifications(list: unknown): void {
    if (!Array.isArray(list)) this.#fail('notifications must be a list', { path: 'notifications' });
    list.forEach((target: unknown, i) => {
      const at = `notifications[${i}]`;
      if (!isRecord(target)) this.#fail(`${at} must be an object with a url`, { path: at });
      let url: URL | undefined;
      try {
        url = typeof target.url === 'string' ? new URL(target.url) : undefined;
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        this.#fail(`${at}.url must be an http(s) URL, got ${JSON.stringify(target.url)}`, { path: `${at}.url` });
      }
      if (target.secret !== undefined && target.secretEnv !== undefined) {
        this.#fail(`${at}: give secret or secretEnv, not both`, { path: `${at}.secretEnv` });
      }
      this.#optionalString(target.secret, { path: `${at}.secret` });
      this.#optionalString(target.secretEnv, { path: `${at}.secretEnv` });
      if (target.events !== undefined) {
        this.#stringList(target.events, { path: `${at}.events` });
        (target.events as string[]).forEach((event, j) => this.#oneOf(event, NOTIFICATION_EVENTS, { path: `${at}.events[${j}]` }));
      }
    });
  }

  #retries(policy: unknown, where: Where): void {
    if (!isRecord(policy)) this.#fail(`${where.path} must be an object`, where);
    const p = policy as RetryPolicy & Loose;
    const at = (key: string): Where => ({ ...where, path: `${where.path}.${key}` });
    if (p.maxAttempts !== undefined && (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1 || p.maxAttempts > 100)) {
      this.#fail(`${where.path}.maxAttempts must be a whole number from 1 to 100 (1 = no retry), got ${String(p.maxAttempts)}`, at('maxAttempts'));
    }
    for (const key of ['initialDelayMs', 'maxDelayMs'] as const) {
      const value = p[key];
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        this.#fail(`${where.path}.${key} must be a number of milliseconds ≥ 0, got ${String(value)}`, at(key));
      }
    }
    if (p.initialDelayMs !== undefined && p.maxDelayMs !== undefined && p.maxDelayMs < p.initialDelayMs) {
      this.#fail(`${where.path}.maxDelayMs (${p.maxDelayMs}) is below initialDelayMs (${p.initialDelayMs})`, at('maxDelayMs'));
    }
    if (p.multiplier !== undefined && (typeof p.multiplier !== 'number' || !Number.isFinite(p.multiplier) || p.multiplier < 1)) {
      this.#fail(`${where.path}.multiplier must be a number ≥ 1, got ${String(p.multiplier)}`, at('multiplier'));
    }
    if (p.retryOn !== undefined) {
      this.#stringList(p.retryOn, at('retryOn'), { allowEmpty: true });
      p.retryOn.forEach((code, j) => {
        if (!/^[A-Z][A-Z_]*$/.test(code)) {
          this.#fail(`${where.path}.retryOn[${j}] "${code}" is not an error code (e.g. COMMIT_CONFLICT, UNKNOWN)`, at(`retryOn[${j}]`));
        }
      });
    }
  }

  #audit(audit: unknown, where: Where): void {
    if (!isRecord(audit)) this.#fail(`${where.path} must be an object with rules and action`, where);
    const at = (key: string): Where => ({ ...where, path: `${where.path}.${key}` });
    this.#template(audit.rules, at('rules'), 'rules (DQDL text)');
    this.#oneOf(audit.action, ['fail', 'warn', 'quarantine'], at('action'));
    this.#optionalString(audit.ruleset, at('ruleset'));
    if (audit.where !== undefined) this.#template(audit.where, at('where'), 'where (a SQL predicate)');
  }

  #template(value: unknown, where: Where, what: string): void {
    if (typeof value !== 'string' || value.trim() === '') this.#fail(`${this.#stepLabel(where)}needs ${what}`, where);
    try {
      templateVariables(value);
    } catch (error) {
      if (!StrataError.is(error)) throw error;
      this.#fail(`${this.#stepLabel(where)}${error.message}`, where);
    }
  }

  #table(value: unknown, where: Where, what: string): void {
    if (typeof value !== 'string' || value === '') this.#fail(`${this.#stepLabel(where)}needs ${what}`, where);
    if (!TABLE_NAME.test(value)) {
      this.#fail(`${this.#stepLabel(where)}"${value}" is not a table name; write database.table, e.g. sales.orders`, where);
    }
  }

  #tableList(value: unknown, where: Where, options: { allowEmpty: boolean; what: string }): void {
    if (value === undefined) this.#fail(`${this.#stepLabel(where)}needs ${options.what}`, where);
    this.#stringList(value, where, options);
    (value as string[]).forEach((table, j) => this.#table(table, { ...where, path: `${where.path}[${j}]` }, 'a table name'));
  }

  #stringList(value: unknown, where: Where, options: { allowEmpty?: boolean } = {}): asserts value is string[] {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
      this.#fail(`${this.#stepLabel(where)}${where.path} must be a list of non-empty strings`, where);
    }
    if (!options.allowEmpty && value.length === 0) this.#fail(`${this.#stepLabel(where)}${where.path} must not be empty`, where);
  }

  #oneOf(value: unknown, allowed: readonly string[], where: Where): void {
    if (typeof value !== 'string' || !allowed.includes(value)) {
      const suggestion = typeof value === 'string' ? closestName(value, allowed) : undefined;
      this.#fail(
        `${this.#stepLabel(where)}${where.path} is ${JSON.stringify(value)}, not one of ${allowed.join(', ')}${suggestion ? `; did you mean ${suggestion}?` : ''}`,
        where,
      );
    }
  }

  #optionalString(value: unknown, where: Where): void {
    if (value !== undefined && typeof value !== 'string') this.#fail(`${this.#stepLabel(where)}${where.path} must be a string`, where);
  }

  #positiveInteger(value: unknown, where: Where): void {
    if (!Number.isInteger(value) || (value as number) < 1) this.#fail(`${where.path} must be a whole number ≥ 1, got ${String(value)}`, where);
  }

  #positiveNumber(value: unknown, where: Where): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      this.#fail(`${this.#stepLabel(where)}${where.path} must be a number of milliseconds > 0, got ${String(value)}`, where);
    }
  }

  #stepLabel(where: Where): string {
    return where.step === undefined ? '' : `step ${where.step}: `;
  }

  #fail(problem: string, where: Where): never {
    throw new StrataError('PIPELINE_INVALID', `Pipeline ${this.#name}: ${problem}`, {
      pipeline: this.#name,
      ...(where.step === undefined ? {} : { step: where.step }),
      ...(where.path === undefined ? {} : { path: where.path }),
    });
  }
}

function isRecord(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
