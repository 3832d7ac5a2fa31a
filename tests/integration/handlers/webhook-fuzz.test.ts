/**
 * Fuzzes every webhook route shared/resources.ts defines, on the local stack: random and
 * mutated bodies, mangled headers, forged signatures and sizes around the 256 KiB cap.
 * Never a 5xx; a refused request writes nothing (table and compose queue unchanged); a
 * valid one is a 202 and its article is stored, except a withdrawal of an article Crier
 * never had, a 202 that changes nothing. A route whose signature scheme this file
 * does not know yet is reported as skipped, with the reason.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { MAX_WEBHOOK_BYTES } from '../../../shared/ingest/generic';
import { MAX_GHOST_WEBHOOK_BYTES } from '../../../shared/ingest/ghost';
import {
  SIGNATURE_TOLERANCE_SECONDS,
  signStandardWebhook,
} from '../../../shared/ingest/standard-webhooks';
import { FUNCTIONS, type FunctionDefinition } from '../../../shared/resources';
import { genericArticle } from '../../support/arbitraries';
import { checkProperty, fuzzTimeout } from '../../support/fuzz';
import { type RawResponse, rawRequest } from '../../support/raw-http';
import { startTestStack, type TestStack } from '../../support/stack';

type Header = [string, string];
type Secrets = TestStack['secrets'];

/** How a CMS signs a delivery for one route, and what a valid delivery looks like there. */
type Scheme = {
  name: string;
  secret: (secrets: Secrets) => string;
  /** the headers that carry the signature (each one's loss must be refused) */
  signatureHeaders: readonly string[];
  sign: (secret: string, body: Buffer, at: { seconds: number; deliveryId: string }) => Header[];
  /** deliveries that must be refused: other keys, cut or stale signatures */
  forgeries: fc.Arbitrary<Forgery>;
  /** bodies this route must take, each a new article */
  valid: fc.Arbitrary<{ body: Buffer; title?: string }>;
  /** the route's sample payload, to mutate */
  sample: () => Record<string, unknown>;
  /** the largest body the route takes: 256 KiB; Ghost, which always sends the whole post, 1 MiB */
  maxBytes: number;
  /**
   * Whether a body the route accepts withdraws its article rather than publishing it: a
   * withdrawal of an article Crier never had is taken (202) and changes nothing.
   */
  withdraws: (payload: unknown) => boolean;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The generic article's `status`: anything but `published` (the default) withdraws. */
const genericWithdraws = (payload: unknown) =>
  isObject(payload) && payload.status !== undefined && payload.status !== 'published';

type Forgery = {
  name: string;
  headers: (secret: string, body: Buffer, nowSeconds: number) => Header[];
};

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`tests/fixtures/webhooks/${name}`, 'utf8'));

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const standardSign = (
  secret: string,
  body: Buffer,
  at: { seconds: number; deliveryId: string },
): Header[] => [
  ['content-type', 'application/json'],
  ['webhook-id', at.deliveryId],
  ['webhook-timestamp', String(at.seconds)],
  ['webhook-signature', signStandardWebhook(secret, at.deliveryId, at.seconds, body)],
];

const otherKey = () => `whsec_${randomBytes(32).toString('base64')}`;
const outside = fc.integer({ min: SIGNATURE_TOLERANCE_SECONDS + 10, max: 10 ** 8 });

