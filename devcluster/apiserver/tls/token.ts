// The bearer token clients present in secure mode (reference §12: "a random bearer token").
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readTextIfExists, writeFileAtomically } from './files.ts';

const TOKEN_FILE = 'token';
/** A token someone put in the file is kept if it can travel in an Authorization header: visible ASCII. */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** 256 random bits, base64url: safe in a kubeconfig and an Authorization header as is. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Returns the token kept in `dir/token` (mode 0600), generating it on first use. */
export function ensureToken(dir: string): string {
  const file = join(dir, TOKEN_FILE);
  const existing = readTextIfExists(file)?.trim();
  if (existing !== undefined && TOKEN_PATTERN.test(existing)) return existing;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = generateToken();
  writeFileAtomically(file, `${token}\n`, 0o600);
  return token;
}
