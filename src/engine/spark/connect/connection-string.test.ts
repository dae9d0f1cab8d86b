import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '../../../core/errors.ts';
import { describeConnection, parseConnectionString } from './connection-string.ts';

describe('parseConnectionString', () => {
  test('reads host, port and every known parameter', () => {
    const options = parseConnectionString('sc://spark.internal:443/;token=abc%3D;user_id=etl;use_ssl=true');
    assert.deepEqual(options, { host: 'spark.internal', port: 443, useSsl: true, token: 'abc=', userId: 'etl' });
  });

  test('defaults to port 15002 without TLS and without a token', () => {
    assert.deepEqual(parseConnectionString('sc://localhost'), { host: 'localhost', port: 15002, useSsl: false });
    assert.deepEqual(parseConnectionString('sc://localhost/'), { host: 'localhost', port: 15002, useSsl: false });
  });

  test('a token implies TLS unless use_ssl=false says otherwise', () => {
    assert.equal(parseConnectionString('sc://h:1/;token=t').useSsl, true);
    assert.equal(parseConnectionString('sc://h:1/;token=t;use_ssl=false').useSsl, false);
  });

  test('accepts a bracketed IPv6 host and a session id', () => {
    const id = '00112233-4455-6677-8899-AABBCCDDEEFF';
    const options = parseConnectionString(`sc://[::1]:15003/;session_id=${id}`);
    assert.equal(options.host, '[::1]');
    assert.equal(options.port, 15003);
    assert.equal(options.sessionId, id.toLowerCase());
  });

  const invalid: Array<[string, string]> = [
    ['http://localhost:15002', 'wrong scheme'],
    ['sc://', 'no host'],
    ['sc://:15002', 'no host before the port'],
    ['sc://h:0', 'port 0'],
    ['sc://h:65536', 'port out of range'],
    ['sc://h:12ab', 'port not a number'],
    ['sc://::1:15002', 'unbracketed IPv6'],
    ['sc://[::1', 'unclosed bracket'],
    ['sc://h:1/path', 'a path'],
    ['sc://h:1/;tokn=x', 'an unknown parameter (typo)'],
    ['sc://h:1/;token', 'a parameter without a value'],
    ['sc://h:1/;token=', 'an empty token'],
    ['sc://h:1/;user_id=a;user_id=b', 'a repeated parameter'],
    ['sc://h:1/;use_ssl=yes', 'use_ssl not a boolean'],
    ['sc://h:1/;session_id=not-a-uuid', 'session_id not a UUID'],
    ['sc://ho st:1', 'a space in the host'],
  ];
  for (const [text, why] of invalid) {
    test(`refuses ${why} with INVALID_ARGUMENT`, () => {
      assert.throws(() => parseConnectionString(text), (error: unknown) => StrataError.is(error, 'INVALID_ARGUMENT'));
    });
  }

  test('never echoes the token in the error', () => {
    assert.throws(
      () => parseConnectionString('sc://h:1/;token=s3cret;bogus=1'),
      (error: unknown) => StrataError.is(error, 'INVALID_ARGUMENT') && !error.message.includes('s3cret') && !JSON.stringify(error.details).includes('s3cret'),
    );
  });

  test('describeConnection masks the token', () => {
    const text = describeConnection(parseConnectionString('sc://h:1/;token=s3cret;user_id=u'));
    assert.equal(text, 'sc://h:1/;token=***;user_id=u;use_ssl=true');
  });
});