/** Standard Webhooks forgeries: each is refused whatever the body. */
const standardForgeries: fc.Arbitrary<Forgery> = fc.oneof(
  fc.constant<Forgery>({
    name: 'signed with another key',
    headers: (_s, body, now) => standardSign(otherKey(), body, at(now)),
  }),
  fc.constant<Forgery>({
    name: 'signature of another body',
    headers: (s, body, now) => {
      const id = deliveryId();
      return withHeader(standardSign(s, body, at(now, id)), 'webhook-signature', () =>
        signStandardWebhook(s, id, now, Buffer.concat([body, Buffer.from(' ')])),
      );
    },
  }),
  fc.constant<Forgery>({
    name: 'signature of another delivery id',
    headers: (s, body, now) =>
      withHeader(standardSign(s, body, at(now)), 'webhook-signature', () =>
        signStandardWebhook(s, deliveryId(), now, body),
      ),
  }),
  // 45 at most: cutting only the final `=` leaves the same bytes.
  fc.integer({ min: 3, max: 45 }).map(
    (keep): Forgery => ({
      name: `signature cut to ${keep} characters`,
      headers: (s, body, now) =>
        withHeader(standardSign(s, body, at(now)), 'webhook-signature', (v) => v.slice(0, keep)),
    }),
  ),
  fc.nat(31).map(
    (bit): Forgery => ({
      name: `signature with bit ${bit} flipped`,
      headers: (s, body, now) =>
        withHeader(standardSign(s, body, at(now)), 'webhook-signature', (v) => {
          const mac = Buffer.from(v.slice(3), 'base64');
          mac[bit >> 3] = (mac[bit >> 3] ?? 0) ^ (1 << (bit & 7));
          return `v1,${mac.toString('base64')}`;
        }),
    }),
  ),
  fc.constantFrom('v2', 'V1', 'v1a', 'v0', '', 'v1 ').map(
    (version): Forgery => ({
      name: `signature version "${version}"`,
      headers: (s, body, now) =>
        withHeader(standardSign(s, body, at(now)), 'webhook-signature', (v) =>
          v.replace(/^v1/, version),
        ),
    }),
  ),
  fc.tuple(outside, fc.boolean()).map(
    ([offset, stale]): Forgery => ({
      name: `${stale ? 'stale' : 'future'} by ${offset} s, correctly signed`,
      headers: (s, body, now) => standardSign(s, body, at(stale ? now - offset : now + offset)),
    }),
  ),
  fc
    .constantFrom(
      (now: number) => now * 1000,
      (now: number) => -now,
      (now: number) => `${now}.0`,
      (now: number) => `${now}s`,
      (now: number) => ` ${now} ${now}`,
      (now: number) => `0x${now.toString(16)}`,
      (now: number) => new Date(now * 1000).toISOString(),
    )
    .map(
      (spell): Forgery => ({
        name: 'a timestamp that is not Unix seconds, signed as sent',
        headers: (s, body, now) => {
          const id = deliveryId();
          const timestamp = String(spell(now));
          const mac = createHmac('sha256', Buffer.from(s.slice(6), 'base64'))
            .update(`${id}.${timestamp}.`)
            .update(body)
            .digest('base64');
          return [
            ['content-type', 'application/json'],
            ['webhook-id', id],
            ['webhook-timestamp', timestamp],
            ['webhook-signature', `v1,${mac}`],
          ];
        },
      }),
    ),
  fc.constantFrom('', 'v1,', 'v1', ',', 'v1,AAAA', 'v1,!!!!', ' '.repeat(40)).map(
    (value): Forgery => ({
      name: `signature "${value}"`,
      headers: (s, body, now) =>
        withHeader(standardSign(s, body, at(now)), 'webhook-signature', () => value),
    }),
  ),
);

const ghostSign = (secret: string, body: Buffer, at: { seconds: number }): Header[] => {
  const t = at.seconds * 1000;
  const mac = createHmac('sha256', secret).update(body).update(String(t)).digest('hex');
  return [
    ['content-type', 'application/json'],
    ['x-ghost-signature', `sha256=${mac}, t=${t}`],
  ];
};

