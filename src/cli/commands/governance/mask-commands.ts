/**
 * `strata mask create|attach|detach|exempt|drop|list`: column masks. A mask is created with its
 * function, then attached to columns (`--column db.t.col`) or to a tag expression (`--tags
 * "pii=true"`: every column whose effective tags satisfy it, now or later). When several masks
 * apply to a column the strictest wins (null > redact > hash > expression > partial > bucket >
 * round). Exempt grantees (`user:bob`, `group:x`, `role:auditor`) see raw values.
 *
 * Gotcha: `mask exempt` REPLACES the exemption list; `--none` clears it.
 */
import type { Command } from 'commander';
import { StrataError } from '../../../core/index.ts';
import { formatTagExpression, MASK_KINDS, parseTagExpression, type MaskFunction, type MaskPolicy, type MaskTarget } from '../../../governance/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { parseColumnPath, requireObject } from './catalog-objects.ts';
import { parseWholeNumber } from './command-line.ts';
import { runGoverned, type GovernedScope } from './governed-command.ts';
import { collectGrantees, formatGranteeArg } from './grantee-arg.ts';
import { checkPolicySql } from './policy-sql.ts';
import { printDone, printRows } from './report-output.ts';
import type { Grantee } from '../../../governance/index.ts';

interface CreateOptions {
  kind: string;
  replacement?: string;
  keepLast?: number;
  fill?: string;
  digits?: number;
  width?: number;
  unit?: string;
  sql?: string;
  exempt?: Grantee[];
}

interface TargetOptions {
  column?: string;
  tags?: string;
}

