/**
 * An X channel's credentials secret, in one of two shapes: OAuth 1.0a (consumer key and
 * secret plus the account's access token and secret), or an OAuth 2.0 user token as
 * Connect stores it (`accessToken`, with `refreshToken`, `expiresAt`... and no
 * `accessSecret`). `apiBase` points the client at the local sandbox, and only there.
 */
import * as z from 'zod';
import { isSandboxUrl } from '../rest/credentials';

const apiBase = z
  .string()
  .refine(isSandboxUrl, 'must be an http URL on loopback (sandbox only)')
  .optional();

export const xOAuth1Schema = z.object({
  appKey: z.string().min(1),
  appSecret: z.string().min(1),
  accessToken: z.string().min(1),
  accessSecret: z.string().min(1),
  apiBase,
});

/** An OAuth 2.0 user token (Authorization Code with PKCE), posted with as a Bearer. */
export const xOAuth2Schema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.string().optional(),
  refreshExpiresAt: z.string().optional(),
  obtainedAt: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  apiBase,
});

export type XOAuth1Credentials = z.output<typeof xOAuth1Schema>;
export type XOAuth2Credentials = z.output<typeof xOAuth2Schema>;
export type XCredentials = XOAuth1Credentials | XOAuth2Credentials;

export const isOAuth1 = (credentials: XCredentials): credentials is XOAuth1Credentials =>
  'accessSecret' in credentials && typeof credentials.accessSecret === 'string';

/** The fields an admin types in (the OAuth 1.0a shape); Connect stores the OAuth 2.0 one. */
export const xCredentialsSchema = xOAuth1Schema;

/** With `accessSecret` (or `appKey`/`appSecret`), the OAuth 1.0a shape; otherwise OAuth 2.0. */
function schemaFor(input: unknown) {
  const fields = typeof input === 'object' && input !== null ? input : {};
  const oauth1 = 'accessSecret' in fields || 'appKey' in fields || 'appSecret' in fields;
  return oauth1 ? xOAuth1Schema : xOAuth2Schema;
}

export type ParsedCredentials =
  | { ok: true; credentials: XCredentials }
  | { ok: false; message: string };

/** Names each bad field and what is wrong with it, never a value. */
export function parseXCredentials(input: unknown): ParsedCredentials {
  const result = schemaFor(input).safeParse(input);
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
