/**
 * The local API Gateway (HTTP API): turns each request into a payload v2.0 event for the
 * function whose route matches, and its answer into a response the way API Gateway maps
 * it. Local routes that are not functions (health, sandboxes) can be added. Routes given a
 * throttle (the webhooks) are refused with 429 and `Retry-After` past it, as API Gateway's
 * route settings refuse them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Handler } from 'aws-lambda';
import * as z from 'zod';
import type { Throttle } from '../../shared/resources';
import { type FunctionIdentity, invokeHandler } from './invoke';
import { LOCAL_ACCOUNT_ID } from './local-aws';
import type { Logger } from './logger';
import { TokenBucket } from './token-bucket';

/** API Gateway's own cap on a request's payload; handlers apply smaller ones. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** The stand-in API id, in `requestContext.apiId`. */
export const LOCAL_API_ID = 'crierlocal';

/**
 * How long a client may take to send a request. A slow or stalled client would
 * otherwise hold a connection (and a body buffer) for minutes: past these it gets a 408
 * and the connection is closed. Node checks the first two every `checkEveryMs`.
 */
export const REQUEST_TIMEOUTS = {
  /** from the connection's first byte to the end of the header lines */
  headersMs: 10_000,
  /** from the first byte to the end of the body */
  requestMs: 30_000,
  /** the longest wait for the body's next byte */
  bodyIdleMs: 10_000,
  checkEveryMs: 1_000,
};
export type RequestTimeouts = typeof REQUEST_TIMEOUTS;

export type GatewayFunction = {
  function: FunctionIdentity;
  routes: readonly string[];
  loadHandler: () => Promise<Handler>;
};

export type LocalRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  /** lowercased names; repeated headers joined with commas */
  headers: Record<string, string>;
  pathParameters: Record<string, string>;
  body: Buffer;
};

export type LocalResponse = {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
};

export type LocalRouteHandler = (request: LocalRequest) => Promise<LocalResponse>;

export type HttpGateway = {
  url: string;
  port: number;
  /** serves `METHOD path` (with `{param}` segments) from the runtime itself */
  addRoute(method: string, path: string, handler: LocalRouteHandler): void;
  /** until ready, function routes answer 503 as an API whose integrations are not up yet */
  setReady(ready: boolean): void;
  stop(): Promise<void>;
};

type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

type Target =
  | { kind: 'function'; gatewayFunction: GatewayFunction }
  | { kind: 'local'; handler: LocalRouteHandler };

type Route = { method: string; routeKey: string; segments: Segment[]; target: Target };

const SEGMENT_RANK = { literal: 0, param: 1, greedy: 2 } as const;

export function parseRouteKey(routeKey: string): { method: string; segments: Segment[] } {
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey.trim());
  if (!match?.[1] || !match[2]) throw new Error(`route ${routeKey} is not "METHOD /path"`);
  const segments = match[2]
    .slice(1)
    .split('/')
    .map((part): Segment => {
      const param = /^\{([^{}+]+)(\+?)\}$/.exec(part);
      if (!param?.[1]) return { kind: 'literal', value: part };
      return param[2] ? { kind: 'greedy', name: param[1] } : { kind: 'param', name: param[1] };
    });
  return { method: match[1], segments };
}

/** API Gateway picks the most specific route: literal segments before parameters before greedy ones. */
function compareRoutes(a: Route, b: Route): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const left = a.segments[i];
    const right = b.segments[i];
    if (!left || !right) return left ? -1 : 1;
    const difference = SEGMENT_RANK[left.kind] - SEGMENT_RANK[right.kind];
    if (difference !== 0) return difference;
  }
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function matchPath(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const part = parts[i];
    if (!segment || part === undefined) return undefined;
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i).join('/');
      if (rest === '') return undefined;
      params[segment.name] = decode(rest);
      return params;
    }
    if (segment.kind === 'literal') {
      if (segment.value !== part) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.name] = decode(part);
    }
  }
  return parts.length === segments.length ? params : undefined;
}

const TEXT_TYPES = [
  /^text\//,
  /^application\/(json|javascript|xml|x-www-form-urlencoded|graphql|yaml|x-yaml)$/,
  /^application\/[\w.+-]+\+(json|xml)$/,
];

