import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureToken, generateToken } from './token.ts';

describe('generateToken', () => {
  it('returns 32 random bytes as 43 base64url characters', () => {
    const token = generateToken();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.notEqual(generateToken(), token);
  });
});

describe('ensureToken', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates the token once, keeps it in dir/token with mode 0600 and returns it on later calls', () => {
    const token = ensureToken(dir);
    assert.equal(readFileSync(join(dir, 'token'), 'utf8'), `${token}\n`);
    assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o600);
    assert.equal(ensureToken(dir), token);
  });

  it('keeps a token someone wrote into the file', () => {
    writeFileSync(join(dir, 'token'), 'my-own-token\n');
    assert.equal(ensureToken(dir), 'my-own-token');
  });

  it('replaces an empty token file', () => {
    writeFileSync(join(dir, 'token'), '\n');
    assert.match(ensureToken(dir), /^[A-Za-z0-9_-]{43}$/);
  });
});
