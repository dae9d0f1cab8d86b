import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome } from '../catalog/index.ts';
import { parseJson } from '../core/index.ts';
import { Types, field } from '../table/index.ts';
import { runCli } from './cli-test-kit.ts';

let root: string;
let home: string;
const strata = (...args: string[]) => runCli(['--home', home, ...args]);
const jsonLines = (text: string) => text.trimEnd().split('\n').map((line) => parseJson(line) as Record<string, unknown>);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'strata-cli-'));
  home = join(root, 'home');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('strata CLI', () => {
  test('init creates the home and is idempotent', async () => {
    const first = await strata('init');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Initialised Strata home/);
    for (const path of ['strata.yaml', 'catalog.db', 'lake/raw', 'lake/curated', 'tmp']) assert.ok(existsSync(join(home, path)), path);
    const yaml = await readFile(join(home, 'strata.yaml'), 'utf8');
    const second = await strata('init');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /already initialised; nothing changed/);
    assert.equal(await readFile(join(home, 'strata.yaml'), 'utf8'), yaml);

    // A table created in between survives a second init.
    const opened = await openStrataHome(home);
    try {
      await opened.catalog.createNamespace(['sales']);
      const orders = await opened.catalog.createTable(
        'sales.orders',
        [field(1, 'order_id', Types.long, true), field(2, 'day', Types.date), field(3, 'customer', Types.string), field(4, 'amount', Types.decimal(10, 2))],
        { partitionBy: [{ source: 'day', transform: 'identity' }], properties: { owner: 'finance' } },
      );
      await orders.append({ rows: [{ order_id: 1n, day: '2024-10-04', customer: 'ada', amount: '12.50' }, { order_id: 2n, day: '2024-10-05', customer: null, amount: '3.00' }] });
      await orders.append({ rows: [{ order_id: 9007199254740993n, day: '2024-10-05', customer: 'grace, "the admiral"', amount: '1.00' }] });
    } finally {
      await opened.close();
    }
    assert.equal((await strata('init')).code, 0);
    assert.match((await strata('tables')).stdout, /sales\.orders/);
  });

  test('config: env wins over the file, the file over defaults; each value names its source', async () => {
    const configHome = join(root, 'config-home');
    assert.equal((await runCli(['--home', configHome, 'init'])).code, 0);
    await writeFile(join(configHome, 'strata.yaml'), 'duckdb:\n  threads: 2\n  memory_limit: 1GB\nprincipal: alice\n');
    const run = await runCli(['config', '--format', 'json'], { env: { STRATA_HOME: configHome, STRATA_DUCKDB_THREADS: '3' } });
    assert.equal(run.code, 0, run.stderr);
    const byKey = new Map(jsonLines(run.stdout).map((row) => [row['key'], row]));
    assert.deepEqual(byKey.get('duckdb.threads'), { key: 'duckdb.threads', value: '3', source: 'env STRATA_DUCKDB_THREADS', env_var: 'STRATA_DUCKDB_THREADS' });
    assert.equal(byKey.get('duckdb.memory_limit')?.['value'], '1GB');
    assert.equal(byKey.get('duckdb.memory_limit')?.['source'], `file ${join(configHome, 'strata.yaml')}`);
    assert.equal(byKey.get('principal')?.['value'], 'alice');
    assert.equal(byKey.get('duckdb.pool_size')?.['source'], 'default');

    await writeFile(join(configHome, 'strata.yaml'), 'duckdb:\n  threads: many\n');
    const bad = await runCli(['--home', configHome, 'config']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /duckdb\.threads.*strata\.yaml.*\[INVALID_CONFIG\]/);
  });

  test('tables and databases in table, json and csv', async () => {
    const table = await strata('tables');
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(table.stdout.split('\n'), [' database | table  | full_name', '----------+--------+--------------', ' sales    | orders | sales.orders', '(1 row)', '']);
    assert.deepEqual(jsonLines((await strata('tables', 'sales', '--format', 'json')).stdout), [{ database: 'sales', table: 'orders', full_name: 'sales.orders' }]);
    assert.equal((await strata('--format', 'csv', 'tables')).stdout, 'database,table,full_name\r\nsales,orders,sales.orders\r\n');
    assert.deepEqual(jsonLines((await strata('databases', '--format', 'json')).stdout), [{ database: 'sales', tables: 1 }]);
  });

  test('describe shows field ids, partitioning, properties and the current snapshot', async () => {
    const text = await strata('describe', 'sales.orders');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Current snapshot: \d+ \(append, .*, 3 rows in \d+ files\)/);
    assert.match(text.stdout, /^ +4 \| amount +\| decimal\(10, 2\) \| false/m);
    assert.match(text.stdout, /^ +1000 \| day +\| day +\| +2 \| identity/m);
    assert.match(text.stdout, /^ owner +\| finance/m);

    const [json] = jsonLines((await strata('describe', 'sales.orders', '--format', 'json')).stdout);
    assert.equal(json?.['table'], 'sales.orders');
    assert.deepEqual((json?.['schema'] as unknown[])[0], { field_id: 1, name: 'order_id', type: 'long', required: true });
    assert.deepEqual(json?.['partitioning'], [{ field_id: 1000, name: 'day', source_id: 2, transform: 'identity' }]);

    const csv = await strata('describe', 'sales.orders', '--format', 'csv', '--section', 'properties');
    assert.match(csv.stdout, /^key,value\r\n(.*\r\n)*owner,finance\r\n/);
  });

  test('snapshots lists the history in every format, parquet included', async () => {
    const rows = jsonLines((await strata('snapshots', 'sales.orders', '--format', 'json')).stdout);
    assert.equal(rows.length, 2);
    assert.equal(rows[0]?.['parent_id'], null);
    assert.equal(rows[1]?.['parent_id'], rows[0]?.['snapshot_id']);
    assert.deepEqual([rows[0]?.['added_records'], rows[1]?.['total_records'], rows[1]?.['current'], rows[1]?.['refs']], [2, 3, true, 'main']);

    const table = await strata('snapshots', 'sales.orders');
    assert.match(table.stdout, /\| append +\|/);
    assert.match(table.stdout, /\(2 rows\)/);
    const csv = await strata('snapshots', 'sales.orders', '--format', 'csv');
    assert.equal(csv.stdout.split('\r\n')[0], 'snapshot_id,parent_id,committed_at,operation,added_records,deleted_records,total_records,total_files,schema_id,current,refs');

    const output = join(root, 'history.parquet');
    const parquet = await strata('snapshots', 'sales.orders', '--format', 'parquet', '--output', output);
    assert.equal(parquet.code, 0, parquet.stderr);
    const opened = await openStrataHome(home);
    try {
      const read = await opened.runtime.withConnection(async (c) =>
        (await c.runAndReadAll(`SELECT snapshot_id::VARCHAR AS id, typeof(committed_at) AS t, total_records FROM '${output}' ORDER BY committed_at`)).getRowObjectsJson(),
      );
      assert.deepEqual(read.map((r) => [r['id'], r['t'], r['total_records']]), rows.map((r) => [String(r['snapshot_id']), 'TIMESTAMP WITH TIME ZONE', String(r['total_records'])]));
    } finally {
      await opened.close();
    }
  });

  test('exit codes: 3 for a missing table (with a suggestion) or home, 2 for bad usage', async () => {
    const [missing, missingDb, missingHome, noArgument, badOption, badFormat, badName, parquetWithoutOutput] = await Promise.all([
      strata('describe', 'sales.ordres'),
      strata('snapshots', 'nope.orders'),
      runCli(['--home', join(root, 'no-such-home'), 'tables']),
      strata('describe'),
      strata('tables', '--bogus'),
      strata('--format', 'xml', 'tables'),
      strata('describe', 'not-qualified'),
      strata('tables', '--format', 'parquet'),
    ]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /Did you mean sales\.orders\?.*\[TABLE_NOT_FOUND\]/);
    assert.equal(missingDb.code, 3);
    assert.match(missingDb.stderr, /strata databases/);
    assert.equal(missingHome.code, 3);
    assert.match(missingHome.stderr, /strata init/);
    assert.deepEqual([noArgument.code, badOption.code, badFormat.code, badName.code], [2, 2, 2, 2]);
    assert.equal(parquetWithoutOutput.code, 2);
    assert.match(parquetWithoutOutput.stderr, /--output/);
  });

  test('every command has --help with examples', async () => {
    const commands = ['init', 'config', 'databases', 'tables', 'describe', 'snapshots', 'demo', 'tour'];
    const runs = await Promise.all(commands.map((command) => strata(command, '--help')));
    runs.forEach((help, i) => {
      assert.equal(help.code, 0, commands[i]);
      assert.match(help.stdout, /Examples:\n {2}\$ strata/, commands[i]);
    });
  });
});
