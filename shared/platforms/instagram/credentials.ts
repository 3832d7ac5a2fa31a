/**
 * An Instagram channel's credentials secret: a user token, the Instagram professional
 * account's id, which Graph host the token belongs to (Instagram Login:
 * graph.instagram.com; Facebook Login: graph.facebook.com), the pinned Graph version,
 * and `apiBase` for the local sandbox only.
 */
import * as z from 'zod';
import {
  graphAccessToken,
  graphUserId,
  type ParsedCredentials,
  parseGraphCredentials,
  sandboxApiBase,
} from '../meta/credentials';

export const instagramCredentialsSchema = z.object({
  /** instagram_business_content_publish (Instagram Login) or instagram_content_publish; 60 days */
  accessToken: graphAccessToken,
  /** the IG user id (with Facebook Login: the Page's `instagram_business_account`) */
  userId: graphUserId,
  /** `instagram` (the default) or `facebook`: the login the token came from */
  login: z.enum(['instagram', 'facebook']).optional(),
  /** the Graph version, e.g. `v25.0` */
  apiVersion: z
    .string()
    .regex(/^v\d{1,3}\.\d{1,2}$/, 'must look like v25.0')
    .optional(),
  apiBase: sandboxApiBase.optional(),
});

export type InstagramCredentials = z.output<typeof instagramCredentialsSchema>;

/** Names the fields that are wrong, never their values. */
export function parseInstagramCredentials(input: unknown): ParsedCredentials<InstagramCredentials> {
  return parseGraphCredentials(
    instagramCredentialsSchema,
    input,
    'Instagram',
    '{ accessToken, userId, login?, apiVersion?, apiBase? }',
  );
}
