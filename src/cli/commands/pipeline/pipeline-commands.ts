/**
 * `strata pipeline …`: register and run pipelines, backfill date ranges, redrive failed runs,
 * resume after a crash, run the scheduler, and look at runs and their lineage. Pipelines run as
 * their owner (trusted: they write wherever their steps say), so these commands are for
 * administrators. See docs/pipelines.md.
 */
import { sparkCompute } from '../spark-compute.ts';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { StrataError } from '../../../core/index.ts';
import type { StrataHome } from '../../../catalog/index.ts';
import { LineageStore } from '../../../observe/index.ts';
import { PipelineService, loadPipelineFile, type FinishedRun, type RunRecord } from '../../../pipeline/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { columnsOf as cols, rowStreamOf } from '../../output/index.ts';

export function registerPipelineCommands(program: Command, context: CliContext): void {
  const pipeline = program.command('pipeline').description('Define, run, schedule, backfill and redrive pipelines (DAGs of SQL, ingest, quality and publish steps)');

  pipeline
    .command('run')
    .argument('<pipeline>', 'a pipeline file (.yaml, .ts, .mjs) or the name of a registered pipeline')
    .option('--date <YYYY-MM-DD>', 'the logical date to run for (default: today, UTC)')
    .option('--partition <p>', 'the logical partition (default: the date)')
    .description('Run a pipeline once for a logical date and wait for it')
    .addHelpText('after', '\nExamples:\n  $ strata pipeline run pipelines/daily_sales.yaml --date 2024-03-01\n  $ strata pipeline run daily_sales')
    .action(async (target: string, options: { date?: string; partition?: string }) => {
      await withService(context, 'pipeline run', async (service) => {
        const name = await registerIfFile(service, target);
        const run = await service.trigger(name, { ...(options.date ? { logicalDate: options.date } : {}), ...(options.partition ? { partition: options.partition } : {}) });
        await reportRuns(context, service, await service.runQueued({ runId: run.runId }));
      });
    });

  pipeline
    .command('register')
    .argument('<file>', 'a pipeline file (.yaml, .ts, .mjs)')
    .description('Validate a pipeline file and record it as the latest version (schedules take effect in `strata serve` / `pipeline schedule`)')
    .action(async (file: string) => {
      await withService(context, 'pipeline register', async (service) => {
        const { definition, source } = await loadPipelineFile(file);
        const version = await service.register(definition, source);
        await context.note(`Registered ${version.pipeline} version ${version.version}`);
      });
    });

  pipeline
    .command('list')
    .description('Registered pipelines: latest version, schedule, last run')
    .action(async () => {
      await withService(context, 'pipeline list', async (service, strata) => {
        const rows: unknown[][] = [];
        for (const p of await service.store.listPipelines()) {
          const definition = await service.definition(p.pipeline, p.version);
          const last = (await service.store.listRuns({ pipeline: p.pipeline, limit: 1 }))[0];
          rows.push([p.pipeline, p.version, definition.schedule ? `${definition.schedule.cron} ${definition.schedule.timezone ?? 'UTC'}` : null, definition.steps.length, last?.partition ?? null, last?.state ?? null, p.source ?? null]);
        }
        await context.render(rowStreamOf(cols(['pipeline', 'version', 'schedule', 'steps:INTEGER', 'last_partition', 'last_state', 'source']), rows), strata);
      });
    });

  pipeline
    .command('runs')
    .argument('[pipeline]', 'only this pipeline')
    .option('--state <state>', 'queued | running | succeeded | failed | cancelled')
    .option('--limit <n>', 'at most n runs (newest first)', '50')
    .description('Runs, newest first')
    .action(async (name: string | undefined, options: { state?: RunRecord['state']; limit: string }) => {
      await withService(context, 'pipeline runs', async (service, strata) => {
        const runs = await service.store.listRuns({ ...(name ? { pipeline: name } : {}), ...(options.state ? { state: options.state } : {}), limit: Number(options.limit) });
        await context.render(runsStream(runs), strata);
      });
    });

  pipeline
    .command('show')
    .argument('<run>', 'a run id')
    .description("A run's steps: state, attempts, error, and what each committed")
    .action(async (runId: string) => {
      await withService(context, 'pipeline show', async (service, strata) => {
        const run = await service.store.getRun(runId);
        await context.note(`Run ${run.runId}: ${run.pipeline} version ${run.version}, partition ${run.partition}, ${run.trigger}, ${run.state}${run.redrives ? `, redriven ${run.redrives}×` : ''}`);
        const steps = await service.store.steps(runId);
        await context.render(
          rowStreamOf(
            cols(['step', 'state', 'attempts:INTEGER', 'error', 'output']),
            steps.map((s) => [s.stepId, s.state, s.attempts, s.error ? `${s.error.code}: ${s.error.message}` : null, s.output ?? null]),
          ),
          strata,
        );
      });
    });

  pipeline
    .command('backfill')
    .argument('<pipeline>', 'a registered pipeline name, or its file')
    .requiredOption('--from <YYYY-MM-DD>', 'first logical date (inclusive)')
    .requiredOption('--to <YYYY-MM-DD>', 'last logical date (inclusive)')
    .option('--concurrency <n>', 'runs of this backfill at once', '1')
    .option('--only-failed', 'only dates whose latest earlier run failed')
    .description('Run a pipeline for every date in a range, behind fresh runs in priority')
    .addHelpText('after', '\nExamples:\n  $ strata pipeline backfill daily_sales --from 2024-03-01 --to 2024-03-31 --concurrency 2\n  $ strata pipeline backfill daily_sales --from 2024-03-01 --to 2024-03-31 --only-failed')
    .action(async (target: string, options: { from: string; to: string; concurrency: string; onlyFailed?: boolean }) => {
      await withService(context, 'pipeline backfill', async (service) => {
        const name = await registerIfFile(service, target);
        const { backfill, runs } = await service.backfill(name, { from: options.from, to: options.to, concurrency: Number(options.concurrency), onlyFailed: options.onlyFailed ?? false });
        await context.note(`Backfill ${backfill.backfillId}: ${runs.length} run(s) queued for ${name} ${options.from} … ${options.to}`);
        await reportRuns(context, service, await service.runQueued());
      });
    });

  pipeline
    .command('redrive')
    .argument('<run>', 'the id of a failed run')
    .option('--latest', 'rerun with the latest registered version instead of the one that ran')
    .option('--file <path>', 'register this pipeline file first (implies --latest)')
    .description('Rerun only the failed and not-yet-run steps of a run (successful steps are kept)')
    .action(async (runId: string, options: { latest?: boolean; file?: string }) => {
      await withService(context, 'pipeline redrive', async (service) => {
        if (options.file) await registerIfFile(service, options.file);
        const run = await service.redrive(runId, { version: options.latest || options.file ? 'latest' : 'pinned' });
        await context.note(`Redriving run ${run.runId} with version ${run.version}`);
        await reportRuns(context, service, await service.runQueued({ runId }));
      });
    });

  pipeline
    .command('cancel')
    .argument('<run>', 'a queued or running run')
    .description('Cancel a run: a queued one never starts; a running one stops before its next step')
    .action(async (runId: string) => {
      await withService(context, 'pipeline cancel', async (service) => {
        const run = await service.cancel(runId);
        await context.note(`Run ${run.runId} is ${run.state}`);
      });
    });

  pipeline
    .command('resume')
    .description('Take over runs of stopped or killed processes and work the queue until it is empty')
    .action(async () => {
      await withService(context, 'pipeline resume', async (service) => {
        await reportRuns(context, service, await service.runQueued());
      });
    });

  pipeline
    .command('schedule')
    .option('--once', 'create the runs that are due, run them, and exit')
    .description('Run the scheduler: create runs for due cron ticks and work the queue (Ctrl-C stops)')
    .action(async (options: { once?: boolean }) => {
      await withService(context, 'pipeline schedule', async (service) => {
        if (options.once) {
          const created = await service.schedule();
          await context.note(`${created.length} scheduled run(s) created`);
          await reportRuns(context, service, await service.runQueued());
          return;
        }
        const stop = () => void service.close();
        process.once('SIGINT', stop);
        await service.start(context.config.values['pipelines.poll_interval_ms']);
      });
    });

  pipeline
    .command('lineage')
    .argument('[run]', 'a run id (default: every run)')
    .option('--limit <n>', 'at most n events', '1000')
    .description("OpenLineage run events, one JSON object per line (the run's and its steps')")
    .action(async (runId: string | undefined, options: { limit: string }) => {
      await withService(context, 'pipeline lineage', async (_service, strata) => {
        const lineage = await LineageStore.open(strata.catalog);
        const text = await lineage.exportJson({ ...(runId ? { runId } : {}), limit: Number(options.limit) });
        process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
      });
    });
}

