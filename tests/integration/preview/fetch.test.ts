/**
 * The SSRF-safe fetcher at work: through the test-only resolver and connector seams, a
 * loopback server it may use under a public-looking name. Everything it must refuse is in
 * ssrf-matrix.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CheckedTarget,
  checkedAddresses,
  createSafeFetch,
  MAX_HTML_BYTES,
  MAX_IMAGE_BYTES,
  type SafeFetcher,
} from '../../../shared/preview/fetch';
import { PreviewFetchError } from '../../../shared/preview/types';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

type TestServer = {
  port: number;
  /** TCP connections the server accepted */
  connections: number;
  /** request paths it answered */
  paths: string[];
  server: Server;
};

async function startServer(handler: Handler): Promise<TestServer> {
  const state: TestServer = { port: 0, connections: 0, paths: [], server: createServer() };
  state.server.on('connection', () => {
    state.connections++;
  });
  state.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    state.paths.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.port = (state.server.address() as AddressInfo).port;
  return state;
}

const servers: TestServer[] = [];
const fetchers: SafeFetcher[] = [];

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** A public-looking name for the test server: resolved to a public address, dialled on loopback. */
const PUBLIC_ADDRESS = '93.184.216.34';

function seamFetcher(
  target: TestServer,
  names: Record<string, string[]> = {},
): { fetch: SafeFetcher; dialled: CheckedTarget[]; lookups: string[] } {
  const dialled: CheckedTarget[] = [];
  const lookups: string[] = [];
  const fetch = createSafeFetch({
    resolve: async (host) => {
      lookups.push(host);
      return names[host] ?? (host.endsWith('news.example') ? [PUBLIC_ADDRESS] : []);
    },
    connectTo: (checked) => {
      dialled.push(checked);
      return { host: '127.0.0.1', port: target.port };
    },
  });
  fetchers.push(fetch);
  return { fetch, dialled, lookups };
}

function plainFetcher(resolve?: (host: string) => Promise<string[]>): SafeFetcher {
  const fetch = createSafeFetch(resolve ? { resolve } : {});
  fetchers.push(fetch);
  return fetch;
}

const options = { maxBytes: MAX_HTML_BYTES, timeoutMs: 2_000 };

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PreviewFetchError) return error.reason;
    throw error;
  }
  throw new Error('the fetch succeeded');
}

afterEach(async () => {
  await Promise.all(fetchers.splice(0).map((f) => f.close()));
  const closing = servers.splice(0);
  for (const s of closing) s.server.closeAllConnections();
  await Promise.all(closing.map((s) => new Promise((resolve) => s.server.close(resolve))));
});

describe('caps', () => {
  it('exports 2 MiB for pages and 5 MiB for images', () => {
    expect(MAX_HTML_BYTES).toBe(2 * 1024 * 1024);
    expect(MAX_IMAGE_BYTES).toBe(5 * 1024 * 1024);
  });
});

describe('resolving and connecting', () => {
  it('reports a name without addresses as a network failure', async () => {
    const fetch = plainFetcher(async () => []);
    expect(await reasonOf(fetch('http://nowhere.test/', options))).toBe('network');
  });

  it('checks literals and names the same way in the connector, IPv4 first', async () => {
    const names: Record<string, string[]> = {
      'ok.test': ['2606:4700::1111', PUBLIC_ADDRESS],
      'bad.test': [PUBLIC_ADDRESS, '10.0.0.1'],
    };
    const resolve = async (host: string) => names[host] ?? [];
    await expect(checkedAddresses('127.0.0.1', resolve)).rejects.toThrow(/loopback/);
    await expect(checkedAddresses('::ffff:7f00:1', resolve)).rejects.toThrow(
      /IPv4-mapped loopback/,
    );
    await expect(checkedAddresses('bad.test', resolve)).rejects.toThrow(/bad.test \(10.0.0.1\)/);
    await expect(checkedAddresses('ok.test', resolve)).resolves.toEqual([
      PUBLIC_ADDRESS,
      '2606:4700::1111',
    ]);
  });

  it('tries the next checked address when one does not answer', async () => {
    const server = await serve((_req, res) => res.end('second'));
    const tried: string[] = [];
    const fetch = createSafeFetch({
      resolve: async () => ['93.184.216.34', '93.184.216.35'],
      // the first address leads to a closed port, the second to the server
      connectTo: (target) => {
        tried.push(target.address);
        return { host: '127.0.0.1', port: target.address.endsWith('34') ? 1 : server.port };
      },
    });
    fetchers.push(fetch);
    expect((await fetch('http://two.test/', options)).body.toString()).toBe('second');
    expect(tried).toEqual(['93.184.216.34', '93.184.216.35']);
  });
});

