/**
 * Every way a link preview could be turned against Crier's own network, refused with its
 * reason: loopback, private, link-local, CGNAT, IPv4-mapped and NAT64 addresses in every
 * spelling, names that resolve to them, redirects to them, too many redirects, bodies over
 * the caps and bodies that never end. Printed as a table at the end.
 */
import { lookup } from 'node:dns/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createSafeFetch,
  MAX_HTML_BYTES,
  MAX_IMAGE_BYTES,
  MAX_REDIRECTS,
  type SafeFetcher,
} from '../../../shared/preview/fetch';
import { PreviewFetchError } from '../../../shared/preview/types';
import { checkProperty, fuzzTimeout } from '../../support/fuzz';

type Reason = PreviewFetchError['reason'];

type TestServer = { server: Server; port: number; connections: number };

async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const server = createServer(handler);
  const state: TestServer = { server, port: 0, connections: 0 };
  server.on('connection', () => {
    state.connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}

async function stopServer(state: TestServer | undefined): Promise<void> {
  if (!state) return;
  state.server.closeAllConnections();
  await new Promise((resolve) => state.server.close(resolve));
}

/** Writes `total` bytes in chunks, as fast as the reader takes them, until it goes away. */
function stream(res: ServerResponse, total: number, headers: Record<string, string>): void {
  res.writeHead(200, headers);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let written = 0;
  const pump = () => {
    while (written < total && !res.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, total - written));
      written += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/** The address the test's "public" web server poses as; it is dialled on loopback. */
const PUBLIC_ADDRESS = '93.184.216.34';

/**
 * An internal service on loopback: what an attacker wants the fetcher to reach. No case
 * may ever open a connection to it.
 */
let internal: TestServer;
/** A public-looking web site (news.example): redirects, huge bodies and slow answers. */
let web: TestServer;
/** What the web server had written of each oversized body when the fetcher hung up. */
const cutShort: { path: string; written: number; total: number }[] = [];
const dialled: string[] = [];
const resolved: string[] = [];

/** What the test resolver answers; anything else goes to the system resolver (localhost). */
const NAMES: Record<string, string[]> = {
  'news.example': [PUBLIC_ADDRESS],
  'cdn.news.example': [PUBLIC_ADDRESS],
  'intranet.test': ['127.0.0.1'],
  'internal.test': ['10.0.0.5'],
  'office.test': ['192.168.1.20'],
  'vpc.test': ['172.20.0.8'],
  'metadata.test': ['169.254.169.254'],
  'loopback6.test': ['::1'],
  'linklocal6.test': ['fe80::1'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'nat64.test': ['64:ff9b::a9fe:a9fe'],
  'cgnat.test': ['100.100.100.200'],
  'multicast.test': ['239.255.255.250'],
  'unspecified.test': ['0.0.0.0'],
  // one private address among public ones is a rebinding setup, not a web site
  'mixed.test': [PUBLIC_ADDRESS, '127.0.0.1'],
  // a resolver that answers in a spelling only a URL parser would read as an address
  'octal.test': ['0177.0.0.1'],
};

async function testResolve(host: string): Promise<string[]> {
  resolved.push(host);
  const known = NAMES[host];
  if (known) return known;
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

/** The fetcher as production builds it: the system resolver, no seam. */
let plain: SafeFetcher;
/**
 * The test resolver, and a connector seam that dials the web server for any address
 * that passed the check (only public ones reach it: see SafeFetchDeps.connectTo).
 */
let seamed: SafeFetcher;

const ROUTES: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {};

beforeAll(async () => {
  internal = await startServer((_req, res) => res.end('<title>internal admin</title>'));
  web = await startServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (hop) {
      const n = Number(hop[1]);
      if (n > 0) res.writeHead(301, { location: `/hop/${n - 1}` }).end();
      else res.end('<title>arrived</title>');
      return;
    }
    const route = ROUTES[path];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  const at = `:${internal.port}`;
  const redirects: Record<string, string> = {
    literal: `http://127.0.0.1${at}/`,
    short: `http://127.1${at}/`,
    mapped: `http://[::ffff:7f00:1]${at}/`,
    decimal: `http://2130706433${at}/`,
    octal: `http://0177.0.0.1${at}/`,
    hex: `http://0x7f000001${at}/`,
    localhost: `http://localhost${at}/`,
    'loopback-name': `http://intranet.test${at}/`,
    'private-name': `http://internal.test${at}/`,
    metadata: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    nat64: 'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
    cgnat: 'http://100.64.0.1/',
    'via-cdn': 'http://cdn.news.example/to/metadata',
    file: 'file:///etc/passwd',
  };
  for (const [name, location] of Object.entries(redirects)) {
    ROUTES[`/to/${name}`] = (_req, res) => res.writeHead(302, { location }).end();
  }
  const refusedAfter = (
    req: IncomingMessage,
    res: ServerResponse,
    total: number,
    headers: Record<string, string>,
  ) => {
    let written = 0;
    const write = res.write.bind(res);
    res.write = ((chunk: Buffer, ...rest: never[]) => {
      written += chunk.length;
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.on('close', () => {
      cutShort.push({ path: req.url ?? '', written, total });
    });
    stream(res, total, headers);
  };
  const html = { 'content-type': 'text/html; charset=utf-8' };
  const image = { 'content-type': 'image/jpeg' };
  const length = (n: number) => ({ 'content-length': String(n) });
  ROUTES['/html/declared'] = (req, res) =>
    refusedAfter(req, res, 8 * MAX_HTML_BYTES, { ...html, ...length(8 * MAX_HTML_BYTES) });
  ROUTES['/html/one-over-declared'] = (_req, res) =>
    stream(res, MAX_HTML_BYTES + 1, { ...html, ...length(MAX_HTML_BYTES + 1) });
  ROUTES['/html/undeclared'] = (req, res) => refusedAfter(req, res, 8 * MAX_HTML_BYTES, html);
  ROUTES['/html/one-over-undeclared'] = (_req, res) => stream(res, MAX_HTML_BYTES + 1, html);
  ROUTES['/html/at-cap'] = (_req, res) => stream(res, MAX_HTML_BYTES, html);
  ROUTES['/image/declared'] = (req, res) =>
    refusedAfter(req, res, 4 * MAX_IMAGE_BYTES, { ...image, ...length(4 * MAX_IMAGE_BYTES) });
  ROUTES['/image/undeclared'] = (req, res) => refusedAfter(req, res, 4 * MAX_IMAGE_BYTES, image);
  ROUTES['/image/one-over-undeclared'] = (_req, res) => stream(res, MAX_IMAGE_BYTES + 1, image);
  ROUTES['/image/at-cap'] = (_req, res) => stream(res, MAX_IMAGE_BYTES, image);
  const bomb = gzipSync(Buffer.alloc(4 * MAX_HTML_BYTES, 0));
  ROUTES['/html/gzip-bomb'] = (_req, res) =>
    res.writeHead(200, { ...html, 'content-encoding': 'gzip' }).end(bomb);
  ROUTES['/slow/drip'] = (_req, res) => {
    res.writeHead(200, html);
    const timer = setInterval(() => res.write('.'), 50);
    res.on('close', () => clearInterval(timer));
  };
  ROUTES['/slow/silent'] = () => {
    // never answers
  };
  ROUTES['/slow/headers-then-nothing'] = (_req, res) => {
    res.writeHead(200, { ...html, ...length(1000) });
    res.write('<title>');
  };

  plain = createSafeFetch();
  seamed = createSafeFetch({
    resolve: testResolve,
    connectTo: (target) => {
      dialled.push(target.address);
      return { host: '127.0.0.1', port: web.port };
    },
  });
});

afterAll(async () => {
  await Promise.all([plain?.close(), seamed?.close()]);
  await Promise.all([stopServer(internal), stopServer(web)]);
});

type Case = {
  group: string;
  name: string;
  /** a function of the internal service's port, for literals that aim at it */
  url: string | ((internalPort: number) => string);
  /** `plain`: production's fetcher; `seamed`: the test resolver and the web server */
  via?: 'plain' | 'seamed';
  kind?: 'html' | 'image';
  timeoutMs?: number;
  reason: Reason;
  why: RegExp;
};

const literal = (group: string, name: string, url: string, why: RegExp): Case => ({
  group,
  name,
  url: (port) => url.replace('PORT', String(port)),
  reason: 'blocked',
  why,
});

const CASES: Case[] = [
  literal('loopback', '127.0.0.1', 'http://127.0.0.1:PORT/admin', /127\.0\.0\.1 is .*loopback/),
  literal('loopback', '127.1', 'http://127.1:PORT/', /127\.0\.0\.1 is .*loopback/),
  literal('loopback', '127.0.0.1 zero-padded', 'http://127.000.000.1:PORT/', /loopback/),
  literal('loopback', '127.0.0.1 percent-encoded', 'http://%31%32%37.0.0.1:PORT/', /loopback/),
  literal('loopback', '::1', 'http://[::1]:PORT/', /loopback \(::1\)/),
  literal('loopback', 'https://127.0.0.1', 'https://127.0.0.1:PORT/', /loopback/),
  {
    group: 'loopback',
    name: 'localhost (system resolver)',
    url: (port) => `http://localhost:${port}/`,
    via: 'plain',
    reason: 'blocked',
    why: /localhost \((127\.0\.0\.1|::1)\) is not a public address: loopback/,
  },
  literal('private', '10.0.0.0/8', 'http://10.1.2.3/', /private \(10\.0\.0\.0\/8\)/),
  literal('private', '172.16.0.0/12', 'http://172.16.0.1/', /private \(172\.16\.0\.0\/12\)/),
  literal('private', '172.16.0.0/12, top', 'http://172.31.255.255/', /private \(172\.16/),
  literal('private', '192.168.0.0/16', 'http://192.168.1.1/', /private \(192\.168\.0\.0\/16\)/),
  literal('private', 'fc00::/7', 'http://[fd12:3456::1]/', /unique local/),
  literal('link-local', '169.254.169.254', 'http://169.254.169.254/latest/meta-data/', /metadata/),
  literal('link-local', 'fe80::1', 'http://[fe80::1]/', /link-local \(fe80::\/10\)/),
  literal('CGNAT', '100.64.0.0/10', 'http://100.64.0.1/', /CGNAT/),
  literal('CGNAT', '100.64.0.0/10, top', 'http://100.127.255.254/', /CGNAT/),
  literal('IPv4-mapped', '::ffff:127.0.0.1', 'http://[::ffff:127.0.0.1]:PORT/', /mapped loop/),
  literal('IPv4-mapped', '::ffff:7f00:1', 'http://[::ffff:7f00:1]:PORT/', /IPv4-mapped loopback/),
  literal('IPv4-mapped', 'long form', 'http://[0:0:0:0:0:ffff:127.0.0.1]:PORT/', /mapped loop/),
  literal('IPv4-mapped', 'metadata', 'http://[::ffff:169.254.169.254]/', /mapped link-local/),
  literal('IPv4-compatible', '::127.0.0.1', 'http://[::127.0.0.1]:PORT/', /IPv4-compatible/),
  literal('NAT64', '64:ff9b::a9fe:a9fe', 'http://[64:ff9b::a9fe:a9fe]/', /NAT64 link-local/),
  literal('NAT64', '64:ff9b::7f00:1', 'http://[64:ff9b::7f00:1]:PORT/', /NAT64 loopback/),
  literal('6to4', '2002:7f00:1::', 'http://[2002:7f00:1::]/', /6to4 loopback/),
  literal('Teredo', '2001::/32', 'http://[2001::1]/', /IETF protocol assignments/),
  literal('decimal', '2130706433', 'http://2130706433:PORT/', /127\.0\.0\.1 is .*loopback/),
  literal('octal', '0177.0.0.1', 'http://0177.0.0.1:PORT/', /127\.0\.0\.1 is .*loopback/),
  literal('octal', '017700000001', 'http://017700000001:PORT/', /loopback/),
  literal('hex', '0x7f000001', 'http://0x7f000001:PORT/', /127\.0\.0\.1 is .*loopback/),
  literal('hex', '0x7f.1', 'http://0x7f.1:PORT/', /loopback/),
  literal('unspecified', '0.0.0.0', 'http://0.0.0.0:PORT/', /this network/),
  literal('unspecified', '0', 'http://0:PORT/', /this network/),
  literal('unspecified', '::', 'http://[::]:PORT/', /unspecified/),
  literal('multicast', '224.0.0.1', 'http://224.0.0.1/', /multicast \(224/),
  literal('multicast', '239.255.255.250', 'http://239.255.255.250/', /multicast/),
  literal('multicast', 'ff02::1', 'http://[ff02::1]/', /multicast \(ff00::\/8\)/),
  literal('reserved', '255.255.255.255', 'http://255.255.255.255/', /broadcast/),
  literal('reserved', '240.0.0.1', 'http://240.0.0.1/', /reserved/),
  literal('reserved', '192.0.2.1', 'http://192.0.2.1/', /documentation/),
  literal('reserved', '198.18.0.1', 'http://198.18.0.1/', /benchmarking/),
  literal('reserved', '2001:db8::1', 'http://[2001:db8::1]/', /documentation/),
  ...Object.entries({
    'intranet.test': /intranet\.test \(127\.0\.0\.1\) .*loopback/,
    'internal.test': /internal\.test \(10\.0\.0\.5\) .*private/,
    'office.test': /private \(192\.168/,
    'vpc.test': /private \(172\.16/,
    'metadata.test': /metadata\.test \(169\.254\.169\.254\) .*link-local/,
    'loopback6.test': /loopback \(::1\)/,
    'linklocal6.test': /link-local/,
    'mapped.test': /IPv4-mapped loopback/,
    'nat64.test': /NAT64 link-local/,
    'cgnat.test': /CGNAT/,
    'multicast.test': /multicast/,
    'unspecified.test': /this network/,
    'mixed.test': /mixed\.test \(127\.0\.0\.1\)/,
    'octal.test': /not an IP address/,
  }).map(
    ([host, why]): Case => ({
      group: 'name resolving to it',
      name: host,
      url: (port) => `http://${host}:${port}/`,
      via: 'seamed',
      reason: 'blocked',
      why,
    }),
  ),
  ...Object.entries({
    literal: /127\.0\.0\.1 is .*loopback/,
    short: /127\.0\.0\.1 is .*loopback/,
    mapped: /IPv4-mapped loopback/,
    decimal: /127\.0\.0\.1 is .*loopback/,
    octal: /127\.0\.0\.1 is .*loopback/,
    hex: /127\.0\.0\.1 is .*loopback/,
    localhost: /localhost \(.*\) is not a public address: loopback/,
    'loopback-name': /intranet\.test \(127\.0\.0\.1\)/,
    'private-name': /internal\.test \(10\.0\.0\.5\)/,
    metadata: /169\.254\.169\.254 is .*metadata/,
    nat64: /NAT64 link-local/,
    cgnat: /CGNAT/,
    'via-cdn': /169\.254\.169\.254 is .*metadata/,
  }).map(
    ([target, why]): Case => ({
      group: 'redirect to it',
      name: target,
      url: `http://news.example/to/${target}`,
      via: 'seamed',
      reason: 'blocked',
      why,
    }),
  ),
  {
    group: 'redirect to it',
    name: 'file:',
    url: 'http://news.example/to/file',
    via: 'seamed',
    reason: 'scheme',
    why: /only http and https are fetched, not file:/,
  },
  {
    group: 'redirects',
    name: `${MAX_REDIRECTS + 1} redirects`,
    url: `http://news.example/hop/${MAX_REDIRECTS + 1}`,
    via: 'seamed',
    reason: 'redirects',
    why: new RegExp(`more than ${MAX_REDIRECTS} redirects`),
  },
  {
    group: 'redirects',
    name: '20 redirects',
    url: 'http://news.example/hop/20',
    via: 'seamed',
    reason: 'redirects',
    why: /more than 3 redirects/,
  },
  ...(
    [
      [
        'html',
        'page, content-length 16 MiB',
        '/html/declared',
        /content-length 16777216 is over 2097152/,
      ],
      [
        'html',
        'page, content-length 2 MiB + 1',
        '/html/one-over-declared',
        /content-length 2097153 is over 2097152/,
      ],
      ['html', 'page, no content-length', '/html/undeclared', /body over 2097152 bytes/],
      [
        'html',
        'page, 2 MiB + 1, no length',
        '/html/one-over-undeclared',
        /body over 2097152 bytes/,
      ],
      ['html', 'page, gzip bomb', '/html/gzip-bomb', /over 2097152 bytes once decompressed/],
      [
        'image',
        'image, content-length 20 MiB',
        '/image/declared',
        /content-length 20971520 is over 5242880/,
      ],
      ['image', 'image, no content-length', '/image/undeclared', /body over 5242880 bytes/],
      [
        'image',
        'image, 5 MiB + 1, no length',
        '/image/one-over-undeclared',
        /body over 5242880 bytes/,
      ],
    ] as const
  ).map(
    ([kind, name, path, why]): Case => ({
      group: 'oversized',
      name,
      url: `http://news.example${path}`,
      via: 'seamed',
      kind,
      reason: 'too-large',
      why,
    }),
  ),
  ...(
    [
      ['body dripping a byte every 50 ms', '/slow/drip'],
      ['no headers at all', '/slow/silent'],
      ['headers, then a body that stops', '/slow/headers-then-nothing'],
    ] as const
  ).map(
    ([name, path]): Case => ({
      group: 'slow',
      name,
      url: `http://news.example${path}`,
      via: 'seamed',
      timeoutMs: 400,
      reason: 'timeout',
      why: /no complete answer within 400 ms/,
    }),
  ),
  ...(
    [
      ['file:', 'file:///etc/passwd'],
      ['gopher:', 'gopher://127.0.0.1:PORT/_GET%20/'],
      ['ftp:', 'ftp://ftp.example.org/'],
      ['data:', 'data:text/html,<title>x</title>'],
      ['javascript:', 'javascript:alert(1)'],
      ['not a URL', 'http://[::1'],
    ] as const
  ).map(
    ([name, url]): Case => ({
      group: 'scheme',
      name,
      url: (port) => url.replace('PORT', String(port)),
      reason: 'scheme',
      why: /only http and https are fetched|not a URL/,
    }),
  ),
];

type Row = { group: string; name: string; reason: string; message: string };
const table: Row[] = [];

async function refusal(
  promise: Promise<unknown>,
): Promise<{ reason: Reason; message: string } | 'fetched'> {
  try {
    await promise;
    return 'fetched';
  } catch (error) {
    if (error instanceof PreviewFetchError) return { reason: error.reason, message: error.message };
    throw error;
  }
}

function printTable(rows: Row[]): void {
  const widths = {
    group: Math.max(5, ...rows.map((r) => r.group.length)),
    name: Math.max(4, ...rows.map((r) => r.name.length)),
    reason: Math.max(10, ...rows.map((r) => r.reason.length)),
  };
  const line = (r: Row) =>
    `| ${r.group.padEnd(widths.group)} | ${r.name.padEnd(widths.name)} | ${r.reason.padEnd(widths.reason)} | ${r.message}`;
  const header = line({ group: 'range', name: 'case', reason: 'refused as', message: 'why' });
  console.log(['', 'SSRF matrix', header, ...rows.map(line)].join('\n'));
}

afterAll(() => {
  if (table.length > 0) printTable(table);
});

describe('the preview fetcher refuses', () => {
  it.each(CASES.map((c) => [`${c.group}: ${c.name}, as ${c.reason}`, c] as const))(
    '%s',
    async (_title, testCase) => {
      const fetcher = testCase.via === 'seamed' ? seamed : plain;
      const connectionsBefore = internal.connections;
      dialled.length = 0;
      const url = typeof testCase.url === 'string' ? testCase.url : testCase.url(internal.port);
      const outcome = await refusal(
        fetcher(url, {
          maxBytes: testCase.kind === 'image' ? MAX_IMAGE_BYTES : MAX_HTML_BYTES,
          timeoutMs: testCase.timeoutMs ?? 5_000,
        }),
      );
      expect(outcome, url).not.toBe('fetched');
      if (outcome === 'fetched') return;
      table.push({ group: testCase.group, name: testCase.name, ...outcome });
      expect(outcome.reason, outcome.message).toBe(testCase.reason);
      expect(outcome.message).toMatch(testCase.why);
      // Whatever the route, the internal service was never reached, and the seam only
      // ever dialled the address the public-looking names resolve to.
      expect(internal.connections).toBe(connectionsBefore);
      expect(dialled.filter((address) => address !== PUBLIC_ADDRESS)).toEqual([]);
    },
  );

  it('hangs up on an oversized body instead of reading it to the end', async () => {
    const huge = ['/html/declared', '/html/undeclared', '/image/declared', '/image/undeclared'];
    await vi.waitFor(() => expect(cutShort.map((c) => c.path).sort()).toEqual(huge.sort()));
    for (const { path, written, total } of cutShort) {
      expect(written, path).toBeLessThan(total);
    }
  });
});

describe('the size caps', () => {
  it('are not off by one: a page of exactly 2 MiB and an image of exactly 5 MiB are fetched', async () => {
    const page = await seamed('http://news.example/html/at-cap', {
      maxBytes: MAX_HTML_BYTES,
      timeoutMs: 10_000,
    });
    expect(page.body.length).toBe(MAX_HTML_BYTES);
    const image = await seamed('http://news.example/image/at-cap', {
      maxBytes: MAX_IMAGE_BYTES,
      timeoutMs: 10_000,
    });
    expect(image.body.length).toBe(MAX_IMAGE_BYTES);
  });
});

/** Blocked IPv4 ranges, written here apart from shared/preview/ip.ts. */
const BLOCKED_V4: readonly [base: number, prefix: number, why: RegExp][] = [
  [0x7f000000, 8, /loopback/],
  [0x0a000000, 8, /private/],
  [0xac100000, 12, /private/],
  [0xc0a80000, 16, /private/],
  [0xa9fe0000, 16, /link-local/],
  [0x64400000, 10, /CGNAT/],
  [0x00000000, 8, /this network/],
  [0xe0000000, 4, /multicast/],
  [0xf0000000, 4, /reserved|broadcast/],
];

const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

const part = (value: number, radix: 'dec' | 'hex' | 'oct') =>
  radix === 'hex'
    ? `0x${value.toString(16)}`
    : radix === 'oct'
      ? `0${value.toString(8)}`
      : `${value}`;

/** Every spelling the WHATWG URL parser reads as an IPv4 address, and the IPv6 forms that carry one. */
const spellings = (n: number) => {
  const [a = 0, b = 0, c = 0, d = 0] = dotted(n);
  const radix = fc.constantFrom('dec' as const, 'hex' as const, 'oct' as const);
  const hex4 = (x: number) => x.toString(16);
  return fc.oneof(
    fc.constant(`${a}.${b}.${c}.${d}`),
    radix.map((r) => part(n, r)),
    fc
      .tuple(radix, radix, radix, radix)
      .map(([w, x, y, z]) => [part(a, w), part(b, x), part(c, y), part(d, z)].join('.')),
    fc
      .tuple(radix, radix, radix)
      .map(([w, x, y]) => `${part(a, w)}.${part(b, x)}.${part((c << 8) | d, y)}`),
    fc.tuple(radix, radix).map(([w, x]) => `${part(a, w)}.${part(n & 0xffffff, x)}`),
    fc.constant(`[::ffff:${a}.${b}.${c}.${d}]`),
    fc.constant(`[::FFFF:${hex4(n >>> 16)}:${hex4(n & 0xffff)}]`),
    fc.constant(`[0:0:0:0:0:ffff:${hex4(n >>> 16)}:${hex4(n & 0xffff)}]`),
    fc.constant(`[64:ff9b::${hex4(n >>> 16)}:${hex4(n & 0xffff)}]`),
    fc.constant(`[64:ff9b::${a}.${b}.${c}.${d}]`),
  );
};

describe('any spelling of a blocked address', () => {
  it(
    'is refused before any lookup or connection, naming its range',
    async () => {
      const fetch = createSafeFetch({
        resolve: async (host) => {
          throw new Error(`a literal must not be resolved: ${host}`);
        },
      });
      try {
        const address = fc
          .tuple(fc.constantFrom(...BLOCKED_V4), fc.integer({ min: 0, max: 0xffffffff }))
          .map(([[base, prefix, why], bits]) => {
            const host = prefix === 32 ? 0 : bits >>> prefix;
            return { n: (base | host) >>> 0, why };
          })
          .chain(({ n, why }) => spellings(n).map((spelling) => ({ spelling, why })));
        await checkProperty(
          fc.asyncProperty(
            address,
            fc.constantFrom('', ':80', ':8080'),
            async ({ spelling, why }, port) => {
              const url = `http://${spelling}${port}/x`;
              const outcome = await refusal(fetch(url, { maxBytes: 1024, timeoutMs: 2_000 }));
              expect(outcome, url).not.toBe('fetched');
              if (outcome === 'fetched') return;
              expect(outcome.reason, `${url}: ${outcome.message}`).toBe('blocked');
              expect(outcome.message, url).toMatch(why);
            },
          ),
          300,
        );
        expect(internal.connections).toBe(0);
      } finally {
        await fetch.close();
      }
    },
    fuzzTimeout(60_000),
  );

  it(
    'is refused when a name resolves to it, whatever else the name resolves to',
    async () => {
      const v6Blocked = fc.oneof(
        fc.constant('::1'),
        fc.integer({ min: 0, max: 0xffff }).map((x) => `fe80::${x.toString(16)}`),
        fc.integer({ min: 0, max: 0xffff }).map((x) => `fd00:${x.toString(16)}::1`),
        fc.integer({ min: 0, max: 0xffff }).map((x) => `ff0e::${x.toString(16)}`),
      );
      const v4Blocked = fc
        .tuple(fc.constantFrom(...BLOCKED_V4), fc.integer({ min: 0, max: 0xffffffff }))
        .map(([[base, prefix], bits]) => dotted((base | (bits >>> prefix)) >>> 0).join('.'));
      const answers = fc
        .tuple(
          fc.array(fc.constantFrom(PUBLIC_ADDRESS, '2606:4700::1111'), { maxLength: 3 }),
          fc.oneof(v4Blocked, v6Blocked),
          fc.nat(),
        )
        .map(([publics, bad, at]) => {
          const list: string[] = [...publics];
          list.splice(at % (list.length + 1), 0, bad);
          return list;
        });
      let connected = 0;
      await checkProperty(
        fc.asyncProperty(answers, async (addresses) => {
          const fetch = createSafeFetch({
            resolve: async () => addresses,
            connectTo: () => {
              connected++;
              return { host: '127.0.0.1', port: web.port };
            },
          });
          try {
            const outcome = await refusal(
              fetch('http://rebinding.test/', { maxBytes: 1024, timeoutMs: 2_000 }),
            );
            expect(outcome).not.toBe('fetched');
            if (outcome !== 'fetched') expect(outcome.reason, outcome.message).toBe('blocked');
          } finally {
            await fetch.close();
          }
        }),
        100,
      );
      expect(connected).toBe(0);
    },
    fuzzTimeout(60_000),
  );
});