/** Ghost's forgeries (docs/architecture.md: `sha256=<hex HMAC of body + t>, t=<ms>`). */
const ghostForgeries: fc.Arbitrary<Forgery> = fc.oneof(
  fc.constant<Forgery>({
    name: 'signed with another key',
    headers: (_s, body, now) => ghostSign(randomBytes(32).toString('hex'), body, { seconds: now }),
  }),
  fc.tuple(outside, fc.boolean()).map(
    ([offset, stale]): Forgery => ({
      name: `${stale ? 'stale' : 'future'} by ${offset} s, correctly signed`,
      headers: (s, body, now) =>
        ghostSign(s, body, { seconds: stale ? now - offset : now + offset }),
    }),
  ),
  fc.integer({ min: 7, max: 70 }).map(
    (keep): Forgery => ({
      name: `signature cut to ${keep} characters`,
      headers: (s, body, now) =>
        withHeader(ghostSign(s, body, { seconds: now }), 'x-ghost-signature', (v) =>
          v.replace(/sha256=([0-9a-f]+)/, (_m, hex: string) => `sha256=${hex.slice(0, keep - 7)}`),
        ),
    }),
  ),
  fc.constant<Forgery>({
    name: 'no t=',
    headers: (s, body, now) =>
      withHeader(ghostSign(s, body, { seconds: now }), 'x-ghost-signature', (v) =>
        v.replace(/, t=\d+/, ''),
      ),
  }),
);

const GENERIC: Scheme = {
  maxBytes: MAX_WEBHOOK_BYTES,
  name: 'Standard Webhooks, generic article',
  secret: (secrets) => secrets.webhookSecret.value,
  signatureHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  sign: standardSign,
  forgeries: standardForgeries,
  valid: genericArticle.map((article) => ({
    body: json({ ...article, id: `fuzz-${randomUUID()}` }),
    title: parseGenericArticle(article).title,
  })),
  sample: () => fixture('generic-article.json'),
  withdraws: genericWithdraws,
};

const WORDPRESS: Scheme = {
  maxBytes: MAX_WEBHOOK_BYTES,
  name: 'Standard Webhooks, WordPress REST post',
  secret: (secrets) => secrets.webhookSecret.value,
  signatureHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  sign: standardSign,
  forgeries: standardForgeries,
  valid: fc
    .integer({ min: 1, max: 2 ** 31 })
    .map((id) => ({ body: json({ ...fixture('wordpress-post.json'), id }) })),
  sample: () => fixture('wordpress-post.json'),
  // every status but `publish` (trash, draft, pending, a status of a plugin's) withdraws
  withdraws: (payload) => isObject(payload) && payload.status !== 'publish',
};

const GHOST: Scheme = {
  maxBytes: MAX_GHOST_WEBHOOK_BYTES,
  name: 'Ghost (X-Ghost-Signature)',
  secret: (secrets) => secrets.ghostSecret.value,
  signatureHeaders: ['x-ghost-signature'],
  sign: ghostSign,
  forgeries: ghostForgeries,
  valid: fc.uint8Array({ minLength: 12, maxLength: 12 }).map((bytes) => {
    const sample = fixture('ghost-post-published.json') as { post: { current: object } };
    const id = Buffer.from(bytes).toString('hex');
    return { body: json({ post: { ...sample.post, current: { ...sample.post.current, id } } }) };
  }),
  sample: () => fixture('ghost-post-published.json'),
  // an empty `current` is a deletion; any status but `published` unpublishes
  withdraws: (payload) => {
    const current = isObject(payload) && isObject(payload.post) ? payload.post.current : undefined;
    return (
      !isObject(current) || Object.keys(current).length === 0 || current.status !== 'published'
    );
  },
};

/** A site's own endpoint: the same scheme, under that site's key. */
const perSite = (scheme: Scheme): Scheme => ({ ...scheme, name: `${scheme.name}, one site's key` });

