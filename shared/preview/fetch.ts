/**
 * The SSRF-safe fetcher for article pages and their images: http(s) only, every address
 * checked where the socket is opened (so the check and the connection use the same
 * address), redirects followed by hand and each hop checked again, size and time capped.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';
import type { Agent, Dispatcher } from 'undici';
import type { WebhookSender } from '../domain/syndication';
import { classifyAddress } from './ip';
import { PreviewFetchError, type SafeFetch, type SafeFetchOptions } from './types';

/** An article page: real pages run to 1 MiB; anything past 2 MiB is not a page worth reading. */
export const MAX_HTML_BYTES = 2 * 1024 * 1024;
/** An image to check or resize: the networks' own upload caps are 1 to 5 MB. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Hops after the first request; a fourth redirect is refused. */
export const MAX_REDIRECTS = 3;
/** The most any one request may read, whatever a caller asks: undici's own fence. */
export const MAX_RESPONSE_BYTES = MAX_IMAGE_BYTES;

/** Honest about what asks: a newsroom's tool reading a page's card, not a browser. */
export const USER_AGENT = 'CrierBot/0.1 (link preview for a newsroom social post)';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Longest a TCP and TLS handshake may take before the whole-fetch timeout would anyway. */
const CONNECT_TIMEOUT_MS = 10_000;

/** An address that passed the check, and the port the URL names. */
export type CheckedTarget = {
  /** the host as the URL names it (a name, or the literal address) */
  hostname: string;
  address: string;
  port: number;
  protocol: 'http:' | 'https:';
};

export type SafeFetchDeps = {
  /** A name to its addresses; defaults to the system resolver (every family). */
  resolve?: (host: string) => Promise<string[]>;
  /**
   * TESTS ONLY: where to open the socket for a target that has already passed the check
   * (a test points a public-looking name at its loopback server). It runs after the
   * check and cannot skip, weaken or see into it: an address that fails the check never
   * reaches it. Only this constructor takes it; nothing reads it from the environment or
   * from a request, and production code never passes it.
   */
  connectTo?: (target: CheckedTarget) => { host: string; port: number };
  /** There is deliberately no switch that lets private addresses through. */
  allowPrivateForTests?: never;
};

export type SafeFetcher = SafeFetch & {
  /**
   * POSTs a body to a public address (an editors' notification webhook), through the
   * same checked connector; redirects are not followed, and the answer is its status
   * alone. The URL never appears in what it returns: it may be a secret (Slack's).
   */
  post: WebhookSender['post'];
  /**
   * A JSON call to a public address an admin named (a Mastodon instance's app
   * registration, token and who-am-I calls), through the same checked connector: the
   * status and the parsed body, at most `maxBytes` (64 KiB unless told), within
   * `timeoutMs`. Redirects are not followed (an OAuth server has no reason to send one):
   * a 3xx comes back as its status.
   */
  json: (input: string, options: JsonCallOptions) => Promise<JsonAnswer>;
  /** closes the pooled connections (tests, and a CLI that wants to exit at once) */
  close: () => Promise<void>;
};

export type JsonCallOptions = {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes?: number;
};

export type JsonAnswer =
  /** `body` is undefined when the answer was empty or not JSON */
  | { kind: 'answered'; status: number; body: unknown }
  /** the address is not public (or a name leads to one): nothing was sent */
  | { kind: 'blocked'; reason: string }
  | { kind: 'timeout' }
  | { kind: 'too-large' }
  | { kind: 'network'; code: string };

/** Enough for any OAuth or account answer; anything larger is not what was asked for. */
export const MAX_JSON_BYTES = 64 * 1024;

/** Why the connector refused: carried through undici's error back to `safeFetch`. */
class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'CRIER_BLOCKED_ADDRESS';
}