export function isTextual(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type !== undefined && type !== '' && TEXT_TYPES.some((pattern) => pattern.test(type));
}

/** Lowercased names; repeated headers joined with commas, as API Gateway does. */
function collectHeaders(rawHeaders: string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]?.toLowerCase();
    const value = rawHeaders[i + 1];
    if (name === undefined || value === undefined) continue;
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return headers;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the format of `requestContext.time`. */
function clfTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function traceId(now: number): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

export function buildEvent(input: {
  request: IncomingMessage;
  url: URL;
  rawQueryString: string;
  routeKey: string;
  pathParameters: Record<string, string>;
  body: Buffer;
  requestId: string;
  now: number;
  localPort: number;
}): APIGatewayProxyEventV2 {
  const { request, url, rawQueryString, routeKey, pathParameters, body, requestId, now } = input;
  const collected = collectHeaders(request.rawHeaders);
  const cookies = (collected.get('cookie') ?? [])
    .flatMap((value) => value.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');
  collected.delete('cookie');
  const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const headers: Record<string, string> = {};
  for (const [name, values] of collected) headers[name] = values.join(',');
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']},${sourceIp}`
    : sourceIp;
  headers['x-forwarded-port'] = String(input.localPort);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] = traceId(now);

  const query = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query.set(name, [...(query.get(name) ?? []), value]);
  }
  const domainName = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  const textual = isTextual(headers['content-type']);
  const hasBody = body.length > 0;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query.size > 0
      ? {
          queryStringParameters: Object.fromEntries(
            [...query].map(([name, values]) => [name, values.join(',')]),
          ),
        }
      : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: clfTime(new Date(now)),
      timeEpoch: now,
    },
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(hasBody ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: hasBody && !textual,
  };
}

const StructuredResult = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
  cookies: z.array(z.string()).nullish(),
});

type MappedResponse = {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Uint8Array;
};

const jsonMessage = (status: number, message: string): MappedResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

export const NOT_FOUND = jsonMessage(404, 'Not Found');
export const TOO_LARGE = jsonMessage(413, 'Request Entity Too Large');
export const INTERNAL_ERROR = jsonMessage(500, 'Internal Server Error');
export const UNAVAILABLE = jsonMessage(503, 'Service Unavailable');
export const REQUEST_TIMEOUT = jsonMessage(408, 'Request Timeout');
/** API Gateway's answer past a throttle; this gateway adds when to try again. */
export const TOO_MANY_REQUESTS = jsonMessage(429, 'Too Many Requests');

/**
 * A function's answer as API Gateway maps payload v2: an object with `statusCode` is the
 * response; a string is the body; anything else is JSON. A malformed response is a 500.
 */
export function mapResult(value: unknown): MappedResponse | { invalid: string } {
  if (typeof value === 'object' && value !== null && 'statusCode' in value) {
    const parsed = StructuredResult.safeParse(value);
    if (!parsed.success) return { invalid: parsed.error.message };
    const result = parsed.data;
    const headers: Record<string, string | string[]> = {};
    for (const [name, header] of Object.entries(result.headers ?? {})) {
      headers[name.toLowerCase()] = String(header);
    }
    if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
    const body = result.body ?? '';
    return {
      status: result.statusCode,
      headers,
      body: result.isBase64Encoded ? Buffer.from(body, 'base64') : body,
    };
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof value === 'string' ? value : JSON.stringify(value ?? null),
  };
}

class TooLargeError extends Error {}
class SlowBodyError extends Error {}

/**
 * Reads the body, refusing past `limit` bytes without reading on, and giving up when
 * the client sends nothing for `idleMs`.
 */
function readBody(request: IncomingMessage, limit: number, idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new TooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let idle: NodeJS.Timeout | undefined;
    const stop = (error: Error): void => {
      clearTimeout(idle);
      request.off('data', onData);
      request.pause();
      reject(error);
    };
    const wait = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => stop(new SlowBodyError()), idleMs);
      idle.unref();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop(new TooLargeError());
        return;
      }
      chunks.push(chunk);
      wait();
    };
    wait();
    request.on('data', onData);
    request.once('end', () => {
      clearTimeout(idle);
      resolve(Buffer.concat(chunks));
    });
    // `on`, not `once`: a second error (the socket dropped after a 413) must not go unheard.
    request.on('error', reject);
  });
}

