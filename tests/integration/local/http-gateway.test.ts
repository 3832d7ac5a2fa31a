import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { APIGatewayProxyEventV2, Context, Handler } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type GatewayFunction,
  type HttpGateway,
  MAX_REQUEST_BYTES,
  startHttpGateway,
} from '../../../infra/local/http-gateway';
import { createLogger, type LogEntry } from '../../../infra/local/logger';

type Reply = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
};

let gateway: HttpGateway;
let logs: LogEntry[] = [];
const events: APIGatewayProxyEventV2[] = [];
let answer: (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown> = async () =>
  undefined;

function fn(name: string, routes: string[], handler: Handler, timeoutSeconds = 2): GatewayFunction {
  return {
    function: { name, timeoutSeconds, memoryMB: 256 },
    routes,
    loadHandler: async () => handler,
  };
}

beforeAll(async () => {
  const recording: Handler = async (event: APIGatewayProxyEventV2, context: Context) => {
    events.push(event);
    return answer(event, context);
  };
  gateway = await startHttpGateway({
    port: 0,
    log: createLogger({ quiet: true, sink: (entry) => logs.push(entry) }),
    functions: [
      fn(
        'items',
        ['GET /items/{itemId}', 'POST /items/{itemId}/files', 'GET /items/special'],
        recording,
      ),
      fn('catch-all', ['ANY /files/{path+}'], recording),
      fn('slow', ['GET /slow'], () => new Promise(() => {}), 0.2),
    ],
  });
  gateway.addRoute('GET', '/sandbox/posts', async (request) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ posts: [], limit: request.query.get('limit') }),
  }));
});

beforeEach(() => {
  events.length = 0;
  logs = [];
  answer = async () => undefined;
});

afterAll(async () => {
  await gateway.stop();
});