async function systemResolve(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

const stripBrackets = (host: string) =>
  host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;

function assertPublic(address: string, hostname: string): void {
  const verdict = classifyAddress(address);
  if (!verdict.public) {
    const shown = hostname === address ? address : `${hostname} (${address})`;
    throw new BlockedAddressError(`${shown} is not a public address: ${verdict.range}`);
  }
}

/**
 * The addresses to try for `hostname`, every one checked: a literal as it is; a name
 * resolved once, and refused if any of its addresses is not public (a name that mixes a
 * public and a private address is a rebinding setup, not a web site). IPv4 comes first:
 * a Lambda function often has no IPv6 route.
 */
export async function checkedAddresses(
  hostname: string,
  resolve: (host: string) => Promise<string[]>,
): Promise<string[]> {
  if (isIP(hostname)) {
    assertPublic(hostname, hostname);
    return [hostname];
  }
  const addresses = await resolve(hostname);
  if (addresses.length === 0) {
    throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
  }
  for (const address of addresses) assertPublic(address, hostname);
  return [...addresses.filter((a) => isIP(a) === 4), ...addresses.filter((a) => isIP(a) !== 4)];
}

/** Finds our refusal (or undici's size fence) anywhere in an error's cause chain. */
/** The code of the first cause that has one (undici wraps the socket's error). */
function findCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return 'unknown';
}

function findCause(error: unknown, code: string): Error | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ('code' in current && current.code === code) return current;
    current = current.cause;
  }
  return undefined;
}