async function withService(context: CliContext, action: string, fn: (service: PipelineService, strata: StrataHome) => Promise<void>): Promise<void> {
  await context.withHome(async (strata) => {
    await context.governed(strata, action, action, (guard) => {
      if (!guard.principal.administrator) {
        throw new StrataError('ACCESS_DENIED', `Only administrators manage pipelines (they run as their owner); ${guard.principal.name} is not one`, { principal: guard.principal.name });
      }
      return Promise.resolve();
    });
    const service = await PipelineService.open({
      home: strata,
      globalConcurrency: context.config.values['pipelines.concurrency'],
      log: (line) => process.stderr.write(`${line}\n`),
      spark: sparkCompute({ strata, config: context.config.values }),
    });
    try {
      await fn(service, strata);
    } finally {
      await service.close();
    }
  });
}

/** A path to a pipeline file is registered and its name returned; anything else is taken as a name. */
async function registerIfFile(service: PipelineService, target: string): Promise<string> {
  if (!/\.(ya?ml|[cm]?[jt]s)$/i.test(target) || !existsSync(target)) return target;
  const { definition, source } = await loadPipelineFile(target);
  await service.register(definition, source);
  return definition.name;
}

async function reportRuns(context: CliContext, service: PipelineService, finished: readonly FinishedRun[]): Promise<void> {
  let failed = 0;
  for (const { run, state } of finished) {
    const steps = await service.store.steps(run.runId);
    const summary = steps.map((s) => `${s.stepId}=${s.state}${s.attempts > 1 ? `(${s.attempts} attempts)` : ''}`).join(' ');
    await context.note(`${run.pipeline} ${run.partition} run ${run.runId}: ${state}  ${summary}`);
    if (state === 'failed') failed++;
    for (const s of steps) if (s.state === 'failed' && s.error) await context.note(`  ${s.stepId}: ${s.error.code}: ${s.error.message}`);
  }
  if (failed > 0) {
    throw new StrataError('STEP_FAILED', `${failed} of ${finished.length} run(s) failed; see strata pipeline show <run>, fix, then strata pipeline redrive <run>`, { failed });
  }
}

function runsStream(runs: readonly RunRecord[]) {
  return rowStreamOf(
    cols(['run_id', 'pipeline', 'partition', 'trigger', 'state', 'version', 'created_at:TIMESTAMP WITH TIME ZONE', 'finished_at:TIMESTAMP WITH TIME ZONE', 'error']),
    runs.map((r) => [
      r.runId,
      r.pipeline,
      r.partition,
      r.trigger,
      r.state,
      r.version,
      new Date(r.createdAt).toISOString(),
      r.finishedAt === undefined ? null : new Date(r.finishedAt).toISOString(),
      r.error ? `${r.error.code}: ${r.error.message}` : null,
    ]),
  );
}

/** `name` or `name:TYPE` (default VARCHAR) → output columns. */
