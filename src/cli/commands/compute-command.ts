/**
 * `strata compute up|status|down`: the home's disposable Spark cluster. `up` starts a local Spark
 * Connect server (pip pyspark on Java 17) that outlives the command, with Iceberg's Spark runtime
 * and Strata's REST catalog (`strata serve`) as its `strata` catalog; `status` says whether it
 * runs; `down` stops it and revokes its catalog token. Cores and memory come from
 * `compute.spark.*` config or the flags. An existing cluster elsewhere (EMR, Kubernetes) needs no
 * command: set `compute.spark.url`. See docs/compute.md.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { StrataError, stringifyJson } from '../../core/index.ts';
import type { ConfigValues } from '../../config/index.ts';
import {
  describeConnection,
  managedClusterStatus,
  parseConnectionString,
  startManagedCluster,
  stopManagedCluster,
  type ManagedSparkState,
} from '../../engine/spark/index.ts';
import type { CliContext } from '../cli-context.ts';
import { runGoverned } from './governance/governed-command.ts';
import { mintComputeToken, revokeComputeToken } from './compute-catalog-token.ts';

interface UpOptions {
  readonly cores?: number;
  readonly memory?: string;
  readonly catalogUri?: string;
  /** false with --no-catalog. */
  readonly catalog: boolean;
}

export function registerCompute(program: Command, context: CliContext): void {
  const compute = program
    .command('compute')
    .description('Disposable compute: start, inspect and stop this home\'s local Spark cluster (Spark Connect)')
    .addHelpText(
      'after',
      `
Examples:
  $ strata serve &                         # the REST catalog Spark reads the lake through
  $ strata compute up --cores 4 --memory 8g
  $ strata compute status --json
  $ strata compute down
An existing Spark Connect cluster needs no command: set compute.spark.url (strata.yaml or STRATA_COMPUTE_SPARK_URL).
See docs/compute.md.`,
    );

  compute
    .command('up')
    .description('Start the local Spark cluster in the background (nothing happens if it runs already)')
    .option('--cores <n>', 'worker threads, local[<n>] (default: compute.spark.cores, 2)', parseCores)
    .option('--memory <size>', 'driver heap such as 2g or 768m (default: compute.spark.memory, 2g)')
    .option('--catalog-uri <url>', "Strata's REST catalog as Spark reaches it (default: compute.spark.catalog_uri, else http://127.0.0.1:<server.port>)")
    .option('--no-catalog', "start Spark without Strata's lake catalog (no token is minted)")
    .action(async (options: UpOptions) => {
      await runGoverned(context, { action: 'compute up', audit: 'always' }, async ({ plane }) => {
        const values = context.config.values;
        const catalogUri = options.catalog ? (options.catalogUri ?? defaultCatalogUri(values)) : undefined;
        let minted: { readonly id: string } | undefined;
        let result: Awaited<ReturnType<typeof startManagedCluster>>;
        try {
          result = await startManagedCluster(context.home, {
            cores: options.cores ?? values['compute.spark.cores'],
            memory: options.memory ?? values['compute.spark.memory'],
            ...(catalogUri === undefined
              ? {}
              : {
                  lakeCatalog: async () => {
                    const token = await mintComputeToken(plane.identity);
                    minted = token;
                    return { restUri: catalogUri, token: token.token, tokenId: token.id };
                  },
                }),
          });
        } catch (error) {
          if (minted !== undefined) await revokeComputeToken(plane.identity, minted.id);
          throw error;
        }
        if (result.stale?.catalogTokenId) await revokeComputeToken(plane.identity, result.stale.catalogTokenId);
        const cluster = result.cluster;
        if (context.format === 'json') {
          await context.stdout.write(`${stringifyJson({ started: result.started, ...stateJson(cluster) })}\n`);
        } else {
          const verb = result.started ? 'Started' : 'Already running:';
          await context.stdout.write(`${verb} Spark at ${cluster.url} (pid ${cluster.pid}, local[${cluster.cores}], ${cluster.memory})\n`);
          if (cluster.catalogUri !== null) await context.stdout.write(`Lake catalog: strata → ${cluster.catalogUri}\n`);
          await context.stdout.write(`Log: ${cluster.logPath}\n`);
        }
        if (result.started && cluster.catalogUri !== null && !(await catalogAnswers(cluster.catalogUri))) {
          process.stderr.write(`Note: nothing answers at ${cluster.catalogUri} yet; Spark reads the lake through it, so start "strata serve" there.\n`);
        }
        if (values['compute.spark.url'] !== '') {
          process.stderr.write('Note: compute.spark.url is set, so Strata uses that endpoint, not this cluster.\n');
        }
      });
    });

  compute
    .command('status')
    .description('Say whether the local Spark cluster runs (a dead one is cleaned up), and which Spark Strata uses')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      const status = await managedClusterStatus(context.home);
      const configured = context.config.values['compute.spark.url'];
      const configuredUrl = configured === '' ? null : redacted(configured);
      let staleTokenNote: string | undefined;
      if (status.state === 'stopped' && status.stale?.catalogTokenId) staleTokenNote = await revokeStaleToken(context, status.stale.catalogTokenId);
      if (options.json === true || context.format === 'json') {
        await context.stdout.write(
          `${stringifyJson({
            state: status.state,
            ...(status.state === 'stopped' ? {} : stateJson(status.cluster)),
            ...('reason' in status && status.reason !== undefined ? { reason: status.reason } : {}),
            ...(status.state === 'stopped' && status.stale !== undefined ? { stale: stateJson(status.stale) } : {}),
            configured_url: configuredUrl,
          })}\n`,
        );
      } else {
        if (status.state === 'running') {
          const c = status.cluster;
          await context.stdout.write(`running: Spark at ${c.url} (pid ${c.pid}, local[${c.cores}], ${c.memory}, since ${c.startedAt})\n`);
          if (c.catalogUri !== null) await context.stdout.write(`Lake catalog: strata → ${c.catalogUri}\n`);
          await context.stdout.write(`Log: ${c.logPath}\n`);
        } else if (status.state === 'unresponsive') {
          await context.stdout.write(`unresponsive: ${status.reason}; "strata compute down" stops it (log: ${status.cluster.logPath})\n`);
        } else {
          await context.stdout.write('stopped\n');
          if (status.stale !== undefined) {
            await context.stdout.write(`Cleaned up a stale record: Spark (pid ${status.stale.pid}, ${status.stale.url}) is no longer running (${status.reason ?? ''}); log: ${status.stale.logPath}\n`);
          }
        }
        if (configuredUrl !== null) await context.stdout.write(`Strata uses the configured compute.spark.url: ${configuredUrl}\n`);
      }
      if (staleTokenNote !== undefined) process.stderr.write(`${staleTokenNote}\n`);
    });

  compute
    .command('down')
    .description('Stop the local Spark cluster (SIGTERM, SIGKILL after the grace period) and revoke its catalog token')
    .option('--grace <seconds>', 'how long Spark may shut down cleanly before it is killed', parseSeconds, 10)
    .action(async (options: { grace: number }) => {
      await runGoverned(context, { action: 'compute down', audit: 'always' }, async ({ plane }) => {
        const stopped = await stopManagedCluster(context.home, options.grace * 1000);
        if (stopped?.catalogTokenId) await revokeComputeToken(plane.identity, stopped.catalogTokenId);
        const message = stopped === undefined ? 'No Spark cluster was running' : `Stopped Spark (pid ${stopped.pid}, ${stopped.url})`;
        if (context.format === 'json') await context.stdout.write(`${stringifyJson({ stopped: stopped !== undefined, ...(stopped === undefined ? {} : stateJson(stopped)) })}\n`);
        else await context.stdout.write(`${message}\n`);
      });
    });
}

