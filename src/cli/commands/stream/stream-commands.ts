/**
 * `strata stream …`: start, stop, watch and check streams, and replay their dead letters. A stream
 * runs in the process that started it (`stream start`, until Ctrl-C, `stream stop` from anywhere,
 * or — with `--available-now` — until what was there at the start is processed), or inside
 * `strata serve --streams` (`stream start --detach` only marks it to run there). Streams run as
 * their owner (trusted, like pipelines), so these commands are for administrators. See docs/streams.md.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Registry } from 'prom-client';
import { StrataError, messageOf } from '../../../core/index.ts';
import type { StrataHome } from '../../../catalog/index.ts';
import { StreamService, checkCompatibility, isoOfMicros, loadStreamFile, type StreamDefinition, type StreamRecord } from '../../../stream/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { columnsOf, rowStreamOf } from '../../output/index.ts';
import { startStreamSideServer } from './stream-side-server.ts';

export function registerStreamCommands(program: Command, context: CliContext): void {
  const stream = program.command('stream').description('Continuous ingestion: sources → SQL, dedup and windows → Iceberg sink, exactly once (see docs/streams.md)');

  stream
    .command('start')
    .argument('<stream>', 'a stream file (.yaml, .ts, .mjs) or the name of a registered stream')
    .option('--available-now', 'process what the source has now, then stop')
    .option('--detach', 'only mark the stream to run; a `strata serve --streams` process runs it')
    .option('--port <port>', 'serve /metrics (and POST /api/v1/streams/<name>/records for an http source) on this loopback port while running')
    .description('Register a stream (if a file is given) and run it in this process until Ctrl-C or `strata stream stop`')
    .addHelpText(
      'after',
      `
Examples:
  $ strata stream start streams/clicks.stream.yaml
  $ strata stream start clicks --available-now
  $ strata stream start streams/clicks.stream.yaml --detach   # strata serve --streams runs it`,
    )
    .action(async (target: string, options: { availableNow?: boolean; detach?: boolean; port?: string }) => {
      const metrics = new Registry();
      await withStreams(context, 'stream start', { metrics }, async (service) => {
        const name = await registerIfFile(service, target);
        await service.store.setDesired(name, 'running');
        if (options.detach) {
          await context.note(`Stream ${name} marked to run; a \`strata serve --streams\` process starts it within seconds`);
          return;
        }
        const side = options.port === undefined ? undefined : await startStreamSideServer({ service, stream: name, port: Number(options.port), metrics });
        if (side) process.stderr.write(`Stream ${name}: metrics${side.ingest ? ' and ingest' : ''} on ${side.url}\n`);
        const stop = new AbortController();
        const onSignal = (): void => {
          process.stderr.write(`Stopping stream ${name} after the batch in hand…\n`);
          stop.abort();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          process.stderr.write(`Stream ${name} running${options.availableNow ? ' (available-now)' : ''}; Ctrl-C stops it\n`);
          const summary = await service.run(name, { signal: stop.signal, ...(options.availableNow ? { availableNow: true } : {}) });
          await context.note(`Stream ${name}: ${summary.reason}; ${summary.batches} batch(es), ${summary.rowsIn} record(s) in, ${summary.rowsOut} row(s) out, ${summary.deadLetters} dead letter(s)`);
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await side?.close();
        }
      });
    });

  stream
    .command('stop')
    .argument('<name>', 'a registered stream')
    .description('Stop a stream wherever it runs (it finishes the batch in hand; the next start resumes exactly there)')
    .action(async (name: string) => {
      await withStreams(context, 'stream stop', {}, async (service) => {
        await service.store.setDesired(name, 'stopped');
        const record = await service.store.require(name);
        await context.note(record.leaseOwner ? `Stream ${name} stops after its current batch` : `Stream ${name} is not running; it stays stopped`);
      });
    });

  stream
    .command('list')
    .description('Registered streams: source, sink, desired state and status')
    .action(async () => {
      await withStreams(context, 'stream list', {}, async (service, strata) => {
        const rows = (await service.store.list()).map((r) => [r.name, r.version, describeSource(r.definition), r.definition.sink.table, r.definition.sink.mode, r.desired, r.status, r.source ?? null]);
        await context.render(rowStreamOf(columnsOf(['stream', 'version', 'source', 'sink', 'mode', 'desired', 'status', 'file']), rows), strata);
      });
    });

  stream
    .command('status')
    .argument('[name]', 'one stream: its recent micro-batches')
    .option('--limit <n>', 'micro-batches to show for one stream', '10')
    .description('Where each stream is: last batch, offsets, watermark, rates, state size, dead letters')
    .action(async (name: string | undefined, options: { limit: string }) => {
      await withStreams(context, 'stream status', {}, async (service, strata) => {
        if (name === undefined) {
          const rows: unknown[][] = [];
          for (const record of await service.store.list()) rows.push(await statusRow(service, record));
          const columns = columnsOf(['stream', 'status', 'desired', 'last_batch:BIGINT', 'watermark', 'rows_in_per_s:DOUBLE', 'batch_ms:BIGINT', 'state_rows:BIGINT', 'state_bytes:BIGINT', 'dead_letters:BIGINT', 'error']);
          await context.render(rowStreamOf(columns, rows), strata);
          return;
        }
        const record = await service.store.require(name);
        await context.note(`Stream ${name}: ${record.status} (desired ${record.desired})${record.leaseOwner ? `, run by ${record.leaseOwner}` : ''}${record.lastError ? `\nLast error: ${record.lastError}` : ''}`);
        const batches = await service.store.progress(name, Number(options.limit));
        const rows = batches.map((p) => [
          p.batchId,
          new Date(p.finishedAt).toISOString(),
          JSON.stringify(p.endOffsets),
          p.watermark === undefined ? null : isoOfMicros(BigInt(p.watermark)),
          p.rowsIn,
          p.rowsOut,
          p.deadLetters,
          p.durations.total,
          p.stateRows,
          p.stateBytes,
        ]);
        const columns = columnsOf(['batch:BIGINT', 'finished_at', 'end_offsets', 'watermark', 'rows_in:BIGINT', 'rows_out:BIGINT', 'dead_letters:BIGINT', 'ms:BIGINT', 'state_rows:BIGINT', 'state_bytes:BIGINT']);
        await context.render(rowStreamOf(columns, rows), strata);
      });
    });

  stream
    .command('check')
    .argument('<file>', 'a changed stream file (.yaml, .ts, .mjs)')
    .description("Compare a changed definition with the registered one: can the running stream's state and offsets be reused?")
    .action(async (file: string) => {
      await withStreams(context, 'stream check', {}, async (service, strata) => {
        const changed = await loadStreamFile(file);
        const running = await service.store.get(changed.name);
        if (!running) {
          await context.note(`Stream ${changed.name} is not registered: the definition is valid and starts from its starting offsets`);
          return;
        }
        const report = checkCompatibility(running.definition, changed);
        await context.render(rowStreamOf(columnsOf(['path', 'kind', 'message']), report.changes.map((c) => [c.path, c.kind, c.message])), strata);
        await context.note(
          report.changes.length === 0
            ? 'No changes.'
            : `State ${report.stateReusable ? 'can be reused' : 'CANNOT be reused'}; offsets ${report.offsetsReusable ? 'can be reused' : 'CANNOT be reused (the stream restarts from its starting offsets)'}.`,
        );
        if (!report.stateReusable || !report.offsetsReusable) {
          throw new StrataError('STREAM_INVALID', `The change to ${changed.name} is not compatible with its running state; see the rows above`, { stream: changed.name, incompatible: true });
        }
      });
    });

  stream
    .command('replay-dlq')
    .argument('<name>', 'a registered stream')
    .option('--reason <reasons>', 'comma-separated reasons to replay', 'unparseable,schema_violation,transform_error')
    .option('--limit <n>', 'at most n dead letters')
    .description("Send dead letters' raw payloads back to the stream's source (after fixing the definition); each is replayed once")
    .action(async (name: string, options: { reason: string; limit?: string }) => {
      await withStreams(context, 'stream replay-dlq', {}, async (service) => {
        const reasons = options.reason.split(',').map((r) => r.trim()).filter((r) => r !== '');
        const result = await service.replayDeadLetters(name, { reasons, ...(options.limit ? { limit: Number(options.limit) } : {}) });
        await context.note(`Replayed ${result.replayed} dead letter(s) of ${name} into its ${result.sourceKind} source${result.skipped > 0 ? `; ${result.skipped} skipped (no payload, or already replayed)` : ''}`);
      });
    });
}

async function withStreams(
  context: CliContext,
  action: string,
  options: { metrics?: Registry },
  fn: (service: StreamService, strata: StrataHome) => Promise<void>,
): Promise<void> {
  await context.withHome(async (strata) => {
    await context.governed(strata, action, action, (guard) => {
      if (!guard.principal.administrator) {
        throw new StrataError('ACCESS_DENIED', `Only administrators manage streams (they run as their owner); ${guard.principal.name} is not one`, { principal: guard.principal.name });
      }
      return Promise.resolve();
    });
    const service = await StreamService.open({ home: strata, ...(options.metrics ? { metrics: options.metrics } : {}), log: (line) => process.stderr.write(`${line}\n`) });
    try {
      await fn(service, strata);
    } finally {
      await service.close();
    }
  });
}

/** A path to a stream file is registered and its name returned; anything else is taken as a name. */
async function registerIfFile(service: StreamService, target: string): Promise<string> {
  if (!/\.(ya?ml|[cm]?[jt]s)$/i.test(target) || !existsSync(target)) {
    await service.store.require(target);
    return target;
  }
  const definition = await loadStreamFile(target);
  await service.register(definition, { source: target });
  return definition.name;
}

async function statusRow(service: StreamService, record: StreamRecord): Promise<unknown[]> {
  const [last] = await service.store.progress(record.name, 1).catch((error: unknown) => {
    throw new StrataError('CATALOG_ERROR', `Cannot read progress of ${record.name}: ${messageOf(error)}`);
  });
  const rate = last && last.durations.total > 0 ? Math.round((last.rowsIn / last.durations.total) * 1000 * 10) / 10 : null;
  return [
    record.name,
    record.status,
    record.desired,
    last?.batchId ?? null,
    last?.watermark === undefined ? null : isoOfMicros(BigInt(last.watermark)),
    rate,
    last?.durations.total ?? null,
    last?.stateRows ?? null,
    last?.stateBytes ?? null,
    last?.deadLetters ?? null,
    record.lastError ?? null,
  ];
}

function describeSource(definition: StreamDefinition): string {
  const source = definition.source;
  switch (source.kind) {
    case 'kafka':
      return `kafka ${source.topic}`;
    case 'directory':
      return `directory ${source.path}`;
    case 'http':
      return 'http';
  }
}
