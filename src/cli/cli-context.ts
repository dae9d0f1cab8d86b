/**
 * What every command needs from the global options: the home (`--home`, else $STRATA_HOME, else
 * ./.strata), the effective config of that home, the output format, and a way to open the home
 * with the config applied (DuckDB memory limit, threads, spill directory).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { defaultHome, openStrataHome, type StrataHome, type StrataHomeOptions } from '../catalog/index.ts';
import { homeOptionsOf } from './home-options.ts';
import { loadConfig, OUTPUT_FORMATS, type LoadedConfig, type OutputFormat } from '../config/index.ts';
import { StrataError } from '../core/index.ts';
import { DuckDbEngine } from '../engine/index.ts';
import { openGovernance, type GovernancePlane, type Governor, type StatementGuard } from '../governance/index.ts';
import { DuckDbRuntime, type DuckDbRuntimeOptions } from '../table/index.ts';
import { renderRows, writableSink, type RowStream, type TextSink } from './output/index.ts';

export interface GlobalOptions {
  readonly home?: string;
  /** `--as <principal>`: an administrator runs the command as someone else. */
  readonly as?: string;
  readonly format?: string;
  readonly output?: string;
}

export class CliContext {
  readonly #program: Command;
  #config: LoadedConfig | undefined;
  #formatOverride: OutputFormat | undefined;
  readonly stdout: TextSink = writableSink(process.stdout);

  constructor(program: Command) {
    this.#program = program;
  }

  get options(): GlobalOptions {
    return this.#program.opts<GlobalOptions>();
  }

  get home(): string {
    return this.options.home !== undefined ? resolve(this.options.home) : defaultHome();
  }

  /** The effective config (loaded once; INVALID_CONFIG if the file or an env var is bad). */
  get config(): LoadedConfig {
    this.#config ??= loadConfig(this.home);
    return this.#config;
  }

  /** --format, else the config's output.format (STRATA_OUTPUT_FORMAT or the file), else table. */
  get format(): OutputFormat {
    const chosen = this.#formatOverride ?? this.options.format ?? this.config.values['output.format'];
    if (!(OUTPUT_FORMATS as readonly string[]).includes(chosen)) {
      throw new StrataError('INVALID_ARGUMENT', `Unknown format ${chosen}; use one of ${OUTPUT_FORMATS.join(', ')}.`, { format: chosen });
    }
    return chosen as OutputFormat;
  }

  /** Changes the output format for the rest of the run (the shell's `.format`). */
  set format(format: OutputFormat) {
    this.#formatOverride = format;
  }

  /** Who the command acts as: `--as`, else the configured principal (default `admin`). */
  get principal(): string {
    return this.options.as ?? this.config.values.principal;
  }

  /** With `--as`, the configured principal (who must be an administrator) acting as someone else. */
  get actingAs(): string | undefined {
    return this.options.as !== undefined && this.options.as !== this.config.values.principal ? this.config.values.principal : undefined;
  }

  /** Opens the governance plane of an open home, runs `fn`, and closes it. */
  async withGovernance<T>(strata: StrataHome, fn: (governance: GovernancePlane) => Promise<T>): Promise<T> {
    const governance = await openGovernance(strata.catalog);
    try {
      return await fn(governance);
    } finally {
      await governance.close();
    }
  }

  /**
   * Runs a command that is not SQL (describe, snapshots, tables, ingest, …) under governance as
   * the acting principal: `fn` checks what it needs with `guard.require(…)` (ACCESS_DENIED, exit
   * 6), and the command is audited as `action` like a SQL statement.
   */
  async governed<T>(strata: StrataHome, action: string, command: string, fn: (guard: StatementGuard, governor: Governor) => Promise<T>): Promise<T> {
    return this.withGovernance(strata, async (governance) => {
      const engine = DuckDbEngine.create(strata.runtime, { poolSize: 1 });
      try {
        const governor = await governance.governorFor(this.principal, engine, this.actingAs === undefined ? {} : { actingAs: this.actingAs });
        const guard = await governor.begin(command, action);
        try {
          const result = await fn(guard, governor);
          await guard.finish({});
          return result;
        } catch (error) {
          await guard.finish({ error });
          throw error;
        }
      } finally {
        await engine.close();
      }
    });
  }

  /** Whether the home has been initialised (has a catalog; with `catalog.url` on Postgres, the home directory exists). */
  homeExists(): boolean {
    if (this.config.values['catalog.url'] !== '') return existsSync(this.home);
    return existsSync(join(this.home, 'catalog.db'));
  }

  /** The catalog database and the lake the config names (`catalog.url`, `lake.*`). */
  homeOptions(): StrataHomeOptions {
    return homeOptionsOf(this.config.values);
  }

  runtimeOptions(): DuckDbRuntimeOptions {
    const values = this.config.values;
    return {
      tempDirectory: values['duckdb.temp_directory'],
      ...(values['duckdb.memory_limit'] !== null ? { memoryLimit: values['duckdb.memory_limit'] } : {}),
      ...(values['duckdb.threads'] !== null ? { threads: values['duckdb.threads'] } : {}),
    };
  }

  /** Opens the (initialised) home with the config applied, runs `fn`, and always closes it. */
  async withHome<T>(fn: (strata: StrataHome) => Promise<T>): Promise<T> {
    if (!this.homeExists()) {
      throw new StrataError(
        'OBJECT_NOT_FOUND',
        `No Strata home at ${this.home}. Run "strata init" to create one, or point --home / STRATA_HOME at an existing home.`,
        { home: this.home },
      );
    }
    const strata = await openStrataHome(this.home, this.runtimeOptions(), this.homeOptions());
    try {
      return await fn(strata);
    } finally {
      await strata.close();
    }
  }

  /** Renders rows in the chosen format to stdout, or to --output <file> (required for parquet). */
  async render(stream: RowStream, strata?: StrataHome): Promise<number> {
    const format = this.format;
    const output = this.options.output;
    // Parquet is written by DuckDB: borrow the home's runtime, or start a short-lived one.
    const runtime = format !== 'parquet' ? undefined : (strata?.runtime ?? (await DuckDbRuntime.create(this.runtimeOptions())));
    const file = output !== undefined && format !== 'parquet' ? createWriteStream(resolve(output)) : undefined;
    try {
      return await renderRows(stream, {
        format,
        sink: file !== undefined ? writableSink(file) : this.stdout,
        ...(output !== undefined ? { output } : {}),
        ...(runtime !== undefined ? { runtime } : {}),
        maxCellWidth: this.config.values['output.max_cell_width'],
        color: file === undefined && process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined,
      });
    } finally {
      if (file !== undefined) {
        file.end();
        await finished(file);
      }
      if (runtime !== undefined && runtime !== strata?.runtime) runtime.close();
    }
  }

  /** Plain text for people (table format only; machine formats stay pure). */
  async note(text: string): Promise<void> {
    if (this.format === 'table') await this.stdout.write(`${text}\n`);
  }
}
