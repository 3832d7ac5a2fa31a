/**
 * An X channel's credentials secret: OAuth 1.0a consumer key and secret plus the account's
 * access token and secret; `apiBase` points the client at the local sandbox, and only there.
 */
import * as z from 'zod';
import { isSandboxUrl } from '../rest/credentials';

export const xCredentialsSchema = z.object({
  appKey: z.string().min(1),
  appSecret: z.string().min(1),
  accessToken: z.string().min(1),
  accessSecret: z.string().min(1),
  apiBase: z
    .string()
    .refine(isSandboxUrl, 'must be an http URL on loopback (sandbox only)')
    .optional(),
});

export type XCredentials = z.output<typeof xCredentialsSchema>;

export type ParsedCredentials =
  | { ok: true; credentials: XCredentials }
  | { ok: false; message: string };

/** Names each bad field and what is wrong with it, never a value. */
export function parseXCredentials(input: unknown): ParsedCredentials {
  const result = xCredentialsSchema.safeParse(input);
  if (result.success) return { ok: true, credentials: result.data };
  const given = typeof input === 'object' && input !== null ? Object.keys(input) : [];
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(the credentials)';
    const what =
      issue.code === 'invalid_type'
        ? issue.path.length === 0
          ? 'must be an object'
          : given.includes(field)
            ? 'must be a string'
            : 'missing'
        : issue.code === 'too_small'
          ? 'empty'
          : issue.message;
    return `${field} ${what}`;
  });
  return { ok: false, message: `Invalid X credentials: ${problems.join('; ')}` };
}
