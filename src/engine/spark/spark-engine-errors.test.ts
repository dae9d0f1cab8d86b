import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../core/index.ts';
import { shortMessage, sparkEngineError } from './spark-engine-errors.ts';
import { icebergRuntimeJarPath, lakeCatalogConf } from './lake-catalog-conf.ts';

/** A SQL_ERROR as the Spark Connect client reports it (see connect/spark-errors.ts). */
function clientError(message: string, details: Record<string, unknown>): StrataError {
  return new StrataError('SQL_ERROR', `Spark refused the query: ${message}`, { grpcCode: 13, ...details });
}

describe('sparkEngineError', () => {
  test('an unresolved qualified column keeps only the column and the first proposal', () => {
    const raw = 'A column … with name `t`.`idd` cannot be resolved. SQLSTATE: 42703; line 1 pos 7;\nProject';
    const error = sparkEngineError(
      clientError(raw, {
        errorClass: 'UNRESOLVED_COLUMN.WITH_SUGGESTION',
        messageParameters: { objectName: '`t`.`idd`', proposal: '`t`.`id`, `t`.`idx`' },
        causes: [{ message: raw, queryContexts: [{ startIndex: 7, stopIndex: 11, fragment: 't.idd' }] }],
      }),
      'SELECT t.idd FROM t',
    );
    assert.equal(error.message, 'Column "idd" does not exist; did you mean "id"?');
    assert.deepEqual([error.details['column'], error.details['suggestion'], error.details['position']], ['idd', 'id', 7]);
  });

  test('positions in a wrapped statement are reported relative to the caller’s SQL, or dropped', () => {
    const wrap = (start: number): StrataError =>
      clientError('[DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012', {
        errorClass: 'DIVIDE_BY_ZERO',
        causes: [{ message: '[DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012', queryContexts: [{ startIndex: start, stopIndex: start + 2, fragment: '1/0' }] }],
      });
    const inside = sparkEngineError(wrap(17), 'SELECT 1/0', { ran: 'SELECT * FROM (SELECT 1/0)', offset: 15 });
    assert.equal(inside.details['position'], 2);
    assert.equal(inside.message, '[DIVIDE_BY_ZERO] Division by zero. (at position 2: "LECT 1/0")');
    const outside = sparkEngineError(wrap(3), 'SELECT 1/0', { ran: 'SELECT * FROM (SELECT 1/0)', offset: 15 });
    assert.equal(outside.details['position'], undefined);
  });

  test('a context inside a view is not a position in the statement', () => {
    const error = sparkEngineError(
      clientError('[DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012', {
        errorClass: 'DIVIDE_BY_ZERO',
        causes: [{ message: 'x', queryContexts: [{ startIndex: 7, stopIndex: 9, fragment: '1/0', objectType: 'VIEW', objectName: 'v' }] }],
      }),
      'SELECT * FROM v',
    );
    assert.equal(error.details['position'], undefined);
  });

  test('a cancellation passes through; a lost connection is ENGINE_UNAVAILABLE', () => {
    const cancelled = new StrataError('QUERY_CANCELLED', 'The Spark query was cancelled');
    assert.equal(sparkEngineError(cancelled, 'SELECT 1'), cancelled);
    assert.equal(sparkEngineError(new StrataError('STORAGE_ERROR', 'Spark Connect query failed (gRPC UNAVAILABLE)'), 'SELECT 1').code, 'ENGINE_UNAVAILABLE');
  });

  test('shortMessage drops the SQLSTATE tail, the plan and the SQL excerpt', () => {
    assert.equal(shortMessage('[X] Bad thing\nmore. SQLSTATE: 42P01; line 1 pos 14;\n\'Project [*]'), '[X] Bad thing more.');
    assert.equal(shortMessage('Cannot use branch (does not exist): audit'), 'Cannot use branch (does not exist): audit');
  });
});

describe('lakeCatalogConf', () => {
  test('configures an Iceberg REST catalog under the given name', () => {
    const conf = lakeCatalogConf({ catalogName: 'lake', restUri: 'http://127.0.0.1:8181', token: 't0k' });
    assert.equal(conf['spark.sql.catalog.lake'], 'org.apache.iceberg.spark.SparkCatalog');
    assert.equal(conf['spark.sql.catalog.lake.type'], 'rest');
    assert.equal(conf['spark.sql.catalog.lake.uri'], 'http://127.0.0.1:8181');
    assert.equal(conf['spark.sql.catalog.lake.token'], 't0k');
    assert.match(conf['spark.sql.extensions'] ?? '', /IcebergSparkSessionExtensions/);
    assert.equal(conf['spark.jars'], undefined);
    assert.throws(() => lakeCatalogConf({ catalogName: 'a.b', restUri: 'x', token: 't' }), (e) => StrataError.is(e, 'INVALID_ARGUMENT'));
  });

  test('the runtime jar lives in Maven’s local repository', () => {
    assert.match(icebergRuntimeJarPath(), /\.m2\/repository\/org\/apache\/iceberg\/iceberg-spark-runtime-4\.0_2\.13\/1\.10\.1\/iceberg-spark-runtime-4\.0_2\.13-1\.10\.1\.jar$/);
  });
});
