import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN_PREFIX, generateToken, hashToken, parseTokenId, tokenMatchesHash } from './tokens.ts';

describe('API token format', () => {
  test('a token carries the prefix, its id and 32 random bytes, and parses back to its id', () => {
    const { id, token, hash } = generateToken();
    assert.ok(token.startsWith(TOKEN_PREFIX));
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.equal(Buffer.from(token.slice(TOKEN_PREFIX.length + 17), 'base64url').length, 32);
    assert.equal(parseTokenId(token), id);
    assert.equal(hash, hashToken(token));
    assert.match(hash, /^[0-9a-f]{64}$/);
  });

  test('two tokens never repeat', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => generateToken().token));
    assert.equal(tokens.size, 200);
  });

  test('malformed tokens do not parse', () => {
    const { token } = generateToken();
    for (const bad of ['', 'strata_', token.slice(0, -1), `${token}x`, token.replace(TOKEN_PREFIX, 'strato_'), token.toUpperCase(), 42]) {
      assert.equal(parseTokenId(bad), undefined, String(bad));
    }
  });

  test('only the exact token matches its hash', () => {
    const a = generateToken();
    const b = generateToken();
    assert.equal(tokenMatchesHash(a.token, a.hash), true);
    assert.equal(tokenMatchesHash(b.token, a.hash), false);
    assert.equal(tokenMatchesHash(a.token, 'abc'), false);
  });
});
