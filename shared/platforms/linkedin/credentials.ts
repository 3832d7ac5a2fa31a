/**
 * A LinkedIn channel's credentials secret: the member's OAuth token, the author it posts
 * as, the API version it speaks, and (sandbox only) where the API is.
 */
import * as z from 'zod';
import {
  bearerToken,
  type ParsedCredentials,
  parseCredentials,
  sandboxApiBase,
} from '../rest/credentials';

/**
 * The newest version the docs read here show (li-lms-2026-05). A version stays active
 * about a year and then answers 426: set `version` per channel and alarm on 426.
 */
export const LINKEDIN_DEFAULT_VERSION = '202605';

export const linkedinCredentialsSchema = z.object({
  /** a 3-legged member token with w_organization_social and r_organization_social (60 days) */
  accessToken: bearerToken,
  /** who posts: the Page (`urn:li:organization:<id>`) or the member (`urn:li:person:<id>`) */
  author: z
    .string()
    .trim()
    .regex(
      /^urn:li:(?:organization|person):[A-Za-z0-9_-]+$/,
      'must be urn:li:organization:<id> or urn:li:person:<id>',
    ),
  /** the `LinkedIn-Version` header, YYYYMM */
  version: z
    .string()
    .trim()
    .regex(/^20\d{2}(?:0[1-9]|1[0-2])(?:\.\d{2})?$/, 'must be a LinkedIn-Version such as 202605')
    .default(LINKEDIN_DEFAULT_VERSION),
  apiBase: sandboxApiBase,
});

export type LinkedInCredentials = z.output<typeof linkedinCredentialsSchema>;

export function parseLinkedInCredentials(input: unknown): ParsedCredentials<LinkedInCredentials> {
  return parseCredentials(
    linkedinCredentialsSchema,
    input,
    'LinkedIn',
    '{ accessToken, author, version?, apiBase? }',
  );
}
