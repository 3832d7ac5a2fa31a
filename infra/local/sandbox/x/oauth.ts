/**
 * X's OAuth 1.0a user-context check (RFC 5849, HMAC-SHA1): the consumer key, the access
 * token, the timestamp and the signature over method, base URL and parameters. The
 * reason a request fails goes to the sandbox's log; X itself answers a bare 401.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type OAuthKeys = {
  appKey: string;
  appSecret: string;
  accessToken: string;
  accessSecret: string;
};

export type OAuthRequest = {
  method: string;
  /** the request target as received: path and query */
  target: string;
  /** the Host header */
  host: string;
  authorization: string | undefined;
  /** parameters of an `application/x-www-form-urlencoded` body, which are signed too */
  form?: URLSearchParams;
};

export type OAuthVerdict = { ok: true } | { ok: false; reason: string };

/** X's tolerance for a client clock is not documented; 15 minutes is lenient. */
const MAX_CLOCK_SKEW_SECONDS = 15 * 60;

/** RFC 3986 percent-encoding, as OAuth 1.0a requires (`encodeURIComponent` leaves `!'()*`). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseAuthorization(header: string): Map<string, string> | undefined {
  if (!/^OAuth\s/i.test(header)) return undefined;
  const params = new Map<string, string>();
  for (const match of header.slice(6).matchAll(/([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"/g)) {
    const [, key, value] = match;
    if (key === undefined || value === undefined) continue;
    try {
      params.set(decodeURIComponent(key), decodeURIComponent(value));
    } catch {
      return undefined;
    }
  }
  return params;
}

export function signatureBaseString(
  method: string,
  baseUrl: string,
  params: [string, string][],
): string {
  const normalized = params
    .map(([key, value]) => [percentEncode(key), percentEncode(value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  return [method.toUpperCase(), percentEncode(baseUrl), percentEncode(normalized)].join('&');
}

export function hmacSha1Signature(base: string, appSecret: string, tokenSecret: string): string {
  return createHmac('sha1', `${percentEncode(appSecret)}&${percentEncode(tokenSecret)}`)
    .update(base)
    .digest('base64');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The client reaches the sandbox through a rewritten URL, so two base URLs are accepted:
 * the one X itself would see behind TLS (`https://api.x.com/...`, what a client signs
 * when it believes it talks to X) and the one this server really serves.
 */
function baseUrls(host: string, path: string): string[] {
  const lower = host.toLowerCase();
  const hostname = lower.startsWith('[')
    ? lower.slice(0, lower.indexOf(']') + 1)
    : lower.split(':')[0];
  const seen = lower.endsWith(':80') ? lower.slice(0, -3) : lower;
  return [`https://${hostname}${path}`, `http://${seen}${path}`];
}

export function verifyOAuth(
  request: OAuthRequest,
  keys: OAuthKeys,
  nowSeconds = Date.now() / 1000,
): OAuthVerdict {
  if (!request.authorization) return { ok: false, reason: 'no Authorization header' };
  const oauth = parseAuthorization(request.authorization);
  if (!oauth) return { ok: false, reason: 'not an OAuth 1.0a header' };
  if (oauth.get('oauth_signature_method') !== 'HMAC-SHA1') {
    return { ok: false, reason: 'signature method is not HMAC-SHA1' };
  }
  const version = oauth.get('oauth_version');
  if (version !== undefined && version !== '1.0') return { ok: false, reason: 'oauth_version' };
  if (!sameSecret(oauth.get('oauth_consumer_key') ?? '', keys.appKey)) {
    return { ok: false, reason: 'unknown consumer key' };
  }
  if (!sameSecret(oauth.get('oauth_token') ?? '', keys.accessToken)) {
    return { ok: false, reason: 'unknown access token' };
  }
  if (!oauth.get('oauth_nonce')) return { ok: false, reason: 'no nonce' };
  const timestamp = Number(oauth.get('oauth_timestamp'));
  if (!Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > MAX_CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: 'timestamp out of bounds' };
  }
  const signature = oauth.get('oauth_signature');
  if (!signature) return { ok: false, reason: 'no signature' };

  const queryAt = request.target.indexOf('?');
  const path = queryAt < 0 ? request.target : request.target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : request.target.slice(queryAt + 1));
  const params: [string, string][] = [
    ...[...oauth].filter(([key]) => key.startsWith('oauth_') && key !== 'oauth_signature'),
    ...query,
    ...(request.form ?? []),
  ];
  const valid = baseUrls(request.host, path).some((base) =>
    sameSecret(
      hmacSha1Signature(
        signatureBaseString(request.method, base, params),
        keys.appSecret,
        keys.accessSecret,
      ),
      signature,
    ),
  );
  return valid ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
