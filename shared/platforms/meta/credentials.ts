/**
 * What Threads' and Instagram's credentials secrets share: a Graph user token, and an
 * `apiBase` that points the client at the local sandbox and may lead nowhere else.
 */
import { z } from 'zod';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An override may only lead to loopback: a stray `apiBase` must never ship a token elsewhere. */
function isSandboxUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      url.protocol === 'http:' &&
      LOOPBACK_HOSTS.has(url.hostname) &&
      url.pathname === '/' &&
      !url.search &&
      !url.hash &&
      !url.username &&
      !url.password
    );
  } catch {
    return false;
  }
}

export const sandboxApiBase = z
  .string()
  .refine(isSandboxUrl, 'must be an http URL on loopback (sandbox only)')
  .transform((value) => new URL(value).origin);

/** A long-lived Graph user token: printable ASCII, no spaces. */
export const graphAccessToken = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** A Graph object id: digits only. */
export const graphUserId = z
  .string()
  .trim()
  .regex(/^\d{1,30}$/, 'must be a numeric Graph id');

export type ParsedCredentials<T> = { ok: true; credentials: T } | { ok: false; message: string };

/**
 * The credentials, or a message naming each wrong field and what is wrong with it. zod's
 * messages here never quote the input, and neither does this one.
 */
export function parseGraphCredentials<S extends z.ZodType>(
  schema: S,
  input: unknown,
  network: string,
  expected: string,
): ParsedCredentials<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, credentials: result.data };
  const given = typeof input === 'object' && input !== null ? Object.keys(input) : [];
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(the credentials)';
    if (issue.code === 'invalid_type') {
      if (issue.path.length === 0) return `${field} must be an object`;
      return `${field} ${given.includes(field) ? `must be ${issue.expected}` : 'is missing'}`;
    }
    if (issue.code === 'invalid_value') return `${field} must be one of the documented values`;
    return `${field} ${issue.message}`;
  });
  return {
    ok: false,
    message: `Invalid ${network} credentials: ${[...new Set(problems)].join('; ')} (expected ${expected})`,
  };
}
