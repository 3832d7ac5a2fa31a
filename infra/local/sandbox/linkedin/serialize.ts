/** How the LinkedIn sandbox answers: Rest.li's headers, LinkedIn's error bodies, a post. */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../kit/http';
import type { StoredPost } from './state';

export const headersOut = { 'x-restli-protocol-version': '2.0.0' };

export function answer(res: ServerResponse, status: number, body: unknown) {
  sendJson(res, status, body, headersOut);
}

/** LinkedIn's error body: `{ status, code?, serviceErrorCode?, message }`. */
export function error(
  res: ServerResponse,
  status: number,
  message: string,
  extra: { code?: string; serviceErrorCode?: number } = {},
) {
  answer(res, status, { status, ...extra, message });
}

export function notFound(res: ServerResponse, urn: string) {
  error(res, 404, `Not Found: ${urn}`, { code: 'NOT_FOUND' });
}

export function badRequest(res: ServerResponse, message: string) {
  error(res, 400, message, { code: 'BAD_REQUEST' });
}

/**
 * A Rest.li finder's `start`/`count` paging (count 1-100, 10 when absent); undefined, with
 * the 400 answered, when either is out of range.
 */
export function paging(
  res: ServerResponse,
  query: URLSearchParams,
): { start: number; count: number } | undefined {
  const count = Number(query.get('count') ?? '10');
  const start = Number(query.get('start') ?? '0');
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    count > 100 ||
    !Number.isInteger(start) ||
    start < 0
  ) {
    badRequest(res, 'count must be 1-100 and start at least 0');
    return undefined;
  }
  return { start, count };
}

/** The message names the resource and version, as LinkedIn's permission errors do. */
export function accessDenied(res: ServerResponse, resource: string, version: string) {
  error(res, 403, `Not enough permissions to access: ${resource}.${version}`, {
    code: 'ACCESS_DENIED',
    serviceErrorCode: 100,
  });
}

export function serverError(res: ServerResponse) {
  error(res, 500, 'Internal Server Error', { code: 'INTERNAL_SERVER_ERROR' });
}

/** Rest.li's validation failure (422): `ERROR :: /path :: reason`, as LinkedIn relays it. */
export function invalid(res: ServerResponse, fieldPath: string, description: string, code: string) {
  answer(res, 422, {
    errorDetailType: 'com.linkedin.common.error.BadRequest',
    message: `ERROR :: ${fieldPath} :: ${description}\n`,
    errorDetails: {
      inputErrors: [{ description, input: { inputPath: { fieldPath } }, code }],
    },
    status: 422,
  });
}

export const required = (res: ServerResponse, fieldPath: string) =>
  invalid(
    res,
    fieldPath,
    'field is required but not found and has no default value',
    'FIELD_REQUIRED',
  );

/** Deleted posts still count (composio#2710): the URN named may then answer 404. */
export function duplicate(res: ServerResponse, urn: string) {
  answer(res, 422, {
    errorDetailType: 'com.linkedin.common.error.BadRequest',
    message: `com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of ${urn}`,
    errorDetails: {
      inputErrors: [
        { description: 'Duplicate post is detected', input: {}, code: 'DUPLICATE_POST' },
      ],
    },
    status: 422,
  });
}

const UNAUTHORIZED = {
  invalid: {
    serviceErrorCode: 65600,
    code: 'INVALID_ACCESS_TOKEN',
    message: 'Invalid access token',
  },
  empty: { code: 'EMPTY_ACCESS_TOKEN', message: 'Empty oauth2_access_token' },
  revoked: {
    serviceErrorCode: 65601,
    code: 'REVOKED_ACCESS_TOKEN',
    message: 'The token used in the request has been revoked by the user',
  },
  // The expired body is unconfirmed beyond its code (docs/networks.md).
  expired: { code: 'EXPIRED_ACCESS_TOKEN', message: 'The token used in the request has expired' },
} as const;

export function unauthorized(res: ServerResponse, kind: keyof typeof UNAUTHORIZED) {
  const { message, ...extra } = UNAUTHORIZED[kind];
  error(res, 401, message, extra);
}

export function rateLimited(res: ServerResponse) {
  // Daily quotas come without any reset header or Retry-After (docs/networks.md, LinkedIn).
  error(res, 429, 'Resource level throttle limit for calls to this resource is reached.', {
    code: 'TOO_MANY_REQUESTS',
  });
}

export function postUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}

export function serializePost(post: StoredPost) {
  return {
    id: post.id,
    author: post.author,
    commentary: post.commentary,
    visibility: post.visibility,
    distribution: { feedDistribution: post.feedDistribution, thirdPartyDistributionChannels: [] },
    ...(post.article ? { content: { article: post.article } } : {}),
    lifecycleState: post.lifecycleState,
    lifecycleStateInfo: { isEditedByAuthor: post.edited },
    isReshareDisabledByAuthor: post.isReshareDisabledByAuthor,
    createdAt: post.createdAt,
    publishedAt: post.createdAt,
    lastModifiedAt: post.lastModifiedAt,
  };
}