/** The catalog a local Spark reaches: `compute.spark.catalog_uri`, else this home's `strata serve` on loopback. */
export function defaultCatalogUri(values: ConfigValues): string {
  const configured = values['compute.spark.catalog_uri'];
  if (configured !== '') return configured;
  const port = values['server.port'];
  if (port === 0) {
    throw new StrataError('INVALID_ARGUMENT', 'server.port is 0 (any free port), so Spark cannot guess where the catalog is: pass --catalog-uri or set compute.spark.catalog_uri', {});
  }
  const host = values['server.host'];
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

function stateJson(cluster: ManagedSparkState): Record<string, unknown> {
  return {
    url: cluster.url,
    pid: cluster.pid,
    port: cluster.port,
    started_at: cluster.startedAt,
    cores: cluster.cores,
    memory: cluster.memory,
    catalog_uri: cluster.catalogUri,
    log_path: cluster.logPath,
  };
}

function redacted(url: string): string {
  try {
    return describeConnection(parseConnectionString(url));
  } catch {
    return url.replace(/(token=)[^;]*/i, '$1***');
  }
}

async function catalogAnswers(uri: string): Promise<boolean> {
  try {
    await fetch(`${uri.replace(/\/+$/, '')}/v1/config`, { signal: AbortSignal.timeout(2_000) });
    return true; // any HTTP answer (401 without a token) means a server is there
  } catch {
    return false;
  }
}

/** A dead cluster's catalog token is revoked as housekeeping; a non-administrator gets a hint instead. */
async function revokeStaleToken(context: CliContext, tokenId: string): Promise<string | undefined> {
  if (!context.homeExists()) return undefined;
  try {
    await runGoverned(context, { action: 'compute cleanup', audit: 'always' }, ({ plane }) => revokeComputeToken(plane.identity, tokenId));
    return undefined;
  } catch (error) {
    if (!StrataError.is(error, 'ACCESS_DENIED')) throw error;
    return `The dead cluster's catalog token ${tokenId} is still valid; an administrator should run: strata token revoke ${tokenId}`;
  }
}

function parseCores(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`expected a whole number >= 1, got "${text}"`);
  return value;
}

function parseSeconds(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`expected a number of seconds >= 0, got "${text}"`);
  return value;
}
