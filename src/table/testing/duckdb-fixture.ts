/**
 * Test fixture: an in-memory DuckDB connection and a scratch directory for the duration of a test
 * file, closed and removed afterwards. Call at the top level of a test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface DuckDbFixture {
  readonly connection: DuckDBConnection;
  readonly dir: string;
}

export function duckDbFixture(prefix: string): DuckDbFixture {
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  let dir: string | undefined;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(() => {
    connection?.closeSync();
    instance?.closeSync();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`duckDbFixture: ${what} is only available inside tests`);
    return value;
  };
  return {
    get connection() {
      return ready(connection, 'connection');
    },
    get dir() {
      return ready(dir, 'dir');
    },
  };
}
