/**
 * `strata serve`: runs the Strata server on the home until SIGINT/SIGTERM, then shuts down
 * gracefully (running queries get `server.shutdown_grace_ms` to finish, the rest are cancelled).
 * Address, port, body limit and log level come from config (`server.*`) or the flags.
 */
import type { Command } from 'commander';
import { StrataError } from '../../core/index.ts';
import { startServer } from '../../server/index.ts';
import { openStrataHome } from '../../catalog/index.ts';
import { PipelineService } from '../../pipeline/index.ts';
import type { CliContext } from '../cli-context.ts';
import { connectSharedSpark, sparkCompute } from './spark-compute.ts';

export function registerServe(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('Run the Strata server: query service, Iceberg REST catalog, health and metrics (loopback by default)')
    .option('--host <address>', 'address to listen on (default: server.host, 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free one (default: server.port, 8181)')
    .option('--pipelines', 'also run the pipeline scheduler and workers (registered pipelines with a schedule)')
    .option('--streams', 'also run every stream marked to run (`strata stream start --detach`)')
    .addHelpText(
      'after',
      `
Examples:
  $ strata serve                                  # http://127.0.0.1:8181
  $ strata serve --port 9000
  $ strata token create alice --expires-in 30d    # a bearer token for clients
  $ curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8181/v1/namespaces
See docs/server.md.`,
    )
    .action(async (options: { host?: string; port?: string; pipelines?: boolean; streams?: boolean }) => {
      if (!context.homeExists()) {
        throw new StrataError('OBJECT_NOT_FOUND', `No Strata home at ${context.home}. Run "strata init" first.`, { home: context.home });
      }
      const values = context.config.values;
      const port = options.port !== undefined ? Number(options.port) : values['server.port'];
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new StrataError('INVALID_ARGUMENT', `--port must be 0 … 65535, not ${options.port ?? ''}`);
      const server = await startServer({
        home: context.home,
        host: options.host ?? values['server.host'],
        port,
        bodyLimitBytes: values['server.body_limit_bytes'],
        shutdownGraceMs: values['server.shutdown_grace_ms'],
        logLevel: values['server.log_level'],
        duckdb: context.runtimeOptions(),
        catalogUrl: values['catalog.url'],
        lake: context.homeOptions().lake ?? {},
        poolSize: values['duckdb.pool_size'],
        settings: { resultRetentionMs: values['server.result_retention_ms'], historyRetentionDays: values['server.history_retention_days'], runStreams: options.streams === true },
        spark: () => connectSharedSpark(context.home, values),
      });
      process.stderr.write(`Strata server on ${server.url} (home ${context.home})${options.streams ? ', running streams' : ''}; Ctrl-C stops it\n`);
      // Pipelines ingest files from anywhere, so they get their own (unsandboxed) view of the home.
      const pipelines = options.pipelines ? await startPipelines(context, server.url) : undefined;
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stderr.write('Shutting down: finishing running queries…\n');
          void Promise.all([server.close(), pipelines?.close()]).then(() => resolve(), () => resolve());
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

async function startPipelines(context: CliContext, catalogUri: string): Promise<{ close(): Promise<void> }> {
  const home = await openStrataHome(context.home, context.runtimeOptions(), context.homeOptions());
  const values = context.config.values;
  const service = await PipelineService.open({
    home,
    globalConcurrency: values['pipelines.concurrency'],
    log: (line) => process.stderr.write(`${line}\n`),
    // Transient clusters reach the catalog through this very server.
    spark: sparkCompute({ strata: home, config: values, catalogUri }),
  });
  const loop = service.start(context.config.values['pipelines.poll_interval_ms']);
  process.stderr.write('Pipeline scheduler running\n');
  return {
    async close() {
      await service.close();
      await loop;
      await home.close();
    },
  };
}
