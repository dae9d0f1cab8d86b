import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { collectGrantees, formatGranteeArg, parseGranteeArg, parseGranteeList } from './grantee-arg.ts';

describe('grantee arguments', () => {
  test('kinds, bare names and lowercasing', () => {
    assert.deepEqual(parseGranteeArg('user:Bob'), { kind: 'principal', name: 'bob' });
    assert.deepEqual(parseGranteeArg('bob'), { kind: 'principal', name: 'bob' });
    assert.deepEqual(parseGranteeArg('group:eu-team'), { kind: 'group', name: 'eu-team' });
    assert.deepEqual(parseGranteeArg('ROLE:analyst'), { kind: 'role', name: 'analyst' });
    assert.deepEqual(parseGranteeArg('principal:svc@example.com'), { kind: 'principal', name: 'svc@example.com' });
  });

  test('lists are comma-separated and repeatable; printing round-trips', () => {
    const list = collectGrantees('group:x', parseGranteeList('role:analyst, user:bob,'));
    assert.deepEqual(list.map(formatGranteeArg), ['role:analyst', 'user:bob', 'group:x']);
    assert.deepEqual(list.map(formatGranteeArg).map(parseGranteeArg), list);
  });

  test('fails closed on an unknown kind or a missing name', () => {
    assert.throws(() => parseGranteeArg('team:x'), InvalidArgumentError);
    assert.throws(() => parseGranteeArg('role:'), InvalidArgumentError);
  });
});