/** Each route's scheme, by path. A route not listed here is skipped with a note. */
const SCHEMES: Record<string, Scheme> = {
  '/webhooks/generic': GENERIC,
  '/webhooks/wordpress': WORDPRESS,
  '/webhooks/ghost': GHOST,
  // Posted as the default site (fuzzSite), whose keys are the deployment's until it has its own.
  '/webhooks/generic/{siteId}': perSite(GENERIC),
  '/webhooks/wordpress/{siteId}': perSite(WORDPRESS),
  '/webhooks/ghost/{siteId}': perSite(GHOST),
};

function deliveryId(): string {
  return `msg_${randomUUID()}`;
}

function at(seconds: number, id = deliveryId()) {
  return { seconds, deliveryId: id };
}

function withHeader(headers: Header[], name: string, change: (value: string) => string): Header[] {
  return headers.map(([n, v]): Header => (n === name ? [n, change(v)] : [n, v]));
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const definitions: [string, FunctionDefinition][] = Object.entries(FUNCTIONS);

/** `POST /webhooks/...` routes and the function behind each. */
const WEBHOOK_ROUTES = definitions.flatMap(([name, definition]) =>
  (definition.routes ?? [])
    .filter((route) => / \/webhooks\//.test(route))
    .map((route) => ({ name, definition, route, path: route.split(' ')[1] ?? '' })),
);

let stack: TestStack;

beforeAll(async () => {
  // The webhook functions and nothing to consume what they queue: the queue's depth tells.
  stack = await startTestStack({
    sandboxes: false,
    functions: Object.fromEntries(WEBHOOK_ROUTES.map(({ name, definition }) => [name, definition])),
  });
});

afterAll(async () => {
  await stack?.dispose();
});

type Snapshot = { items: Record<string, unknown>[]; depth: number };

async function snapshot(): Promise<Snapshot> {
  return { items: await stack.items(), depth: await stack.queueDepth('compose') };
}

/** What every answer must be: no 5xx, and a refusal changes nothing. */
async function expectSafe(
  path: string,
  label: string,
  before: Snapshot,
  response: RawResponse,
  body?: Buffer,
): Promise<void> {
  expect(response.status, `${label}: ${response.body}`).toBeLessThan(500);
  expect([202, 400, 401, 413], `${label}: ${response.body}`).toContain(response.status);
  if (response.status === 202) {
    if (body && SCHEMES[path]?.withdraws(JSON.parse(body.toString('utf8')))) {
      // A withdrawal is stored only where the article was: one Crier never had stays unknown.
      // (Its delivery is remembered, as every accepted one is, so a redelivery is known.)
      if (!(await storedArticle(response))) {
        await expectUnchanged(label, path, before, (item) => !String(item.PK).startsWith('WH#'));
      }
      return;
    }
    await expectStored(response);
    return;
  }
  expect(typeof JSON.parse(response.body), `${label}: ${response.body}`).toBe('object');
  await expectUnchanged(label, path, before);
}

async function expectUnchanged(
  label: string,
  path: string,
  before: Snapshot,
  counted: (item: Record<string, unknown>) => boolean = () => true,
): Promise<void> {
  const after = await snapshot();
  expect(after.depth, `${label}: queued something`).toBe(before.depth);
  expect(after.items.filter(counted), `${label}: wrote to the table (${path})`).toEqual(
    before.items.filter(counted),
  );
}

async function storedArticle(response: RawResponse) {
  const { articleId } = JSON.parse(response.body) as { articleId: string };
  expect(articleId).toMatch(/^[0-9a-f]{32}$/);
  const { Item } = await stack.db.send(
    new GetCommand({ TableName: stack.tableName, Key: { PK: `ART#${articleId}`, SK: 'A' } }),
  );
  return Item;
}

async function expectStored(response: RawResponse, title?: string): Promise<string> {
  const { articleId } = JSON.parse(response.body) as { articleId: string };
  const Item = await storedArticle(response);
  expect(Item, `article ${articleId} is stored`).toBeDefined();
  if (title !== undefined) expect(Item?.article).toMatchObject({ title });
  return articleId;
}

/** The site the per-site webhook is fuzzed as. */
const fuzzSite = 'default';

function post(path: string, headers: Header[], body: Buffer): Promise<RawResponse> {
  return rawRequest(stack.url, 'POST', path.replace('{siteId}', fuzzSite), headers, body);
}

/** Every path in a JSON value, to a depth of three. */
function pathsOf(value: unknown, prefix: string[] = [], depth = 0): string[][] {
  if (depth >= 3 || typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((key) => [
    [...prefix, key],
    ...pathsOf((value as Record<string, unknown>)[key], [...prefix, key], depth + 1),
  ]);
}

function setPath(value: unknown, path: string[], replacement: unknown | typeof DELETE): unknown {
  if (path.length === 0) return replacement;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = Array.isArray(value)
    ? ({ ...value } as Record<string, unknown>)
    : { ...(value as Record<string, unknown>) };
  const [key = '', ...rest] = path;
  if (rest.length === 0 && replacement === DELETE) delete copy[key];
  else copy[key] = setPath(copy[key], rest, replacement);
  return Array.isArray(value) ? Object.values(copy) : copy;
}

const DELETE = Symbol('delete');

const INVALID_UTF8 = [
  [0xff],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
];

const deep = (depth: number, open: string, leaf: string, close: string) =>
  `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

/** Bodies a CMS, a proxy or an attacker might send, each signed as it is sent. */
/** A body and what it is; a counterexample prints as a summary, not as every byte. */
type Sent = { kind: string; body: Buffer; [fc.toStringMethod]: () => string };

function sent(kind: string, body: Buffer): Sent {
  const head = body.subarray(0, 120).toString('utf8');
  return {
    kind,
    body,
    [fc.toStringMethod]: () =>
      `${kind}: ${body.length} bytes, ${JSON.stringify(head)}${body.length > 120 ? '…' : ''}`,
  };
}

function corruptedBodies(sample: Record<string, unknown>): fc.Arbitrary<Sent> {
  const text = JSON.stringify(sample);
  const bytes = Buffer.from(text);
  const paths = pathsOf(sample);
  const position = fc.nat(bytes.length);
  const named = <T>(name: string, arb: fc.Arbitrary<T>, make: (value: T) => Buffer | string) =>
    arb.map((value) => sent(name, Buffer.from(make(value))));
  return fc.oneof(
    named('random JSON', fc.jsonValue(), (value) => JSON.stringify(value) ?? 'null'),
    named('random bytes', fc.uint8Array({ maxLength: 4096 }), (value) => Buffer.from(value)),
    named('a random string', fc.string({ unit: 'binary', maxLength: 500 }), (value) => value),
    named(
      'the sample, a field changed',
      fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.jsonValue(), fc.constant(DELETE))),
      ([path, value]) => JSON.stringify(setPath(sample, path, value)),
    ),
    named(
      'the sample, a field a huge string',
      fc.tuple(fc.constantFrom(...paths), fc.integer({ min: 1_000, max: 400_000 })),
      ([path, size]) => JSON.stringify(setPath(sample, path, 'é'.repeat(size / 2))),
    ),
    named(
      'the sample, a field deeply nested',
      fc.tuple(
        fc.constantFrom(...paths),
        fc.integer({ min: 10, max: 50_000 }),
        fc.constantFrom(['[', '1', ']'] as const, ['{"a":', '1', '}'] as const),
      ),
      ([path, depth, [open, leaf, close]]) =>
        JSON.stringify(setPath(sample, path, '\u0000HOLE')).replace(
          '"\\u0000HOLE"',
          deep(depth, open, leaf, close),
        ),
    ),
    named(
      'a deeply nested document, closed or not',
      fc.tuple(fc.integer({ min: 1_000, max: 120_000 }), fc.boolean()),
      ([depth, closed]) => (closed ? deep(depth, '[', '', ']') : '['.repeat(depth)),
    ),
    named(
      'a large body that is not JSON',
      fc.tuple(
        fc.integer({ min: 10_000, max: 300_000 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
      ),
      ([size, unit]) => Buffer.alloc(size, Buffer.from(unit)),
    ),
    named(
      'the sample with invalid UTF-8',
      fc.array(fc.tuple(position, fc.constantFrom(...INVALID_UTF8)), {
        minLength: 1,
        maxLength: 5,
      }),
      (edits) => {
        let out = bytes;
        for (const [position, bad] of edits) {
          out = Buffer.concat([
            out.subarray(0, position),
            Buffer.from(bad),
            out.subarray(position),
          ]);
        }
        return out;
      },
    ),
    named(
      'the sample in another encoding',
      fc.constantFrom('utf16le', 'utf16le+bom', 'utf16be', 'latin1', 'gzip', 'base64', 'utf8+bom'),
      (encoding) => {
        switch (encoding) {
          case 'utf16le':
            return Buffer.from(text, 'utf16le');
          case 'utf16le+bom':
            return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
          case 'utf16be':
            return Buffer.from(text, 'utf16le').swap16();
          case 'latin1':
            return Buffer.from(text, 'latin1');
          case 'gzip':
            return gzipSync(bytes);
          case 'base64':
            return bytes.toString('base64');
          default:
            return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
        }
      },
    ),
    named(
      'the sample cut short or with more after it',
      fc.tuple(position, fc.constantFrom('', ' garbage', text, ',{}', '\u0000')),
      ([cut, more]) => Buffer.concat([bytes.subarray(0, cut), Buffer.from(more)]),
    ),
    named(
      'a JSON value that is not an object',
      fc.constantFrom('', 'null', '[]', '""', '0', 'true', '[{}]', '{}', '{"id":null}'),
      (value) => value,
    ),
  );
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const headerValue = fc
  .string({ unit: 'binary-ascii', maxLength: 200 })
  .filter((v) => HEADER_VALUE.test(v));

/**
 * `keeps`: whether the delivery is still valid; `either` where a repeated signature
 * header still carries the right signature (Standard Webhooks reads the first `v1,`
 * value of each space-separated entry, as its reference library does).
 */
type HeaderMutation = {
  name: string;
  keeps: boolean | 'either';
  apply: (headers: Header[]) => Header[];
};

function headerMutations(scheme: Scheme): fc.Arbitrary<HeaderMutation> {
  const signing = fc.constantFrom(...scheme.signatureHeaders);
  return fc.oneof(
    signing.map(
      (name): HeaderMutation => ({
        name: `without ${name}`,
        keeps: false,
        apply: (headers) => headers.filter(([n]) => n !== name),
      }),
    ),
    signing.map(
      (name): HeaderMutation => ({
        name: `${name} sent twice`,
        keeps: name === 'webhook-signature' || name === 'x-ghost-signature' ? 'either' : false,
        apply: (headers) => headers.flatMap((h): Header[] => (h[0] === name ? [h, h] : [h])),
      }),
    ),
    fc.tuple(signing, headerValue).map(
      ([name, value]): HeaderMutation => ({
        name: `${name} sent again with garbage`,
        keeps: name === 'webhook-signature' || name === 'x-ghost-signature' ? 'either' : false,
        apply: (headers) =>
          headers.flatMap((h): Header[] => (h[0] === name ? [h, [name, value]] : [h])),
      }),
    ),
    fc.tuple(signing, headerValue).map(
      ([name, value]): HeaderMutation => ({
        name: `${name} replaced by garbage`,
        keeps: false,
        apply: (headers) => withHeader(headers, name, () => value),
      }),
    ),
    fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }).map(
      (upper): HeaderMutation => ({
        name: 'header names in mixed case',
        keeps: true,
        apply: (headers) =>
          headers.map(
            ([n, v]): Header => [
              [...n].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''),
              v,
            ],
          ),
      }),
    ),
    fc
      .array(
        fc.tuple(
          fc.string({ minLength: 1, maxLength: 30 }).filter((n) => HEADER_NAME.test(n)),
          headerValue,
        ),
        { minLength: 1, maxLength: 20 },
      )
      .map(
        (extra): HeaderMutation => ({
          name: 'more headers of no meaning',
          keeps: true,
          apply: (headers) => [
            ...headers,
            ...extra
              .filter(
                ([n]) =>
                  !/^(host|content-length|content-type|transfer-encoding|expect|connection|webhook-.*|x-ghost-.*)$/i.test(
                    n,
                  ),
              )
              .map(([n, v]): Header => [`x-fuzz-${n}`, v]),
          ],
        }),
      ),
    fc.constantFrom(' ', '\t', '  \t').map(
      (space): HeaderMutation => ({
        name: 'signature headers padded with whitespace',
        keeps: true,
        apply: (headers) =>
          headers.map(
            ([n, v]): Header =>
              scheme.signatureHeaders.includes(n) ? [n, `${space}${v}${space}`] : [n, v],
          ),
      }),
    ),
    fc
      .constantFrom('text/plain', 'application/octet-stream', 'application/json; charset=utf-8', '')
      .map(
        (type): HeaderMutation => ({
          name: `content-type "${type}"`,
          keeps: true,
          apply: (headers) =>
            withHeader(headers, 'content-type', () => type).filter(
              ([n, v]) => n !== 'content-type' || v !== '',
            ),
        }),
      ),
  );
}

/** The article body padded with JSON whitespace to exactly `size` bytes. */
function padded(body: Buffer, size: number): Buffer {
  const text = body.toString('utf8');
  const at = text.lastIndexOf('}');
  const pad = size - body.length;
  if (pad < 0 || at < 0) throw new Error(`cannot pad ${body.length} bytes to ${size}`);
  return Buffer.from(`${text.slice(0, at)}${' '.repeat(pad)}${text.slice(at)}`);
}

describe.each(WEBHOOK_ROUTES.map(({ route, path }) => [route, path] as const))(
  '%s',
  (_route, path) => {
    const scheme = SCHEMES[path];
    const whenKnown = (
      title: string,
      run: (scheme: Scheme, secret: string) => Promise<void>,
      timeout = fuzzTimeout(180_000),
    ) =>
      it(
        title,
        async (context) => {
          if (!scheme) {
            context.skip(
              `no signature scheme for ${path} in this file yet: add it to SCHEMES to fuzz it`,
            );
            return;
          }
          await run(scheme, scheme.secret(stack.secrets));
        },
        timeout,
      );

    whenKnown(
      'answers any body, correctly signed, without a 5xx, and a refusal writes nothing',
      async (s, secret) => {
        await checkProperty(
          fc.asyncProperty(corruptedBodies(s.sample()), async ({ kind, body }) => {
            const before = await snapshot();
            const response = await post(path, s.sign(secret, body, at(nowSeconds())), body);
            await expectSafe(path, kind, before, response, body);
            if (body.length > s.maxBytes) expect(response.status, kind).toBe(413);
          }),
          100,
        );
      },
    );

    whenKnown('refuses forged, cut and stale signatures with a 401', async (s, secret) => {
      await checkProperty(
        fc.asyncProperty(s.valid, s.forgeries, async ({ body }, forgery) => {
          const before = await snapshot();
          const response = await post(path, forgery.headers(secret, body, nowSeconds()), body);
          await expectSafe(path, forgery.name, before, response);
          expect(response.status, `${forgery.name}: ${response.body}`).toBe(401);
        }),
        80,
      );
    });

    whenKnown(
      'refuses a delivery whose signing headers are missing, repeated or garbled',
      async (s, secret) => {
        await checkProperty(
          fc.asyncProperty(s.valid, headerMutations(s), async ({ body }, mutation) => {
            const before = await snapshot();
            const headers = mutation.apply(s.sign(secret, body, at(nowSeconds())));
            const response = await post(path, headers, body);
            await expectSafe(path, mutation.name, before, response);
            const expected = { true: [202], false: [401], either: [202, 401] }[
              String(mutation.keeps) as 'true' | 'false' | 'either'
            ];
            expect(expected, `${mutation.name}: ${response.body}`).toContain(response.status);
          }),
          60,
        );
      },
    );

    whenKnown(
      'takes its cap (256 KiB, Ghost 1 MiB) and refuses a byte more, signed or not',
      async (s, secret) => {
        await checkProperty(
          fc.asyncProperty(
            s.valid,
            fc.integer({ min: -2048, max: 2048 }),
            fc.boolean(),
            async ({ body }, offset, signed) => {
              const size = s.maxBytes + offset;
              const sized = padded(body, size);
              expect(sized.length).toBe(size);
              const before = await snapshot();
              const headers = signed
                ? s.sign(secret, sized, at(nowSeconds()))
                : [['content-type', 'application/json'] as Header];
              const response = await post(path, headers, sized);
              await expectSafe(path, `${size} bytes`, before, response);
              const expected = size > s.maxBytes ? 413 : signed ? 202 : 401;
              expect(response.status, `${size} bytes, ${signed ? 'signed' : 'unsigned'}`).toBe(
                expected,
              );
            },
          ),
          30,
        );
        // Far over the handler's cap, within the gateway's own 10 MiB.
        for (const size of [s.maxBytes + 512 * 1024, 9 * 1024 * 1024]) {
          const before = await snapshot();
          const huge = Buffer.alloc(size, 0x20);
          const response = await post(path, s.sign(secret, huge, at(nowSeconds())), huge);
          await expectSafe(path, `${size} bytes`, before, response);
          expect(response.status).toBe(413);
        }
        // Past the gateway's 10 MiB: answered 413, and the connection may be dropped while
        // the client is still sending.
        const before = await snapshot();
        const huge = Buffer.alloc(11 * 1024 * 1024, 0x20);
        let status: number | undefined;
        try {
          status = (await post(path, s.sign(secret, huge, at(nowSeconds())), huge)).status;
        } catch {
          status = undefined;
        }
        if (status !== undefined) expect(status).toBe(413);
        expect(await snapshot()).toEqual(before);
      },
    );

    whenKnown(
      'takes a delivery signed a little early or late, and one signature among others',
      async (s, secret) => {
        const margin = SIGNATURE_TOLERANCE_SECONDS - 10;
        await checkProperty(
          fc.asyncProperty(
            s.valid,
            fc.integer({ min: -margin, max: margin }),
            fc.array(fc.base64String({ minLength: 4, maxLength: 44 }), { maxLength: 3 }),
            async ({ body }, skew, others) => {
              let headers = s.sign(secret, body, at(nowSeconds() + skew));
              if (s.signatureHeaders.includes('webhook-signature')) {
                // Rotating secrets: several space-separated signatures, one of them right.
                headers = withHeader(headers, 'webhook-signature', (v) =>
                  [...others.map((o) => `v1,${o}`), v].join(' '),
                );
              }
              const response = await post(path, headers, body);
              expect(response.status, response.body).toBe(202);
            },
          ),
          30,
        );
      },
    );

    whenKnown('takes every valid article: 202, and the article stored', async (s, secret) => {
      await checkProperty(
        fc.asyncProperty(s.valid, async ({ body, title }) => {
          const depth = await stack.queueDepth('compose');
          const response = await post(path, s.sign(secret, body, at(nowSeconds())), body);
          expect(response.status, response.body).toBe(202);
          await expectStored(response, title);
          expect(await stack.queueDepth('compose')).toBe(depth + 1);
        }),
        40,
      );
    });
  },
);
