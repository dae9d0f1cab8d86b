/**
 * The DuckDB instance the table plane writes and reads Parquet with. One in-process instance per
 * runtime; each operation takes its own connection (DuckDB connections are not safe to share
 * between concurrent queries). Memory limit, threads and the spill directory come from config.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface DuckDbRuntimeOptions {
  /** e.g. '4GB'; DuckDB's default is 80% of RAM. */
  readonly memoryLimit?: string;
  readonly threads?: number;
  /** Where DuckDB spills and where the table plane stages files; defaults to the OS temp dir. */
  readonly tempDirectory?: string;
}

export class DuckDbRuntime {
  readonly tempDirectory: string;
  readonly #instance: DuckDBInstance;
  #sandboxed = false;

  private constructor(instance: DuckDBInstance, tempDirectory: string) {
    this.#instance = instance;
    this.tempDirectory = tempDirectory;
  }

  static async create(options: DuckDbRuntimeOptions = {}): Promise<DuckDbRuntime> {
    const tempDirectory = options.tempDirectory ?? join(tmpdir(), 'strata-duckdb');
    mkdirSync(tempDirectory, { recursive: true });
    const config: Record<string, string> = { temp_directory: tempDirectory };
    if (options.memoryLimit) config['memory_limit'] = options.memoryLimit;
    if (options.threads) config['threads'] = String(options.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    return new DuckDbRuntime(instance, tempDirectory);
  }

  /**
   * The underlying instance, for the engine plane: the embedded SQL engine runs on this same
   * instance, so one memory limit and one spill directory govern all of Strata's DuckDB work.
   */
  get instance(): DuckDBInstance {
    return this.#instance;
  }

  /** A fresh connection; the caller closes it (`closeSync()`) or uses `withConnection`. */
  async connect(): Promise<DuckDBConnection> {
    return this.#instance.connect();
  }

  async withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await fn(connection);
    } finally {
      connection.closeSync();
    }
  }

  /**
   * Locks the instance down for SQL written by principals who are not administrators: no file
   * access outside `directories` (the lake's own files and the spill directory), so no
   * `read_csv('/etc/passwd')`, ATTACH, INSTALL or LOAD; and no configuration changes at all.
   * Irreversible for this instance, and it covers every connection, so Strata's own reads of
   * files elsewhere (ingest) must use another runtime. Time zone is fixed to UTC first, as the
   * engine's connections would set it.
   */
  async sandbox(directories: readonly string[]): Promise<void> {
    const list = [...new Set([...directories, this.tempDirectory])].map((d) => `'${(d.endsWith('/') ? d : `${d}/`).replaceAll("'", "''")}'`);
    await this.withConnection(async (connection) => {
      try {
        await connection.run("SET GLOBAL TimeZone = 'UTC'");
      } catch {
        // ICU missing: timestamps with time zone already render in UTC.
      }
      await connection.run(`SET allowed_directories = [${list.join(', ')}]`);
      await connection.run('SET enable_external_access = false');
      await connection.run('SET lock_configuration = true');
    });
    this.#sandboxed = true;
  }

  /** Whether `sandbox()` locked this instance. */
  get sandboxed(): boolean {
    return this.#sandboxed;
  }

  close(): void {
    this.#instance.closeSync();
  }
}