/** node:http rather than fetch: repeated headers and exact bytes are under the test's control. */
function send(
  method: string,
  path: string,
  options: { headers?: OutgoingHttpHeaders; body?: Buffer | string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${gateway.url}${path}`,
      { method, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    // A server that answers before the upload ends may close the connection under it.
    req.on('error', (error) => (req.writableEnded ? undefined : reject(error)));
    req.end(options.body);
  });
}

const json = (reply: Reply): unknown => JSON.parse(reply.body.toString('utf8'));

describe('the local API Gateway (HTTP API, payload v2.0)', () => {
  it('builds a v2.0 event with the route, decoded path parameters, query, joined headers and cookies', async () => {
    await send('GET', '/items/a%20b?x=1&x=2&y=z%21', {
      headers: {
        'X-Multi': ['one', 'two'],
        'User-Agent': 'crier-test',
        Cookie: 'session=s1; theme=dark',
      },
    });
    expect(events).toHaveLength(1);
    const event = events[0];
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /items/{itemId}',
      rawPath: '/items/a%20b',
      rawQueryString: 'x=1&x=2&y=z%21',
      queryStringParameters: { x: '1,2', y: 'z!' },
      pathParameters: { itemId: 'a b' },
      cookies: ['session=s1', 'theme=dark'],
      isBase64Encoded: false,
      requestContext: {
        accountId: expect.any(String),
        apiId: expect.any(String),
        domainName: '127.0.0.1',
        http: {
          method: 'GET',
          path: '/items/a%20b',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'crier-test',
        },
        routeKey: 'GET /items/{itemId}',
        stage: '$default',
      },
    });
    expect(event?.headers['x-multi']).toBe('one,two');
    expect(event?.headers['user-agent']).toBe('crier-test');
    expect(event?.headers.cookie).toBeUndefined();
    expect(event?.headers['x-forwarded-proto']).toBe('http');
    expect(event?.body).toBeUndefined();
    expect(event?.requestContext.requestId).toMatch(/\S+/);
    expect(event?.requestContext.time).toMatch(
      /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
    );
    expect(Math.abs((event?.requestContext.timeEpoch ?? 0) - Date.now())).toBeLessThan(5_000);
  });

  it('picks the most specific route: a literal segment before a parameter', async () => {
    await send('GET', '/items/special');
    expect(events[0]?.routeKey).toBe('GET /items/special');
    expect(events[0]?.pathParameters).toBeUndefined();
  });

  it('matches a greedy parameter and ANY method', async () => {
    await send('DELETE', '/files/2024/03/photo.jpg');
    expect(events[0]?.routeKey).toBe('ANY /files/{path+}');
    expect(events[0]?.pathParameters).toEqual({ path: '2024/03/photo.jpg' });
    expect(events[0]?.requestContext.http.method).toBe('DELETE');
  });

  it('passes a textual body as text and a binary body as base64', async () => {
    await send('POST', '/items/i1/files', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"title":"“Coup” in Bolivia"}',
    });
    await send('POST', '/items/i1/files', {
      headers: { 'content-type': 'image/png' },
      body: Buffer.from([0x89, 0x50, 0x00, 0xff]),
    });
    expect(events[0]).toMatchObject({
      body: '{"title":"“Coup” in Bolivia"}',
      isBase64Encoded: false,
    });
    expect(events[1]).toMatchObject({ body: 'iVAA/w==', isBase64Encoded: true });
  });

  it('gives the function a context with its remaining time', async () => {
    let remaining = -1;
    answer = async (_event, context) => {
      remaining = context.getRemainingTimeInMillis();
      return undefined;
    };
    await send('GET', '/items/i1');
    expect(remaining).toBeGreaterThan(1_500);
    expect(remaining).toBeLessThanOrEqual(2_000);
  });

  it('maps a structured result: status, headers, cookies, and a base64 body decoded', async () => {
    answer = async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'image/gif', 'X-Count': 3 },
      cookies: ['a=1; Path=/', 'b=2'],
      body: Buffer.from('GIF89a').toString('base64'),
      isBase64Encoded: true,
    });
    const reply = await send('GET', '/items/i1');
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toBe('image/gif');
    expect(reply.headers['x-count']).toBe('3');
    expect(reply.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
    expect(reply.body.toString()).toBe('GIF89a');
  });

  it('answers 200 with the JSON of a result that has no statusCode', async () => {
    answer = async () => ({ articles: [{ id: 'a1' }] });
    const reply = await send('GET', '/items/i1');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(json(reply)).toEqual({ articles: [{ id: 'a1' }] });
  });

  it('answers 404 Not Found for a path or a method no route serves', async () => {
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['PUT', '/items/i1'],
      ['GET', '/items'],
    ] as const) {
      const reply = await send(method, path);
      expect(reply.status).toBe(404);
      expect(json(reply)).toEqual({ message: 'Not Found' });
    }
    expect(events).toHaveLength(0);
  });

  it('answers 413 to a body over 10 MB without invoking the function', async () => {
    const reply = await send('POST', '/items/i1/files', {
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(MAX_REQUEST_BYTES + 1),
    });
    expect(reply.status).toBe(413);
    expect(json(reply)).toEqual({ message: 'Request Entity Too Large' });
    expect(events).toHaveLength(0);
  });

  it('answers 413 to a chunked upload once it passes 10 MB', async () => {
    const megabyte = new Uint8Array(1024 * 1024);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 12; i++) controller.enqueue(megabyte);
        controller.close();
      },
    });
    const init: RequestInit & { duplex: 'half' } = { method: 'POST', body, duplex: 'half' };
    const reply = await fetch(`${gateway.url}/items/i1/files`, init);
    expect(reply.status).toBe(413);
    expect(await reply.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(events).toHaveLength(0);
  });

  it('takes a body of exactly 10 MB', async () => {
    const reply = await send('POST', '/items/i1/files', {
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(MAX_REQUEST_BYTES),
    });
    expect(reply.status).toBe(200);
    expect(Buffer.from(events[0]?.body ?? '', 'base64')).toHaveLength(MAX_REQUEST_BYTES);
  });

  it('answers 500 Internal Server Error when the function throws, logging the error and never sending it', async () => {
    answer = async () => {
      throw new Error('secret detail: table crier is gone');
    };
    const reply = await send('GET', '/items/i1');
    expect(reply.status).toBe(500);
    expect(json(reply)).toEqual({ message: 'Internal Server Error' });
    expect(reply.body.toString()).not.toContain('secret detail');
    const logged = logs.find((entry) => entry.event === 'gateway.function-failed');
    expect(logged?.error).toBeInstanceOf(Error);
    expect(String(logged?.error)).toContain('secret detail');
  });

  it('answers 500 when a structured result is malformed', async () => {
    answer = async () => ({ statusCode: 'two hundred' });
    const reply = await send('GET', '/items/i1');
    expect(reply.status).toBe(500);
    expect(json(reply)).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 503 Service Unavailable when the function overruns its timeout', async () => {
    const started = Date.now();
    const reply = await send('GET', '/slow');
    expect(reply.status).toBe(503);
    expect(json(reply)).toEqual({ message: 'Service Unavailable' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('serves routes added by the runtime itself', async () => {
    const reply = await send('GET', '/sandbox/posts?limit=5');
    expect(reply.status).toBe(200);
    expect(json(reply)).toEqual({ posts: [], limit: '5' });
  });

  it('answers 503 on function routes until the runtime is ready', async () => {
    gateway.setReady(false);
    try {
      const reply = await send('GET', '/items/i1');
      expect(reply.status).toBe(503);
      expect(events).toHaveLength(0);
    } finally {
      gateway.setReady(true);
    }
  });
});

describe('slow clients', () => {
  let strict: HttpGateway;
  let invoked = 0;

  beforeAll(async () => {
    strict = await startHttpGateway({
      port: 0,
      log: createLogger({ quiet: true }),
      functions: [
        fn('upload', ['POST /upload'], async () => {
          invoked += 1;
          return { statusCode: 204 };
        }),
      ],
      timeouts: { headersMs: 400, requestMs: 3_000, bodyIdleMs: 400, checkEveryMs: 100 },
    });
  });

  afterAll(async () => {
    await strict.stop();
  });

  /** Writes `sent` on a raw socket, then waits: what came back, and whether it was closed. */
  function stall(sent: string): Promise<{ reply: string; closed: boolean; ms: number }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = connect(strict.port, '127.0.0.1', () => socket.write(sent));
      let reply = '';
      socket.on('data', (chunk: Buffer) => {
        reply += chunk.toString('latin1');
      });
      const giveUp = setTimeout(() => {
        socket.destroy();
        resolve({ reply, closed: false, ms: Date.now() - started });
      }, 5_000);
      socket.on('close', () => {
        clearTimeout(giveUp);
        resolve({ reply, closed: true, ms: Date.now() - started });
      });
      socket.on('error', reject);
    });
  }

  it('answers 408 and closes the connection when the header lines never end', async () => {
    const { reply, closed, ms } = await stall('POST /upload HTTP/1.1\r\nHost: localhost\r\n');
    expect(closed).toBe(true);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(3_000);
  });

  it('answers 408 and closes the connection when the body stops coming, without invoking the function', async () => {
    invoked = 0;
    const { reply, closed, ms } = await stall(
      'POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    expect(closed).toBe(true);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(3_000);
    expect(invoked).toBe(0);
  });

  it('answers 408 to a body that trickles in past the request timeout', async () => {
    invoked = 0;
    const started = Date.now();
    const socket = connect(strict.port, '127.0.0.1');
    socket.write(
      'POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n',
    );
    // A byte every 200 ms: never idle long enough for the body timeout, yet never done.
    const drip = setInterval(() => socket.write('x'), 200);
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
    });
    const closed = await new Promise<boolean>((resolve) => {
      const giveUp = setTimeout(() => resolve(false), 6_000);
      socket.on('close', () => {
        clearTimeout(giveUp);
        resolve(true);
      });
      socket.on('error', () => undefined);
    });
    clearInterval(drip);
    socket.destroy();
    expect(closed).toBe(true);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(invoked).toBe(0);
  }, 10_000);

  it('still serves a client that sends its request in time', async () => {
    const { reply } = await stall(
      'POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 204/);
  });
});

describe('throttled routes', () => {
  let throttled: HttpGateway;
  let calls = 0;

  beforeAll(async () => {
    const counting: Handler = async () => {
      calls += 1;
      return { statusCode: 202, body: '{}' };
    };
    throttled = await startHttpGateway({
      port: 0,
      log: createLogger({ quiet: true }),
      functions: [
        fn('hooks', ['POST /hooks/a', 'POST /hooks/b'], counting),
        fn('editor', ['GET /editor'], counting),
      ],
      throttleFor: (routeKey) =>
        routeKey.startsWith('POST /hooks/') ? { rateLimit: 1, burstLimit: 2 } : undefined,
    });
  });

  afterAll(async () => {
    await throttled?.stop();
  });

  const post = (path: string) =>
    fetch(`${throttled.url}${path}`, { method: 'POST', body: '{"junk":true}' });

  it("answers 429 with Retry-After past the route's burst, before the function or the body", async () => {
    calls = 0;
    const answers = await Promise.all(Array.from({ length: 6 }, () => post('/hooks/a')));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429, 429]);
    expect(calls).toBe(2);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(await refused?.json()).toEqual({ message: 'Too Many Requests' });
    expect(refused?.headers.get('apigw-requestid')).toMatch(/\S+/);
  });

  it('keeps a bucket per route, and leaves routes without a throttle alone', async () => {
    calls = 0;
    expect((await post('/hooks/b')).status).toBe(202);
    const editor = await Promise.all(
      Array.from({ length: 10 }, () => fetch(`${throttled.url}/editor`)),
    );
    expect(editor.every((answer) => answer.status === 202)).toBe(true);
    expect(calls).toBe(11);
  });

  it('lets a sender through again once a token is back', async () => {
    while ((await post('/hooks/a')).status !== 429) {
      // empty the bucket
    }
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect((await post('/hooks/a')).status).toBe(202);
  });
});
