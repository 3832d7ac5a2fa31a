/** PKCE (RFC 7636, S256) and the random `state` of an OAuth consent. */
import { createHash, randomBytes } from 'node:crypto';

/** A PKCE verifier (RFC 7636: 43 to 128 characters) and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: challengeOf(verifier) };
}

export const challengeOf = (verifier: string) =>
  createHash('sha256').update(verifier).digest('base64url');

/** 256 random bits: a `state` nobody can guess. */
export const newState = () => randomBytes(32).toString('base64url');