type Decompress = (input: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;

const decompressors = new Map<string, Decompress>([
  ['gzip', promisify(gunzip)],
  ['x-gzip', promisify(gunzip)],
  ['br', promisify(brotliDecompress)],
  [
    'deflate',
    async (input, options) => {
      // "deflate" is zlib-wrapped by the standard and raw by some servers.
      try {
        return await promisify(inflate)(input, options);
      } catch (error) {
        if (error instanceof RangeError) throw error;
        return promisify(inflateRaw)(input, options);
      }
    },
  ],
]);

async function decode(body: Buffer, encoding: string | undefined, maxBytes: number, url: string) {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') return body;
  const decompress = decompressors.get(name);
  if (!decompress)
    throw new PreviewFetchError(`${url}: unsupported content-encoding ${name}`, 'network');
  try {
    // The cap applies to what we keep, so a small compressed bomb is refused too.
    return await decompress(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new PreviewFetchError(
        `${url}: body over ${maxBytes} bytes once decompressed`,
        'too-large',
        { cause: error },
      );
    }
    throw new PreviewFetchError(`${url}: cannot decode the ${name} body`, 'network', {
      cause: error,
    });
  }
}

/** Drops a body we will not read; undici reports the abort as an error nobody needs. */
function discard(body: {
  on: (event: 'error', listener: () => void) => unknown;
  destroy: () => unknown;
}) {
  body.on('error', () => {});
  body.destroy();
}

function flattenHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseHttpUrl(value: string, context: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new PreviewFetchError(`${context}: not a URL: ${value}`, 'scheme', { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PreviewFetchError(
      `${context}: only http and https are fetched, not ${url.protocol}`,
      'scheme',
    );
  }
  // Credentials in a URL are never sent on a reader's behalf.
  url.username = '';
  url.password = '';
  url.hash = '';
  return url;
}

/**
 * The undici Agent whose connector does the address check, so pooled connections stay on
 * the addresses that were checked.
 */
function makeAgent(undici: typeof import('undici'), deps: SafeFetchDeps): Agent {
  const resolve = deps.resolve ?? systemResolve;
  const connectTo = deps.connectTo;
  const base = undici.buildConnector({ timeout: CONNECT_TIMEOUT_MS });

  return new undici.Agent({
    maxResponseSize: MAX_RESPONSE_BYTES,
    connect: (options, callback) => {
      // undici hands IPv6 literals without brackets; a `lookup` hook alone would never
      // see literals, so the literal check and the resolution both live here.
      const hostname = stripBrackets(options.hostname);
      const protocol = options.protocol === 'https:' ? 'https:' : 'http:';
      const port = Number(options.port) || (protocol === 'https:' ? 443 : 80);
      const fail = (error: unknown) =>
        callback(error instanceof Error ? error : new Error(String(error)), null);
      // One checked address after another, until one answers; never anything unchecked.
      const attempt = (addresses: string[], index: number) => {
        const address = addresses[index];
        if (address === undefined) return fail(new Error(`${hostname}: no address to try`));
        try {
          const target = connectTo
            ? connectTo({ hostname, address, port, protocol })
            : { host: address, port };
          base(
            {
              ...options,
              hostname: target.host,
              port: String(target.port),
              // TLS still names (and verifies) the host the URL gave, not the address.
              servername: isIP(hostname) ? undefined : hostname,
            },
            (...result) => {
              if (result[0] !== null && index + 1 < addresses.length) {
                attempt(addresses, index + 1);
              } else {
                callback(...result);
              }
            },
          );
        } catch (error) {
          fail(error);
        }
      };
      checkedAddresses(hostname, resolve).then((addresses) => attempt(addresses, 0), fail);
    },
  });
}

/**
 * Creates the fetcher. One per process: it keeps an undici Agent whose connector does the
 * address check, so pooled connections stay on the addresses that were checked.
 */
export function createSafeFetch(deps: SafeFetchDeps = {}): SafeFetcher {
  // undici (a large library) is loaded at the first request, not with the function.
  let made: Promise<Agent> | undefined;
  const agent = {
    request: async (options: Dispatcher.RequestOptions) => {
      made ??= import('undici').then((undici) => makeAgent(undici, deps));
      return (await made).request(options);
    },
  };

  const safeFetch = async (input: string, options: SafeFetchOptions) => {
    const { maxBytes, timeoutMs, validators } = options;
    let url = parseHttpUrl(input, input);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      for (let hop = 0; ; hop++) {
        // A literal is refused before any socket, and again by the connector.
        const literal = stripBrackets(url.hostname);
        if (isIP(literal)) {
          const verdict = classifyAddress(literal);
          if (!verdict.public) {
            throw new PreviewFetchError(
              `${url.href}: ${literal} is not a public address: ${verdict.range}`,
              'blocked',
            );
          }
        }
        const response = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: {
            'user-agent': USER_AGENT,
            accept: options.accept ?? '*/*',
            'accept-encoding': 'gzip, deflate, br',
            ...(validators?.etag ? { 'if-none-match': validators.etag } : {}),
            ...(validators?.lastModified ? { 'if-modified-since': validators.lastModified } : {}),
          },
          signal: controller.signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const headers = flattenHeaders(response.headers);
        const location = headers.location;
        if (REDIRECT_STATUSES.has(response.statusCode) && location) {
          discard(response.body);
          if (hop >= MAX_REDIRECTS) {
            throw new PreviewFetchError(
              `${input}: more than ${MAX_REDIRECTS} redirects`,
              'redirects',
            );
          }
          let next: string;
          try {
            next = new URL(location, url).href;
          } catch (error) {
            throw new PreviewFetchError(`${url.href}: bad redirect to ${location}`, 'network', {
              cause: error,
            });
          }
          url = parseHttpUrl(next, `${url.href} redirects`);
          continue;
        }
        if (response.statusCode === 304 && validators) {
          discard(response.body);
          return { url: url.href, status: 304, headers, body: Buffer.alloc(0) };
        }
        if (response.statusCode < 200 || response.statusCode > 299) {
          discard(response.body);
          throw new PreviewFetchError(`${url.href}: HTTP ${response.statusCode}`, 'status');
        }
        const declared = Number(headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          discard(response.body);
          throw new PreviewFetchError(
            `${url.href}: content-length ${declared} is over ${maxBytes} bytes`,
            'too-large',
          );
        }
        const chunks: Buffer[] = [];
        let total = 0;
        for await (const chunk of response.body) {
          const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
          total += piece.length;
          if (total > maxBytes) {
            discard(response.body);
            throw new PreviewFetchError(`${url.href}: body over ${maxBytes} bytes`, 'too-large');
          }
          chunks.push(piece);
        }
        const body = await decode(
          Buffer.concat(chunks),
          headers['content-encoding'],
          maxBytes,
          url.href,
        );
        if (headers['content-encoding']) {
          // What the caller gets is the decoded body; the headers say so.
          delete headers['content-encoding'];
          headers['content-length'] = String(body.length);
        }
        return { url: url.href, status: response.statusCode, headers, body };
      }
    } catch (error) {
      if (error instanceof PreviewFetchError) throw error;
      const blocked = findCause(error, 'CRIER_BLOCKED_ADDRESS');
      if (blocked)
        throw new PreviewFetchError(`${url.href}: ${blocked.message}`, 'blocked', { cause: error });
      if (timedOut) {
        throw new PreviewFetchError(
          `${url.href}: no complete answer within ${timeoutMs} ms`,
          'timeout',
          { cause: error },
        );
      }
      if (findCause(error, 'UND_ERR_RES_EXCEEDED_MAX_SIZE')) {
        throw new PreviewFetchError(
          `${url.href}: body over ${MAX_RESPONSE_BYTES} bytes`,
          'too-large',
          { cause: error },
        );
      }
      if (findCause(error, 'UND_ERR_HEADERS_TIMEOUT') || findCause(error, 'UND_ERR_BODY_TIMEOUT')) {
        throw new PreviewFetchError(
          `${url.href}: no complete answer within ${timeoutMs} ms`,
          'timeout',
          { cause: error },
        );
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new PreviewFetchError(`${url.href}: ${reason}`, 'network', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };

  const post: WebhookSender['post'] = async (input, { body, headers, timeoutMs }) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const url = parseHttpUrl(input, 'the webhook');
      const literal = stripBrackets(url.hostname);
      if (isIP(literal) && !classifyAddress(literal).public) {
        return { kind: 'network', code: 'CRIER_BLOCKED_ADDRESS' };
      }
      const response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
        body,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      discard(response.body);
      return { kind: 'answered', status: response.statusCode };
    } catch (error) {
      if (controller.signal.aborted) return { kind: 'timeout' };
      if (findCause(error, 'CRIER_BLOCKED_ADDRESS')) {
        return { kind: 'network', code: 'CRIER_BLOCKED_ADDRESS' };
      }
      const code = findCode(error);
      return { kind: 'network', code };
    } finally {
      clearTimeout(timer);
    }
  };

  const json: SafeFetcher['json'] = async (input, options) => {
    const { method, body, timeoutMs } = options;
    const maxBytes = Math.min(options.maxBytes ?? MAX_JSON_BYTES, MAX_RESPONSE_BYTES);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      let url: URL;
      try {
        url = parseHttpUrl(input, input);
      } catch (error) {
        return { kind: 'blocked', reason: error instanceof Error ? error.message : 'not a URL' };
      }
      // A literal is refused before any socket, and again by the connector.
      const literal = stripBrackets(url.hostname);
      if (isIP(literal)) {
        const verdict = classifyAddress(literal);
        if (!verdict.public) {
          return {
            kind: 'blocked',
            reason: `${literal} is not a public address: ${verdict.range}`,
          };
        }
      }
      const response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...options.headers },
        ...(body !== undefined ? { body } : {}),
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(response.body);
        return { kind: 'too-large' };
      }
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of response.body) {
        const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        total += piece.length;
        if (total > maxBytes) {
          discard(response.body);
          return { kind: 'too-large' };
        }
        chunks.push(piece);
      }
      let parsed: unknown;
      try {
        parsed = total > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        parsed = undefined;
      }
      return { kind: 'answered', status: response.statusCode, body: parsed };
    } catch (error) {
      if (controller.signal.aborted) return { kind: 'timeout' };
      const blocked = findCause(error, 'CRIER_BLOCKED_ADDRESS');
      if (blocked) return { kind: 'blocked', reason: blocked.message };
      if (findCause(error, 'UND_ERR_RES_EXCEEDED_MAX_SIZE')) return { kind: 'too-large' };
      return { kind: 'network', code: findCode(error) };
    } finally {
      clearTimeout(timer);
    }
  };

  // Nothing to close before the first request made the agent.
  const close = async () => {
    const agent = await made?.catch(() => undefined);
    await agent?.close();
  };
  return Object.assign(safeFetch, { post, json, close });
}
