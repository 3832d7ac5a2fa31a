/**
 * What the clients share about credentials (X, Telegram and the fetch clients): the
 * endpoint override that only ever leads to a loopback sandbox, and an error message that
 * names the fields that are wrong but never quotes a value (a token must not reach a log).
 */
import * as z from 'zod';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An override may only lead to loopback: a stray `apiBase` must never ship tokens elsewhere. */
export function isSandboxUrl(value: string): boolean {
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

/** `apiBase`: the sandbox's base URL; absent in production, where the real host is used. */
export const sandboxApiBase = z
  .string()
  .refine(isSandboxUrl, 'must be an http URL on loopback (sandbox only)')
  .transform((value) => new URL(value).origin)
  .optional();

/** A token as it goes into a header or a query: printable ASCII, no spaces. */
export const bearerToken = z
  .string()
  .trim()
  .min(1, 'empty')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export type ParsedCredentials<T> = { ok: true; credentials: T } | { ok: false; message: string };

/**
 * The credentials, or a message naming each bad field and what is wrong with it. zod's
 * own messages for these schemas carry no input; the custom ones are written above.
 */
export function parseCredentials<S extends z.ZodType>(
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
