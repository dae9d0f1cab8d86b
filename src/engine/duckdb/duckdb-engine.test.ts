import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '../../core/index.ts';
import { DuckDbRuntime } from '../../table/index.ts';
import type { QueryResult } from '../engine.ts';
import { DuckDbEngine } from './duckdb-engine.ts';

let dir = '';
let runtime: DuckDbRuntime;
let engine: DuckDbEngine;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strata-engine-'));
  runtime = await DuckDbRuntime.create({ tempDirectory: dir, threads: 2 });
  engine = DuckDbEngine.create(runtime, { poolSize: 2 });
});
after(async () => {
  await engine.close();
  runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

async function drain(result: QueryResult): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const batch of result) rows.push(...batch);
  return rows;
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<StrataError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof StrataError, `expected a StrataError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

/** A query that runs for many seconds unless interrupted. */
const LONG_QUERY = 'SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b';

describe('DuckDbEngine', () => {
  test('returns columns with DuckDB types and values in the documented forms', async () => {
    const result = await engine.query(
      "SELECT 1::INTEGER AS i, 9007199254740993::BIGINT AS l, 12.30::DECIMAL(10,2) AS d, DATE '2024-01-31' AS dt, " +
        "TIMESTAMP '2024-01-31 10:15:00.123456' AS ts, TIMESTAMPTZ '2024-01-31 10:15:00+00' AS tz, 'x' AS s, '\\x01\\x02'::BLOB AS b, " +
        "[1, 2] AS li, {'a': 1} AS st, NULL::VARCHAR AS n, 1.5::DOUBLE AS f, true AS bo",
    );
    const [row] = await drain(result);
    assert.deepEqual(
      result.columns.map((c) => c.type),
      ['INTEGER', 'BIGINT', 'DECIMAL(10,2)', 'DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'VARCHAR', 'BLOB', 'INTEGER[]', 'STRUCT("a" INTEGER)', 'VARCHAR', 'DOUBLE', 'BOOLEAN'],
    );
    assert.ok(row?.[7] instanceof Uint8Array);
    assert.deepEqual([...row[7]], [1, 2]);
    assert.deepEqual(row.toSpliced(7, 1), [
      1,
      9007199254740993n,
      '12.30',
      '2024-01-31',
      '2024-01-31 10:15:00.123456',
      '2024-01-31 10:15:00+00',
      'x',
      [1, 2],
      { a: 1 },
      null,
      1.5,
      true,
    ]);
  });

  test('streams a 5M-row result chunk by chunk without holding it in the heap', async () => {
    const result = await engine.query("SELECT range AS i, range * 2 AS j, 'row-' || range::VARCHAR AS s FROM range(5000000)");
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let count = 0;
    let sum = 0n;
    let batches = 0;
    for await (const batch of result) {
      batches++;
      count += batch.length;
      sum += batch[batch.length - 1]?.[0] as bigint;
      if (batches % 64 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    assert.equal(count, 5_000_000);
    assert.ok(batches > 1000, `expected many batches, got ${batches}`);
    assert.ok(sum > 0n);
    // Materialised, 5M rows of two bigints and a short string take well over 400 MB of heap.
    const growthMb = (peak - before) / 1024 / 1024;
    assert.ok(growthMb < 150, `heap grew by ${growthMb.toFixed(0)} MB while streaming`);
  });

  test('batchRows re-cuts batches to the requested size', async () => {
    const result = await engine.query('SELECT range FROM range(5000)', { batchRows: 1000 });
    const sizes: number[] = [];
    for await (const batch of result) sizes.push(batch.length);
    assert.deepEqual(sizes, [1000, 1000, 1000, 1000, 1000]);
  });

  test('an AbortSignal cancels a long query with QUERY_CANCELLED, and the engine keeps working', async () => {
    const controller = new AbortController();
    const started = engine.query(LONG_QUERY, { signal: controller.signal }).then(drain);
    setTimeout(() => controller.abort(), 200);
    await rejectsWithCode(started, 'QUERY_CANCELLED');
    assert.deepEqual(await drain(await engine.query('SELECT 42')), [[42]]);
  });

  test('a timeout cancels a long query with QUERY_TIMEOUT', async () => {
    await rejectsWithCode(engine.query(LONG_QUERY, { timeoutMs: 200 }).then(drain), 'QUERY_TIMEOUT');
    assert.deepEqual(await drain(await engine.query('SELECT 1')), [[1]]);
  });

  test('cancel() between batches ends the stream with QUERY_CANCELLED', async () => {
    const result = await engine.query('SELECT range FROM range(100000)');
    const iterator = result[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    await result.cancel();
    await rejectsWithCode(iterator.next(), 'QUERY_CANCELLED');
    assert.equal(engine.poolStats.idle + (engine.poolStats.size - engine.poolStats.open), 2);
  });

  test('when the pool is exhausted, callers wait in order and proceed once a connection is free', async () => {
    const first = await engine.query('SELECT range FROM range(10000)');
    const second = await engine.query('SELECT range FROM range(10000)');
    const order: string[] = [];
    const third = engine.query('SELECT 3').then(async (r) => {
      order.push('third');
      return drain(r);
    });
    const fourth = engine.query('SELECT 4').then(async (r) => {
      order.push('fourth');
      return drain(r);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(order, [], 'no connection should be free yet');
    assert.equal(engine.poolStats.waiting, 2);
    assert.equal((await drain(first)).length, 10000);
    assert.deepEqual(await third, [[3]]);
    assert.equal((await drain(second)).length, 10000);
    assert.deepEqual(await fourth, [[4]]);
    assert.deepEqual(order, ['third', 'fourth']);
  });

  test('a waiting query can be cancelled before it gets a connection', async () => {
    const a = await engine.query('SELECT range FROM range(10000)');
    const b = await engine.query('SELECT range FROM range(10000)');
    const controller = new AbortController();
    const waiting = engine.query('SELECT 1', { signal: controller.signal });
    controller.abort();
    await rejectsWithCode(waiting, 'QUERY_CANCELLED');
    assert.equal(engine.poolStats.waiting, 0);
    await drain(a);
    await drain(b);
  });

  test('parse and bind errors carry SQL_ERROR, DuckDB message and the position', async () => {
    const parse = await rejectsWithCode(engine.query('SELEC 1'), 'SQL_ERROR');
    assert.equal(parse.details['errorType'], 'Parser');
    assert.equal(parse.details['position'], 0);
    const bind = await rejectsWithCode(engine.query('SELECT nope FROM range(3)'), 'SQL_ERROR');
    assert.equal(bind.details['errorType'], 'Binder');
    assert.equal(bind.details['position'], 7);
    assert.match(bind.message, /nope/);
    const runtimeError = await rejectsWithCode(engine.query("SELECT 'a'::INTEGER").then(drain), 'SQL_ERROR');
    assert.equal(runtimeError.details['errorType'], 'Conversion');
  });
});