describe('fetching a public page (through the test seams)', () => {
  it('returns the body, lower-cased headers and the final URL', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'X-Thing': 'a' });
      res.end('<title>Hello</title>');
    });
    const { fetch } = seamFetcher(server);
    const page = await fetch('http://news.example/story', options);
    expect(page.status).toBe(200);
    expect(page.url).toBe('http://news.example/story');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['x-thing']).toBe('a');
    expect(page.body.toString()).toBe('<title>Hello</title>');
  });

  it('sends an honest User-Agent and the Accept it is given', async () => {
    let seen: IncomingMessage['headers'] = {};
    const server = await serve((req, res) => {
      seen = req.headers;
      res.end('ok');
    });
    const { fetch } = seamFetcher(server);
    await fetch('http://news.example/', { ...options, accept: 'image/*' });
    expect(seen['user-agent']).toMatch(/^CrierBot\//);
    expect(seen.accept).toBe('image/*');
    expect(seen.host).toBe('news.example');
  });

  it('asks conditionally when given validators, and takes a 304 as an answer only then', async () => {
    let seen: IncomingMessage['headers'] = {};
    const server = await serve((req, res) => {
      seen = req.headers;
      res.writeHead(304, { ETag: '"v1"' });
      res.end();
    });
    const { fetch } = seamFetcher(server);
    const validators = { etag: '"v1"', lastModified: 'Tue, 12 Nov 2019 16:02:09 GMT' };
    const answer = await fetch('http://news.example/feed', { ...options, validators });
    expect(seen['if-none-match']).toBe('"v1"');
    expect(seen['if-modified-since']).toBe('Tue, 12 Nov 2019 16:02:09 GMT');
    expect(answer).toMatchObject({ status: 304, headers: { etag: '"v1"' } });
    expect(answer.body.length).toBe(0);
    expect(await reasonOf(fetch('http://news.example/feed', options))).toBe('status');
    expect(seen['if-none-match']).toBeUndefined();
  });

  it('pins the connection to the address it checked: one lookup, no second answer used', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    let calls = 0;
    const dialled: CheckedTarget[] = [];
    const fetch = createSafeFetch({
      // a rebinding resolver: public the first time, loopback afterwards
      resolve: async () => (++calls === 1 ? [PUBLIC_ADDRESS] : ['127.0.0.1']),
      connectTo: (target) => {
        dialled.push(target);
        return { host: '127.0.0.1', port: server.port };
      },
    });
    fetchers.push(fetch);
    const page = await fetch('http://rebind.test/', options);
    expect(page.body.toString()).toBe('ok');
    expect(calls).toBe(1);
    expect(dialled).toEqual([
      { hostname: 'rebind.test', address: PUBLIC_ADDRESS, port: 80, protocol: 'http:' },
    ]);
  });

  it('follows three redirects, checking each hop', async () => {
    const server = await serve((req, res) => {
      const n = Number((req.url ?? '').replace(/\D/g, '') || 0);
      if (n > 0) res.writeHead(301, { location: `/hop${n - 1}` }).end();
      else res.end('arrived');
    });
    const { fetch, lookups } = seamFetcher(server);
    const page = await fetch('http://news.example/hop3', options);
    expect(page.body.toString()).toBe('arrived');
    expect(page.url).toBe('http://news.example/hop0');
    expect(lookups.every((h) => h === 'news.example')).toBe(true);
  });

  it('re-checks a redirect to another host', async () => {
    const server = await serve((req, res) => {
      if (req.headers.host === 'news.example') {
        res.writeHead(307, { location: 'http://cdn.news.example/final' }).end();
      } else res.end(`served ${req.headers.host}`);
    });
    const { fetch, dialled } = seamFetcher(server);
    const page = await fetch('http://news.example/start', options);
    expect(page.body.toString()).toBe('served cdn.news.example');
    expect(dialled.map((t) => t.hostname)).toEqual(['news.example', 'cdn.news.example']);
  });

  it.each([404, 410, 500, 503])('reports HTTP %i as status', async (code) => {
    const server = await serve((_req, res) => res.writeHead(code).end('nope'));
    const { fetch } = seamFetcher(server);
    expect(await reasonOf(fetch('http://news.example/', options))).toBe('status');
  });

  it('decodes a gzip body', async () => {
    const page = gzipSync(Buffer.from('<title>Zipped</title>'));
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(page);
    });
    const { fetch } = seamFetcher(server);
    const fetched = await fetch('http://news.example/', options);
    expect(fetched.body.toString()).toBe('<title>Zipped</title>');
    expect(fetched.headers['content-encoding']).toBeUndefined();
  });
});