function segmentsKey(segments: Segment[]): string {
  return segments
    .map((segment) => {
      if (segment.kind === 'literal') return segment.value;
      return segment.kind === 'greedy' ? `{${segment.name}+}` : `{${segment.name}}`;
    })
    .join('/');
}

export async function startHttpGateway(options: {
  port: number;
  host?: string;
  functions: readonly GatewayFunction[];
  log: Logger;
  ready?: boolean;
  maxRequestBytes?: number;
  /** how long a client may take to send its request (REQUEST_TIMEOUTS by default) */
  timeouts?: Partial<RequestTimeouts>;
  /** told of each function route's answer, after it is sent (e.g. a channel created) */
  onAnswer?: (routeKey: string, status: number) => void;
  /** a function route's own throttle (one bucket per route), or none */
  throttleFor?: (routeKey: string) => Throttle | undefined;
}): Promise<HttpGateway> {
  const { log } = options;
  const host = options.host ?? '127.0.0.1';
  const limit = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const timeouts = { ...REQUEST_TIMEOUTS, ...options.timeouts };
  let ready = options.ready ?? true;
  let routes: Route[] = [];
  let localPort = options.port;
  const buckets = new Map<string, TokenBucket | undefined>();
  const bucketFor = (routeKey: string): TokenBucket | undefined => {
    if (!buckets.has(routeKey)) {
      const throttle = options.throttleFor?.(routeKey);
      buckets.set(routeKey, throttle ? new TokenBucket(throttle) : undefined);
    }
    return buckets.get(routeKey);
  };

  const add = (routeKey: string, target: Target): void => {
    const { method, segments } = parseRouteKey(routeKey);
    const key = `${method} /${segmentsKey(segments)}`;
    if (routes.some((route) => route.routeKey === key)) {
      throw new Error(`route ${routeKey} is already served`);
    }
    routes = [...routes, { method, routeKey: key, segments, target }].sort(compareRoutes);
  };
  for (const gatewayFunction of options.functions) {
    for (const routeKey of gatewayFunction.routes)
      add(routeKey, { kind: 'function', gatewayFunction });
  }

  const send = (
    response: ServerResponse,
    mapped: MappedResponse,
    requestId: string,
    extra: Record<string, string> = {},
  ): void => {
    if (response.headersSent) return;
    response.writeHead(mapped.status, {
      ...mapped.headers,
      'apigw-requestid': requestId,
      ...extra,
    });
    response.end(mapped.body);
  };

  const invokeFunction = async (
    gatewayFunction: GatewayFunction,
    event: APIGatewayProxyEventV2,
  ): Promise<MappedResponse> => {
    const fn = gatewayFunction.function;
    let handler: Handler;
    try {
      handler = await gatewayFunction.loadHandler();
    } catch (error) {
      log.error('function.load-failed', { function: fn.name, error });
      return INTERNAL_ERROR;
    }
    const outcome = await invokeHandler(handler, event, fn, log);
    const fields = { function: fn.name, requestId: outcome.requestId, route: event.routeKey };
    if (outcome.status === 'timed-out') {
      log.error('gateway.function-timed-out', { ...fields, timeoutSeconds: fn.timeoutSeconds });
      return UNAVAILABLE;
    }
    if (outcome.status === 'failed') {
      log.error('gateway.function-failed', { ...fields, error: outcome.error });
      return INTERNAL_ERROR;
    }
    const mapped = mapResult(outcome.value);
    if ('invalid' in mapped) {
      log.error('gateway.malformed-response', { ...fields, reason: mapped.invalid });
      return INTERNAL_ERROR;
    }
    return mapped;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = Date.now();
    const requestId = randomUUID();
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawQueryString = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
    const url = new URL(rawUrl, 'http://localhost');
    const method = request.method ?? 'GET';
    const parts = url.pathname.slice(1).split('/');

    let matched: { route: Route; params: Record<string, string> } | undefined;
    for (const route of routes) {
      if (route.method !== method && route.method !== 'ANY') continue;
      const params = matchPath(route.segments, parts);
      if (params) {
        matched = { route, params };
        break;
      }
    }
    const finish = (mapped: MappedResponse, extra?: Record<string, string>): void => {
      send(response, mapped, requestId, extra);
      // Health checks poll; a line for each would bury the requests that matter.
      const level = url.pathname === '/healthz' ? 'debug' : 'info';
      // A sandbox route's parameters may stand for a secret (a Slack hook's id is its
      // token): the line names the route's pattern, not the path it was called with.
      const sandbox = matched?.route.target.kind === 'local' && Object.keys(matched.params).length;
      log[level]('http.request', {
        method,
        path: sandbox ? matched?.route.routeKey.split(' ')[1] : url.pathname,
        status: mapped.status,
        route: matched?.route.routeKey,
        ms: Date.now() - started,
      });
    };

    if (!matched) {
      request.resume();
      finish(NOT_FOUND);
      return;
    }
    // Before the body is read, as API Gateway refuses before the integration runs.
    if (matched.route.target.kind === 'function') {
      const taken = bucketFor(matched.route.routeKey)?.take();
      if (taken && !taken.allowed) {
        request.resume();
        finish(TOO_MANY_REQUESTS, { 'retry-after': String(taken.retryAfterSeconds) });
        return;
      }
    }
    let body: Buffer;
    try {
      body = await readBody(request, limit, timeouts.bodyIdleMs);
    } catch (error) {
      if (error instanceof TooLargeError || error instanceof SlowBodyError) {
        // Answer, then drop the connection rather than take in the rest of the upload.
        finish(error instanceof TooLargeError ? TOO_LARGE : REQUEST_TIMEOUT, {
          connection: 'close',
        });
        response.once('finish', () => setTimeout(() => request.destroy(), 100).unref());
        return;
      }
      throw error;
    }

    const { target } = matched.route;
    if (target.kind === 'local') {
      try {
        const answer = await target.handler({
          method,
          path: url.pathname,
          query: new URLSearchParams(rawQueryString),
          headers: Object.fromEntries(
            [...collectHeaders(request.rawHeaders)].map(([name, values]) => [
              name,
              values.join(','),
            ]),
          ),
          pathParameters: matched.params,
          body,
        });
        finish({ status: answer.status, headers: answer.headers ?? {}, body: answer.body ?? '' });
      } catch (error) {
        log.error('gateway.local-route-failed', { route: matched.route.routeKey, error });
        finish(INTERNAL_ERROR);
      }
      return;
    }
    if (!ready) {
      finish(UNAVAILABLE);
      return;
    }
    const event = buildEvent({
      request,
      url,
      rawQueryString,
      routeKey: matched.route.routeKey,
      pathParameters: matched.params,
      body,
      requestId,
      now: started,
      localPort,
    });
    const answer = await invokeFunction(target.gatewayFunction, event);
    finish(answer);
    options.onAnswer?.(matched.route.routeKey, answer.status);
  };

  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkEveryMs,
    },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        log.error('gateway.error', { error });
        send(response, INTERNAL_ERROR, randomUUID());
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      if ('code' in error && error.code === 'EADDRINUSE') {
        reject(
          new Error(`port ${options.port} is in use: set PORT to a free port`, { cause: error }),
        );
      } else {
        reject(error);
      }
    });
    server.listen(options.port, host, () => resolve());
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('the HTTP server has no port');
  localPort = address.port;
  const url = `http://${host}:${address.port}`;
  log.debug('http.listening', { url });

  let stopped: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    addRoute: (method, path, handler) =>
      add(`${method.toUpperCase()} ${path}`, { kind: 'local', handler }),
    setReady: (value) => {
      ready = value;
    },
    stop: () => {
      stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Requests still running (a slow function) get a little time, then their sockets go.
        const cut = setTimeout(() => server.closeAllConnections(), 2_000);
        await closed.finally(() => clearTimeout(cut));
        log.info('http.stopped');
      })();
      return stopped;
    },
  };
}