export function registerMaskCommands(program: Command, context: CliContext): void {
  const mask = program
    .command('mask')
    .description('Manage column masks: create, attach, detach, exempt, drop, list')
    .addHelpText(
      'after',
      `
Examples:
  $ strata mask create email_partial --kind partial --keep-last 4 --exempt role:support
  $ strata mask attach email_partial --column ads.events.email
  $ strata mask create pii_hash --kind hash
  $ strata mask attach pii_hash --tags "pii=true"
  $ strata mask create eu_cost --kind expression --sql "CASE WHEN region = 'eu' THEN NULL ELSE value END"
  $ strata mask exempt pii_hash group:privacy-office user:carol`,
    );

  mask
    .command('create')
    .argument('<name>')
    .requiredOption('--kind <kind>', `one of ${MASK_KINDS.join(', ')}`)
    .option('--replacement <text>', "redact: what strings become (default '****')")
    .option('--keep-last <n>', 'partial: characters kept at the end', parseWholeNumber)
    .option('--fill <c>', "partial: what replaces the rest (default '*')")
    .option('--digits <n>', 'round: decimal places (negative: tens, hundreds…)', parseWholeNumber)
    .option('--width <n>', 'bucket: numbers floored to a multiple of n', parseWholeNumber)
    .option('--unit <unit>', 'bucket: dates/timestamps truncated to year, month, day or hour')
    .option('--sql <expr>', 'expression: SQL over `value` (the raw column) and the row\'s columns')
    .option('--exempt <grantees>', 'who sees raw values: user:bob,group:x,role:y (repeatable)', collectGrantees)
    .description('Create a mask (attach it to columns or tags next)')
    .action(async (name: string, options: CreateOptions) => {
      await runGoverned(context, { action: 'mask create', audit: 'always' }, async ({ strata, plane }) => {
        const fn = maskFunctionOf(options);
        if (fn.kind === 'expression') await checkPolicySql(strata, 'expression', fn.sql);
        const created = await plane.policies.createMask({ name, function: fn, ...(options.exempt ? { exempt: options.exempt } : {}) });
        await printDone(context, `Created mask ${created.name} (${describeMaskFunction(created.function)}); attach it with: strata mask attach ${created.name} --column db.t.col`);
      });
    });

  for (const verb of ['attach', 'detach'] as const) {
    mask
      .command(verb)
      .argument('<name>')
      .option('--column <db.t.col>', verb === 'attach' ? 'mask this column' : 'the column target to remove')
      .option('--tags <expression>', verb === 'attach' ? 'mask every column whose tags satisfy this' : 'the tag target to remove')
      .description(verb === 'attach' ? 'Attach a mask to a column or a tag expression' : 'Detach a mask from a column or a tag expression')
      .action(async (name: string, options: TargetOptions) => {
        await runGoverned(context, { action: `mask ${verb}`, audit: 'always' }, async (scope) => {
          const target = maskTargetOf(options);
          if (target.kind === 'column') scope.tables.push(`${target.database}.${target.table}`);
          const updated =
            verb === 'attach' ? await attach(scope, name, target) : await scope.plane.policies.detachMask(name, target);
          await printDone(context, `${verb === 'attach' ? 'Attached' : 'Detached'} mask ${name} ${verb === 'attach' ? 'to' : 'from'} ${describeTarget(target)}; targets now: ${targetsText(updated) || '(none)'}`);
        });
      });
  }

  mask
    .command('exempt')
    .argument('<name>')
    .argument('[grantees...]', 'user:bob group:x role:y (replaces the list)')
    .option('--none', 'clear the exemption list')
    .description('Set who is exempt from a mask (replaces the list)')
    .action(async (name: string, texts: string[], options: { none?: boolean }) => {
      await runGoverned(context, { action: 'mask exempt', audit: 'always' }, async ({ plane }) => {
        const grantees = texts.reduce<Grantee[]>((all, text) => collectGrantees(text, all), []);
        if ((grantees.length === 0) !== (options.none === true)) {
          throw new StrataError('INVALID_ARGUMENT', 'Name the exempt grantees (user:bob group:x role:y), or pass --none to clear the list.', {});
        }
        const updated = await plane.policies.setMaskExemptions(name, grantees);
        await printDone(context, `Mask ${name} exempts: ${updated.exempt.map(formatGranteeArg).join(', ') || '(nobody)'}`);
      });
    });

  mask
    .command('drop')
    .argument('<name>')
    .description('Drop a mask with all its targets')
    .action(async (name: string) => {
      await runGoverned(context, { action: 'mask drop', audit: 'always' }, async ({ plane }) => {
        await plane.policies.dropMask(name);
        await printDone(context, `Dropped mask ${name}`);
      });
    });

  mask
    .command('list')
    .description('List masks with their function, targets and exemptions')
    .action(async () => {
      await runGoverned(context, { action: 'mask list', audit: 'denials' }, async ({ strata, plane }) => {
        const masks = await plane.policies.listMasks();
        const json = context.format === 'json';
        const rows = masks.map((m) =>
          json
            ? [m.name, m.function.kind, m.function, m.targets.map(describeTarget), m.exempt.map(formatGranteeArg)]
            : [m.name, m.function.kind, describeMaskFunction(m.function), targetsText(m), m.exempt.map(formatGranteeArg).join(', ')],
        );
        await printRows(context, strata, ['mask', 'kind', 'function', 'targets', 'exempt'], rows);
      });
    });
}

async function attach(scope: GovernedScope, name: string, target: MaskTarget): Promise<MaskPolicy> {
  if (target.kind === 'column') {
    const columns = await requireObject(scope.strata.catalog, target);
    const existing = (await scope.plane.policies.listMasks()).find((m) => m.name === name);
    // An expression mask reads the row's columns: check them against this table before it is used.
    if (existing?.function.kind === 'expression') await checkPolicySql(scope.strata, 'expression', existing.function.sql, columns);
  }
  return scope.plane.policies.attachMask(name, target);
}

function maskTargetOf(options: TargetOptions): MaskTarget {
  if ((options.column === undefined) === (options.tags === undefined)) {
    throw new StrataError('INVALID_ARGUMENT', 'Give exactly one of --column db.table.column or --tags "<tag expression>".', {});
  }
  if (options.column !== undefined) return { kind: 'column', ...parseColumnPath(options.column) };
  return { kind: 'tags', expression: parseTagExpression(options.tags ?? '') };
}

