/**
 * A real, throw-away Postgres for tests: a fresh cluster in a temp directory, listening on
 * 127.0.0.1 on a free port (its unix socket stays inside the temp directory), trust auth for the
 * user `strata`, stopped and deleted at the end. Starting one takes a few seconds, so a test file
 * shares one server and gives each suite (or test) its own database with `createDatabase()`.
 *
 * @example
 *   const postgres = await postgresForTests();          // top level of a test file
 *   after(() => postgres.server?.stop());
 *   describe('on postgres', { skip: postgres.skip }, () => { … await postgres.server!.createDatabase() … });
 *
 * Where the binaries come from: `initdb`/`pg_ctl` on PATH, else the newest
 * /usr/lib/postgresql/<version>/bin (Debian's `postgresql` package). When they are missing, tests
 * skip their Postgres cases with a message, except in CI (`CI` set) where that is a failure:
 * `.ci/run` installs Postgres.
 *
 * Gotcha: initdb refuses to run as root. As root, the cluster belongs to the `postgres` OS user
 * (created by the Debian package) and initdb/pg_ctl run through `runuser -u postgres --`.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../../core/index.ts';

export const POSTGRES_TEST_USER = 'strata';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly pgCtl: string;
}

/** Finds initdb and pg_ctl on PATH or under /usr/lib/postgresql/<version>/bin; undefined if absent. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join(debianRoot, v, 'bin')));
  }
  for (const dir of dirs) {
    const initdb = join(dir, 'initdb');
    const pgCtl = join(dir, 'pg_ctl');
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl };
  }
  return undefined;
}

export class PostgresTestServer {
  readonly port: number;
  readonly #root: string;
  readonly #dataDir: string;
  readonly #binaries: PostgresBinaries;
  readonly #runAs: string | undefined;
  #databases = 0;
  #stopped = false;
  readonly #onExit = (): void => this.#stopNow();

  private constructor(root: string, port: number, binaries: PostgresBinaries, runAs: string | undefined) {
    this.#root = root;
    this.#dataDir = join(root, 'data');
    this.port = port;
    this.#binaries = binaries;
    this.#runAs = runAs;
    // A test process that dies without `stop()` must not leave a postmaster behind.
    process.once('exit', this.#onExit);
  }

  /** Creates and starts a cluster. Throws (with initdb/pg_ctl's output) when that fails. */
  static async start(binaries: PostgresBinaries): Promise<PostgresTestServer> {
    const runAs = process.getuid?.() === 0 ? 'postgres' : undefined;
    const root = mkdtempSync(join(tmpdir(), 'strata-pg-'));
    if (runAs !== undefined) {
      const { uid, gid } = osUser(runAs);
      chownSync(root, uid, gid);
    }
    const dataDir = join(root, 'data');
    try {
      run(binaries.initdb, ['-D', dataDir, '-A', 'trust', '-U', POSTGRES_TEST_USER, '-E', 'UTF8', '--no-locale', '--no-sync'], root, runAs);
      const port = await freePort();
      // fsync off: a throw-away cluster trades durability for speed.
      const serverOptions = `-p ${port} -h 127.0.0.1 -k ${root} -F -c full_page_writes=off -c max_connections=200`;
      const log = join(root, 'postgres.log');
      const started = spawnResult(binaries.pgCtl, ['-D', dataDir, '-l', log, '-w', '-t', '60', '-o', serverOptions, 'start'], root, runAs);
      if (started.status !== 0) {
        const logText = existsSync(log) ? readFileSync(log, 'utf8') : '';
        throw new Error(`pg_ctl start failed: ${started.stderr}${started.stdout}\n${logText}`);
      }
      return new PostgresTestServer(root, port, binaries, runAs);
    } catch (error) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  /** URL of `database` on this server (the maintenance database `postgres` by default). */
  url(database = 'postgres'): string {
    return `postgres://${POSTGRES_TEST_USER}@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates an empty database with a fresh name and returns its URL. */
  async createDatabase(prefix = 'test'): Promise<string> {
    const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${++this.#databases}`;
    await this.query(`create database "${name}"`);
    return this.url(name);
  }

  /** Drops a database made by `createDatabase` (every connection to it must be closed). */
  async dropDatabase(url: string): Promise<void> {
    const name = new URL(url).pathname.slice(1);
    await this.query(`drop database if exists "${name}" with (force)`);
  }

  /** Runs one statement on the maintenance database. */
  async query(statement: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      return await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /** Stops the server at once (`-m immediate`) and deletes the cluster. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopNow();
    return Promise.resolve();
  }

  #stopNow(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    process.removeListener('exit', this.#onExit);
    spawnResult(this.#binaries.pgCtl, ['-D', this.#dataDir, '-m', 'immediate', '-w', 'stop'], this.#root, this.#runAs);
    rmSync(this.#root, { recursive: true, force: true });
  }
}

/** What a test file gets: a running server, or the reason its Postgres cases are skipped. */
export interface PostgresForTests {
  readonly server: PostgresTestServer | undefined;
  /** False when the server runs; otherwise the skip message for `describe(…, { skip })`. */
  readonly skip: string | false;
}

/**
 * Starts one server for a test file. Without Postgres binaries: skips outside CI and throws in CI,
 * so CI never passes by silently testing SQLite only.
 */
export async function postgresForTests(): Promise<PostgresForTests> {
  const binaries = findPostgresBinaries();
  if (binaries === undefined) {
    const message =
      'Postgres is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin); ' +
      'install it (apt-get install postgresql) to run the Postgres catalog tests';
    if (process.env['CI']) throw new Error(`${message}. CI must run them: .ci/run installs Postgres.`);
    return { server: undefined, skip: message };
  }
  return { server: await PostgresTestServer.start(binaries), skip: false };
}

function run(command: string, args: readonly string[], cwd: string, runAs: string | undefined): void {
  const result = spawnResult(command, args, cwd, runAs);
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr}${result.stdout}`);
}

function spawnResult(command: string, args: readonly string[], cwd: string, runAs: string | undefined) {
  const [file, argv] = runAs === undefined ? [command, args] : ['runuser', ['-u', runAs, '--', command, ...args]];
  // cwd inside the cluster's directory: the postgres user may not be allowed to read the caller's.
  const result = spawnSync(file, argv, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (result.error !== undefined) throw result.error;
  return result;
}

function osUser(name: string): { uid: number; gid: number } {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`Running as root, the test Postgres must run as the OS user "${name}", which does not exist (install Debian's postgresql package)`);
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

