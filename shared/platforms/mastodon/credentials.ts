/** A Mastodon channel's credentials secret: the instance and the account's bearer token. */
import * as z from 'zod';

export const mastodonCredentialsSchema = z.object({
  /** the instance's base URL, e.g. https://mastodon.social (the API lives at its root) */
  url: z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          const url = new URL(value);
          return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
        } catch {
          return false;
        }
      },
      { message: 'must be an absolute http or https URL' },
    )
    .transform((value) => new URL(value).origin),
  /** an OAuth 2 access token with write:statuses and read:accounts read:statuses */
  accessToken: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
});

export type MastodonCredentials = z.output<typeof mastodonCredentialsSchema>;

/**
 * The credentials, or a message naming the fields that are wrong. zod's messages here
 * never quote the input, and neither does this one.
 */
export function parseMastodonCredentials(
  input: unknown,
): { ok: true; credentials: MastodonCredentials } | { ok: false; message: string } {
  const result = mastodonCredentialsSchema.safeParse(input);
  if (result.success) return { ok: true, credentials: result.data };
  const fields = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(credentials)';
    // An issue on a missing field says "expected string, received undefined": say it plainly.
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return `${field} ${missing ? 'is missing' : issue.message}`;
  });
  return {
    ok: false,
    message: `Mastodon credentials are invalid: ${[...new Set(fields)].join('; ')} (expected { url, accessToken })`,
  };
}