/** The mask function the options describe; options that do not belong to the kind are refused. */
export function maskFunctionOf(options: CreateOptions): MaskFunction {
  const kind = options.kind.toLowerCase();
  const given = (['replacement', 'keepLast', 'fill', 'digits', 'width', 'unit', 'sql'] as const).filter((k) => options[k] !== undefined);
  const allowed: Readonly<Record<string, readonly string[]>> = {
    redact: ['replacement'],
    null: [],
    hash: [],
    partial: ['keepLast', 'fill'],
    round: ['digits'],
    bucket: ['width', 'unit'],
    expression: ['sql'],
  };
  const fits = allowed[kind];
  if (fits === undefined) throw new StrataError('INVALID_ARGUMENT', `Unknown mask kind ${options.kind}; use one of ${MASK_KINDS.join(', ')}.`, { kind });
  const stray = given.filter((k) => !fits.includes(k));
  if (stray.length > 0) {
    const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new StrataError('INVALID_ARGUMENT', `${stray.map(flag).join(', ')} do${stray.length === 1 ? 'es' : ''} not apply to ${kind} masks.`, { kind });
  }
  const need = <T>(value: T | undefined, flag: string): T => {
    if (value === undefined) throw new StrataError('INVALID_ARGUMENT', `A ${kind} mask needs ${flag}.`, { kind });
    return value;
  };
  switch (kind) {
    case 'redact':
      return { kind, ...(options.replacement === undefined ? {} : { replacement: options.replacement }) };
    case 'null':
    case 'hash':
      return { kind };
    case 'partial':
      return { kind, keepLast: need(options.keepLast, '--keep-last <n>'), ...(options.fill === undefined ? {} : { fill: options.fill }) };
    case 'round':
      return { kind, digits: options.digits ?? 0 };
    case 'bucket': {
      const unit = options.unit?.toLowerCase();
      if (unit !== undefined && !['year', 'month', 'day', 'hour'].includes(unit)) {
        throw new StrataError('INVALID_ARGUMENT', `--unit must be year, month, day or hour, not ${options.unit}`, { unit });
      }
      if (options.width === undefined && unit === undefined) throw new StrataError('INVALID_ARGUMENT', 'A bucket mask needs --width <n> (numbers) or --unit <unit> (dates).', {});
      return { kind, ...(options.width === undefined ? {} : { width: options.width }), ...(unit === undefined ? {} : { unit: unit as 'year' | 'month' | 'day' | 'hour' }) };
    }
    default:
      return { kind: 'expression', sql: need(options.sql, '--sql "<expression>"') };
  }
}

/** `partial(keep_last=4, fill='*')`, `expression(CASE …)`, `hash`. */
export function describeMaskFunction(fn: MaskFunction): string {
  switch (fn.kind) {
    case 'redact':
      return fn.replacement === undefined ? 'redact' : `redact(replacement='${fn.replacement}')`;
    case 'null':
    case 'hash':
      return fn.kind;
    case 'partial':
      return `partial(keep_last=${fn.keepLast}${fn.fill === undefined ? '' : `, fill='${fn.fill}'`})`;
    case 'round':
      return `round(digits=${fn.digits})`;
    case 'bucket':
      return `bucket(${[...(fn.width === undefined ? [] : [`width=${fn.width}`]), ...(fn.unit === undefined ? [] : [`unit=${fn.unit}`])].join(', ')})`;
    case 'expression':
      return `expression(${fn.sql})`;
  }
}

export function describeTarget(target: MaskTarget): string {
  return target.kind === 'column' ? `${target.database}.${target.table}.${target.column}` : `tags ${formatTagExpression(target.expression)}`;
}

function targetsText(mask: MaskPolicy): string {
  return mask.targets.map(describeTarget).join('; ');
}
