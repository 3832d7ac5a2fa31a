/**
 * A Facebook Page channel's credentials secret: the Page, a Page access token, the Graph
 * API version it speaks, and (sandbox only) where the API is.
 */
import * as z from 'zod';
import {
  bearerToken,
  type ParsedCredentials,
  parseCredentials,
  sandboxApiBase,
} from '../rest/credentials';

/** Meta's docs show v25.0 and v26.0; a version lives about two years. Pin one per channel. */
export const FACEBOOK_DEFAULT_API_VERSION = 'v25.0';

export const facebookCredentialsSchema = z.object({
  /** the Page's numeric id */
  pageId: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, 'must be the numeric Page id'),
  /** a Page access token with pages_manage_posts and pages_read_engagement */
  pageAccessToken: bearerToken,
  /** the Graph API version in every path, e.g. v25.0 */
  apiVersion: z
    .string()
    .trim()
    .regex(/^v\d{1,3}\.\d{1,2}$/, 'must be a Graph API version such as v25.0')
    .default(FACEBOOK_DEFAULT_API_VERSION),
  apiBase: sandboxApiBase,
});

export type FacebookCredentials = z.output<typeof facebookCredentialsSchema>;

export function parseFacebookCredentials(input: unknown): ParsedCredentials<FacebookCredentials> {
  return parseCredentials(
    facebookCredentialsSchema,
    input,
    'Facebook',
    '{ pageId, pageAccessToken, apiVersion?, apiBase? }',
  );
}