describe('json: a JSON call to an address an admin named (a Mastodon instance)', () => {
  const call = { method: 'POST' as const, body: 'client_name=Crier', timeoutMs: 2_000 };

  it('posts the body and answers the status with the parsed JSON', async () => {
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ client_id: 'id', echoed: body, method: req.method }));
      });
    });
    const { fetch } = seamFetcher(server);
    expect(await fetch.json('http://social.news.example/api/v1/apps', call)).toEqual({
      kind: 'answered',
      status: 200,
      body: { client_id: 'id', echoed: 'client_name=Crier', method: 'POST' },
    });
  });

  it('refuses loopback, private and link-local literals and names before any connection', async () => {
    const internal = await serve((_req, res) => res.end('{}'));
    const fetch = plainFetcher(async (host) =>
      host === 'metadata.news.example' ? ['169.254.169.254'] : ['10.1.2.3'],
    );
    for (const url of [
      `http://127.0.0.1:${internal.port}/api/v1/apps`,
      `http://localhost:${internal.port}/api/v1/apps`,
      'https://169.254.169.254/api/v1/apps',
      'https://10.0.0.8/api/v1/apps',
      'https://[::ffff:7f00:1]/api/v1/apps',
      'https://metadata.news.example/api/v1/apps',
      'https://intranet.news.example/api/v1/apps',
    ]) {
      const answer = await fetch.json(url, call);
      expect(answer.kind, url).toBe('blocked');
    }
    expect(internal.connections).toBe(0);
  });

  it('does not follow a redirect: a 3xx comes back as its status', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1:1/internal' });
      res.end();
    });
    const { fetch, dialled } = seamFetcher(server);
    expect(await fetch.json('http://social.news.example/oauth/token', call)).toEqual({
      kind: 'answered',
      status: 302,
      body: undefined,
    });
    expect(dialled).toHaveLength(1);
  });

  it('stops reading past its cap, and gives up on an answer that does not come in time', async () => {
    const big = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`"${'a'.repeat(100_000)}"`);
    });
    expect((await seamFetcher(big).fetch.json('http://a.news.example/', call)).kind).toBe(
      'too-large',
    );
    const slow = await serve(() => {});
    const answer = await seamFetcher(slow).fetch.json('http://b.news.example/', {
      ...call,
      timeoutMs: 300,
    });
    expect(answer.kind).toBe('timeout');
  });
});
