/**
 * The SSRF-safe fetcher against loopback servers it must refuse, and (through the test-only
 * resolver and connector seams) against one it may use under a public-looking name.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('refusing addresses before any connection', () => {
  const literals = [
    'http://127.0.0.1/',
    'http://127.0.0.1:8080/admin',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f.1/',
    'http://127.1/',
    'http://0x7f000001/',
    'http://017700000001/',
    'http://127.000.000.1/',
    'http://%31%32%37.0.0.1/',
    'http://0/',
    'http://0.0.0.0/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://240.0.0.1/',
    'http://192.0.2.1/',
    'http://198.51.100.1/',
    'http://203.0.113.1/',
    'http://198.18.0.1/',
    'http://[::1]/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::127.0.0.1]/',
    'http://[fc00::1]/',
    'http://[fd12:3456::1]/',
    'http://[fe80::1]/',
    'http://[fec0::1]/',
    'http://[ff02::1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[2002:7f00:1::]/',
    'http://[2002:c0a8:101::1]/',
    'http://[2001:db8::1]/',
    'http://[2001::1]/',
    'https://127.0.0.1/',
    'https://[::ffff:7f00:1]:8443/',
  ];

  it.each(literals)('refuses %s as blocked', async (url) => {
    const resolve = async () => {
      throw new Error('a literal must not be resolved');
    };
    expect(await reasonOf(plainFetcher(resolve)(url, options))).toBe('blocked');
  });

  const schemes = [
    'file:///etc/passwd',
    'ftp://ftp.example.org/',
    'gopher://example.org/',
    'data:text/html,<title>x</title>',
    'javascript:alert(1)',
    'ws://example.org/',
    'not a url',
  ];

  it.each(schemes)('refuses %s as a scheme it does not fetch', async (url) => {
    expect(await reasonOf(plainFetcher()(url, options))).toBe('scheme');
  });
});

describe('refusing names that resolve to what must not be reached', () => {
  const names: Record<string, string[]> = {
    'internal.test': ['10.0.0.5'],
    'metadata.test': ['169.254.169.254'],
    'loopback6.test': ['::1'],
    'mapped.test': ['::ffff:127.0.0.1'],
    'nat64.test': ['64:ff9b::a9fe:a9fe'],
    'cgnat.test': ['100.100.100.200'],
    // one private address among public ones is a rebinding setup, not a web site
    'mixed.test': [PUBLIC_ADDRESS, '127.0.0.1'],
    'garbage.test': ['0177.0.0.1'],
  };

  it.each(Object.keys(names))('refuses %s', async (host) => {
    const fetch = plainFetcher(async (name) => names[name] ?? []);
    expect(await reasonOf(fetch(`http://${host}/`, options))).toBe('blocked');
  });

  it('refuses localhost through the system resolver', async () => {
    const server = await serve((_req, res) => res.end('secret'));
    expect(await reasonOf(plainFetcher()(`http://localhost:${server.port}/`, options))).toBe(
      'blocked',
    );
    expect(server.connections).toBe(0);
  });

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

describe('a loopback server the fetcher must refuse', () => {
  let secret: TestServer;

  beforeEach(async () => {
    secret = await serve((_req, res) => res.end('<title>internal admin</title>'));
  });

  it('is never connected to by address', async () => {
    expect(await reasonOf(plainFetcher()(`http://127.0.0.1:${secret.port}/`, options))).toBe(
      'blocked',
    );
    expect(await reasonOf(plainFetcher()(`http://[::ffff:7f00:1]:${secret.port}/`, options))).toBe(
      'blocked',
    );
    expect(secret.connections).toBe(0);
  });

  it('is never connected to through a name that resolves to it', async () => {
    const fetch = plainFetcher(async () => ['127.0.0.1']);
    expect(await reasonOf(fetch(`http://intranet.test:${secret.port}/`, options))).toBe('blocked');
    expect(secret.connections).toBe(0);
  });

  it('is not reached by a redirect from a public page, and the seam never sees it', async () => {
    const page = await serve((req, res) => {
      const to: Record<string, string> = {
        '/to-literal': `http://127.0.0.1:${secret.port}/`,
        '/to-mapped': `http://[::ffff:7f00:1]:${secret.port}/`,
        '/to-decimal': `http://2130706433:${secret.port}/`,
        '/to-internal-name': `http://internal.test:${secret.port}/`,
        '/to-metadata': 'http://169.254.169.254/latest/meta-data/iam/',
        '/to-file': 'file:///etc/passwd',
      };
      res.writeHead(302, { location: to[req.url ?? ''] ?? '/' }).end();
    });
    const { fetch, dialled } = seamFetcher(page, { 'internal.test': ['10.0.0.5'] });
    for (const path of [
      '/to-literal',
      '/to-mapped',
      '/to-decimal',
      '/to-internal-name',
      '/to-metadata',
    ]) {
      expect(await reasonOf(fetch(`http://news.example${path}`, options))).toBe('blocked');
    }
    expect(await reasonOf(fetch('http://news.example/to-file', options))).toBe('scheme');
    expect(secret.connections).toBe(0);
    expect(dialled.every((t) => t.address === PUBLIC_ADDRESS)).toBe(true);
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

  it('follows three redirects, checking each hop, and refuses a fourth', async () => {
    const server = await serve((req, res) => {
      const n = Number((req.url ?? '').replace(/\D/g, '') || 0);
      if (n > 0) res.writeHead(301, { location: `/hop${n - 1}` }).end();
      else res.end('arrived');
    });
    const { fetch, lookups } = seamFetcher(server);
    const page = await fetch('http://news.example/hop3', options);
    expect(page.body.toString()).toBe('arrived');
    expect(page.url).toBe('http://news.example/hop0');
    expect(await reasonOf(fetch('http://news.example/hop4', options))).toBe('redirects');
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

  it('refuses a body that content-length says is too large, without reading it', async () => {
    let written = 0;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(10 * MAX_HTML_BYTES) });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = () => {
        while (written < 10 * MAX_HTML_BYTES && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    const { fetch } = seamFetcher(server);
    const started = Date.now();
    expect(await reasonOf(fetch('http://news.example/', options))).toBe('too-large');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops reading a body past the cap when no length was announced', async () => {
    let closed = false;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'b');
      const timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => {
        closed = true;
        clearInterval(timer);
      });
    });
    const { fetch } = seamFetcher(server);
    expect(
      await reasonOf(fetch('http://news.example/', { ...options, maxBytes: 256 * 1024 })),
    ).toBe('too-large');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
  });

  it('gives up on a slow-drip body at the whole-fetch timeout', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const { fetch } = seamFetcher(server);
    const started = Date.now();
    expect(await reasonOf(fetch('http://news.example/', { ...options, timeoutMs: 400 }))).toBe(
      'timeout',
    );
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('gives up on headers that never come', async () => {
    const server = await serve(() => {
      // never answers
    });
    const { fetch } = seamFetcher(server);
    expect(await reasonOf(fetch('http://news.example/', { ...options, timeoutMs: 300 }))).toBe(
      'timeout',
    );
  });

  it('decodes a gzip body and refuses a gzip bomb past the cap', async () => {
    const page = gzipSync(Buffer.from('<title>Zipped</title>'));
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0));
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(req.url === '/bomb' ? bomb : page);
    });
    const { fetch } = seamFetcher(server);
    const fetched = await fetch('http://news.example/', options);
    expect(fetched.body.toString()).toBe('<title>Zipped</title>');
    expect(fetched.headers['content-encoding']).toBeUndefined();
    expect(bomb.length).toBeLessThan(MAX_HTML_BYTES);
    expect(await reasonOf(fetch('http://news.example/bomb', options))).toBe('too-large');
  });
});
