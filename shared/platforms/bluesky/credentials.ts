/** What a Bluesky channel's credentials secret holds (docs/networks.md, Bluesky, Auth). */
import * as z from 'zod';

export const blueskyCredentialsSchema = z.object({
  /** the PDS or entryway: `https://bsky.social` in production, the sandbox's URL locally */
  service: z.url({ protocol: /^https?$/ }),
  /** the account's handle (or DID) */
  identifier: z.string().trim().min(1),
  /** an app password, never the account's own password */
  password: z.string().min(1),
});

export type BlueskyCredentials = z.output<typeof blueskyCredentialsSchema>;

export type ParsedCredentials =
  | { ok: true; credentials: BlueskyCredentials }
  | { ok: false; message: string };

/** Names the fields that are wrong, never their values (a password must not reach a log). */
export function parseBlueskyCredentials(input: unknown): ParsedCredentials {
  const result = blueskyCredentialsSchema.safeParse(input);
  if (result.success) return { ok: true, credentials: result.data };
  const fields = [
    ...new Set(result.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)')),
  ];
  return {
    ok: false,
    message: `Invalid Bluesky credentials: ${fields.join(', ')} (expected { service, identifier, password })`,
  };
}
