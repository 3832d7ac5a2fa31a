/**
 * Crier's clients and the sandboxes against the networks' own machine-readable API
 * descriptions (tests/fixtures/api-descriptions/README.md says where each comes from):
 * every request a client sends in the publisher's flows names a described operation with
 * described parameters, and every answer the sandbox gives fits the described response.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../shared/domain/platform';
import { recordMastodonConnect } from '../../support/api-descriptions/connect';
import { type Flow, recordFlow, recordMediaFlow } from '../../support/api-descriptions/flows';
import { GraphDescription } from '../../support/api-descriptions/graph';
import { OpenApiDescription } from '../../support/api-descriptions/openapi';
import type { Exchange } from '../../support/api-descriptions/recorder';
import { BotApiDescription } from '../../support/api-descriptions/telegram';

const fixture = (path: string) =>
  new URL(`../../fixtures/api-descriptions/${path}`, import.meta.url);

const X_API = new OpenApiDescription(fixture('x/openapi.json'));
const MASTODON_API = new OpenApiDescription(fixture('mastodon/openapi.json'));
const BOT_API = new BotApiDescription(fixture('telegram/api.json'));
const GRAPH_API = new GraphDescription(
  Object.fromEntries(
    ['Page', 'PagePost', 'IGUser', 'IGMedia', 'ShadowIGMediaBuilder'].map((n) => [
      n,
      fixture(`meta/${n}.json`),
    ]),
  ),
);

/** A recorded exchange with its request body's JSON changed. */
function withBody(exchange: Exchange, change: (body: Record<string, unknown>) => void): Exchange {
  const body = JSON.parse(exchange.requestBody.toString('utf8'));
  change(body);
  return { ...exchange, requestBody: Buffer.from(JSON.stringify(body)) };
}

/** A recorded exchange with its answer's JSON changed. */
function withAnswer(exchange: Exchange, change: (body: Record<string, unknown>) => void): Exchange {
  const body = JSON.parse(exchange.responseBody.toString('utf8'));
  change(body);
  return { ...exchange, responseBody: Buffer.from(JSON.stringify(body)) };
}

function find(flow: Flow, method: string, path: RegExp, status = 200): Exchange {
  const found = flow.exchanges.find(
    (e) => e.method === method && path.test(e.path) && e.status === status,
  );
  if (!found) throw new Error(`no ${method} ${path} ${status} in the flow`);
  return found;
}

/** A disagreement with the description that is known and explained in docs/networks.md. */
type Known = { says: string; why: string };

/** Every problem is a known one, and every known one still shows (else the list is stale). */
function expectOnlyKnown(problems: string[], known: Known[]) {
  expect(problems.filter((p) => !known.some((k) => p.includes(k.says)))).toEqual([]);
  expect(known.filter((k) => !problems.some((p) => p.includes(k.says))).map((k) => k.says)).toEqual(
    [],
  );
}

const flows = new Map<Platform, Flow>();
const flowOf = (platform: Platform) => {
  const flow = flows.get(platform);
  if (!flow) throw new Error(`no flow for ${platform}`);
  return flow;
};

let connectFlow: Flow | undefined;
const mediaFlows = new Map<Platform, Flow>();
const mediaFlowOf = (platform: Platform) => {
  const flow = mediaFlows.get(platform);
  if (!flow) throw new Error(`no media flow for ${platform}`);
  return flow;
};

beforeAll(async () => {
  for (const platform of ['x', 'mastodon', 'telegram', 'facebook', 'instagram'] as const) {
    flows.set(platform, await recordFlow(platform));
  }
  for (const platform of ['x', 'mastodon'] as const) {
    mediaFlows.set(platform, await recordMediaFlow(platform));
  }
  connectFlow = await recordMastodonConnect();
}, 120_000);

describe(`X against the X API v2 OpenAPI description (${X_API.version})`, () => {
  const operations = () =>
    flowOf('x').exchanges.map(
      (e) => `${e.method} ${X_API.locate(e.method, e.path)?.template} ${e.status}`,
    );

  it('runs the publisher flows through the described operations', () => {
    expect(flowOf('x').steps).toEqual([
      'publish: published',
      'reconcile: found',
      'reconcile later: found',
      'metrics: read',
      'thread: published, published, published',
      'reconcile a reply later: found',
      'note: published',
      'reconcile a note: found',
      'edit: rejected',
      'delete: withdrawn',
      'text too long: rejected',
      'unavailable: unknown',
      'refused token: auth',
      'rate limited: rate',
    ]);
    expect(new Set(operations())).toEqual(
      new Set([
        'GET /2/users/me 200',
        'GET /2/tweets/{id} 200',
        'POST /2/tweets 201',
        'GET /2/users/{id}/tweets 200',
        'DELETE /2/tweets/{id} 200',
        'POST /2/tweets 400',
        'POST /2/tweets 401',
        'POST /2/tweets 429',
        'POST /2/tweets 503',
      ]),
    );
  });

  it('sends requests the description takes: operation, query parameters and body', () => {
    expectOnlyKnown(
      flowOf('x').exchanges.flatMap((e) => X_API.checkRequest(e)),
      [
        {
          says: 'GET /2/users/{id}/tweets: query parameter tweet.fields is not described',
          why: 'the description renamed it post.fields; twitter-api-v2, the 2.159 description and X docs say tweet.fields',
        },
        {
          says: 'GET /2/tweets/{id}: query parameter tweet.fields is not described',
          why: 'the same renaming, on the read of a post’s counts',
        },
      ],
    );
  });

  it("gets answers that fit the description's response schemas", () => {
    expectOnlyKnown(
      flowOf('x').exchanges.flatMap((e) => X_API.checkResponse(e)),
      [
        {
          says: "/data/public_metrics must have required property 'repost_count'",
          why: 'the description names the count repost_count; X docs, twitter-api-v2 and the answers say retweet_count',
        },
        {
          says: 'POST /2/tweets 401: ',
          why: "X's gateway answers a refused token with an `about:blank` problem, which the description's Problem union leaves out",
        },
        { says: 'POST /2/tweets 429: ', why: 'the same for a rate limit' },
        {
          says: 'POST /2/tweets 503: ',
          why: "the same for a server error (the sandbox's 5xx bodies take X's usual problem shape; unconfirmed)",
        },
        {
          says: 'POST /2/tweets 400: ',
          why: 'X answers an invalid request as application/json with errors[], title, detail and an api.twitter.com problem type; the description gives application/json the {code, message} Error',
        },
      ],
    );
  });

  it('the check finds a body field, a query value and an answer field X does not have', () => {
    const post = find(flowOf('x'), 'POST', /^\/2\/tweets$/, 201);
    expect(X_API.checkRequest(withBody(post, (b) => Object.assign(b, { status: 'x' })))).toEqual([
      expect.stringContaining(
        'POST /2/tweets: request body (root) must NOT have additional properties',
      ),
    ]);
    const timeline = find(flowOf('x'), 'GET', /^\/2\/users\/\d+\/tweets$/);
    const query = new URLSearchParams(timeline.query);
    query.set('exclude', 'replies,quotes');
    expect(X_API.checkRequest({ ...timeline, query })).toContainEqual(
      expect.stringContaining(
        'query exclude=replies,quotes: /1 must be equal to one of the allowed values',
      ),
    );
    expect(
      X_API.checkResponse(withAnswer(post, (b) => Object.assign(b, { data: { text: 'no id' } }))),
    ).toEqual([expect.stringContaining("must have required property 'id'")]);
  });
});

describe(`Mastodon against the Mastodon OpenAPI description (${MASTODON_API.version})`, () => {
  it('runs the publisher flows through the described operations', () => {
    expect(flowOf('mastodon').steps).toEqual([
      'publish: published',
      'reconcile: found',
      'reconcile later: found',
      'metrics: read',
      'thread: published, published, published',
      'reconcile a reply later: found',
      'note: published',
      'reconcile a note: found',
      'edit: withdrawn',
      'delete: withdrawn',
      'text too long: rejected',
      'unavailable: unknown',
      'refused token: auth',
      'rate limited: rate',
    ]);
    const operations = flowOf('mastodon').exchanges.map(
      (e) => `${e.method} ${MASTODON_API.locate(e.method, e.path)?.template} ${e.status}`,
    );
    expect(new Set(operations)).toEqual(
      new Set([
        'GET /api/v2/instance 200',
        'POST /api/v1/statuses 200',
        'PUT /api/v1/statuses/{id} 200',
        'DELETE /api/v1/statuses/{id} 200',
        'POST /api/v1/statuses 401',
        'POST /api/v1/statuses 429',
        'POST /api/v1/statuses 503',
        'GET /api/v1/accounts/verify_credentials 200',
        'GET /api/v1/accounts/{id}/statuses 200',
        'GET /api/v1/statuses/{id}/context 200',
        'GET /api/v1/statuses/{id} 200',
      ]),
    );
  });

  it('sends requests the description takes: operation, query parameters and body', () => {
    expectOnlyKnown(
      flowOf('mastodon').exchanges.flatMap((e) => MASTODON_API.checkRequest(e)),
      [
        {
          says: 'POST /api/v1/statuses: header Idempotency-Key: (root) must be object',
          why: 'the description types the header as an object, where its own text says any string',
        },
      ],
    );
    // The described Idempotency-Key header goes with every status the client creates.
    const creates = flowOf('mastodon').exchanges.filter(
      (e) => e.method === 'POST' && e.path === '/api/v1/statuses',
    );
    expect(creates.length).toBeGreaterThan(4);
    expect(creates.filter((e) => !e.requestHeaders['idempotency-key'])).toEqual([]);
  });

  it("gets answers that fit the description's response schemas", () => {
    const card = (field: string): Known => ({
      says: `/card/${field} must match format "uri"`,
      why: 'Mastodon sends an empty string where a card has no such URL; the description says uri',
    });
    expectOnlyKnown(
      flowOf('mastodon').exchanges.flatMap((e) => MASTODON_API.checkResponse(e)),
      [
        card('author_url'),
        card('embed_url'),
        card('provider_url'),
        // The same card, read through the Status | ScheduledStatus union the answer is.
        { says: '/card must be null', why: 'the card above' },
        {
          says: '/card must match exactly one schema',
          why: 'the card above',
        },
        {
          says: "POST /api/v1/statuses 200: (root) must have required property 'params'",
          why: 'the card above',
        },
        {
          says: "POST /api/v1/statuses 200: (root) must have required property 'scheduled_at'",
          why: 'the card above',
        },
        {
          says: 'POST /api/v1/statuses 200: (root) must match exactly one schema',
          why: 'the card above',
        },
      ],
    );
  });
});

describe("Mastodon's rate-limit headers, as its description gives them", () => {
  it('come with every status created, each of its described type', () => {
    const creates = flowOf('mastodon').exchanges.filter(
      (e) => e.method === 'POST' && e.path === '/api/v1/statuses' && e.status === 200,
    );
    expect(creates.length).toBeGreaterThan(4);
    for (const answer of creates) {
      expect(Object.keys(answer.responseHeaders)).toEqual(
        expect.arrayContaining(['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']),
      );
    }
    const created = find(flowOf('mastodon'), 'POST', /^\/api\/v1\/statuses$/);
    expect(MASTODON_API.checkResponse(created)).toEqual([]);
    const wrong = {
      ...created,
      responseHeaders: { ...created.responseHeaders, 'x-ratelimit-reset': 'in an hour' },
    };
    expect(MASTODON_API.checkResponse(wrong)).toEqual([
      expect.stringContaining('header X-RateLimit-Reset: (root) must match format "date-time"'),
    ]);
  });
});

describe("the X and Mastodon sandboxes' media routes against their descriptions", () => {
  const operations = (platform: 'x' | 'mastodon', api: OpenApiDescription) =>
    mediaFlowOf(platform).exchanges.map(
      (e) => `${e.method} ${api.locate(e.method, e.path)?.template} ${e.status}`,
    );

  it('uploads an image with alt text and posts it, through described operations', () => {
    expect(mediaFlowOf('x').steps).toEqual(['posted with media: true']);
    expect(operations('x', X_API)).toEqual([
      'POST /2/media/upload/initialize 200',
      'POST /2/media/upload/{id}/append 200',
      'POST /2/media/upload/{id}/finalize 200',
      'POST /2/media/metadata 200',
      'POST /2/tweets 201',
    ]);
    expect(mediaFlowOf('mastodon').steps).toEqual(['posted with media: true']);
    expect(operations('mastodon', MASTODON_API)).toEqual([
      'POST /api/v2/media 200',
      'GET /api/v1/media/{id} 200',
      'POST /api/v1/statuses 200',
    ]);
  });

  it('sends requests, multipart ones too, that the descriptions take', () => {
    expectOnlyKnown(
      mediaFlowOf('x').exchanges.flatMap((e) => X_API.checkRequest(e)),
      [
        {
          says: 'POST /2/media/upload/{id}/finalize: a application/json body, where the description takes none',
          why: 'twitter-api-v2 sends an empty JSON object ({}) to finalize',
        },
      ],
    );
    expectOnlyKnown(
      mediaFlowOf('mastodon').exchanges.flatMap((e) => MASTODON_API.checkRequest(e)),
      [
        {
          says: 'POST /api/v1/statuses: request body (root) must match exactly one schema in oneOf',
          why: "the description's oneOf of a status with text and a status with media refuses one with both, which Mastodon takes",
        },
      ],
    );
  });

  it("gets answers that fit the descriptions' response schemas", () => {
    expect(mediaFlowOf('x').exchanges.flatMap((e) => X_API.checkResponse(e))).toEqual([]);
    expect(mediaFlowOf('mastodon').exchanges.flatMap((e) => MASTODON_API.checkResponse(e))).toEqual(
      [],
    );
  });

  it('the check reads a multipart body: a chunk without its segment_index is refused', () => {
    const append = find(mediaFlowOf('x'), 'POST', /\/append$/);
    const boundary = 'a-boundary';
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="media"; filename="blob"',
      'Content-Type: application/octet-stream',
      '',
      'abc',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const chunk = { ...append, requestType: `multipart/form-data; boundary=${boundary}` };
    expect(X_API.checkRequest({ ...chunk, requestBody: Buffer.from(body) })).toEqual([
      expect.stringContaining("must have required property 'segment_index'"),
    ]);
  });
});

describe("Mastodon's Connect (app registration, token exchange) against its description", () => {
  const flow = () => {
    if (!connectFlow) throw new Error('no connect flow');
    return connectFlow;
  };
  // The consent page is the admin's browser at the instance, not an API call.
  const api = () => flow().exchanges.filter((e) => e.path !== '/oauth/authorize');

  it('connects the channel through the described operations', () => {
    expect(flow().steps).toEqual(['connect: redirect connected']);
    expect(flow().exchanges.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'POST /api/v1/apps 200',
      'GET /oauth/authorize 200',
      'POST /oauth/authorize 302',
      'POST /oauth/token 200',
      'GET /api/v1/accounts/verify_credentials 200',
    ]);
  });

  it('sends the fields the description takes, as a form', () => {
    const form: Known = {
      says: 'a application/x-www-form-urlencoded body, where the description takes application/json',
      why: 'Crier sends forms, as OAuth 2.0 has token requests sent and Mastodon takes everywhere; the description lists JSON only (the fields are checked all the same)',
    };
    expectOnlyKnown(
      api().flatMap((e) => MASTODON_API.checkRequest(e)),
      [
        { ...form, says: `POST /api/v1/apps: ${form.says}` },
        { ...form, says: `POST /oauth/token: ${form.says}` },
      ],
    );
  });

  it("gets answers that fit the description's response schemas", () => {
    expect(api().flatMap((e) => MASTODON_API.checkResponse(e))).toEqual([]);
  });

  it("the check reads a form's fields: an app without its name is refused", () => {
    const registered = find(flow(), 'POST', /^\/api\/v1\/apps$/);
    const form = new URLSearchParams(registered.requestBody.toString('utf8'));
    form.delete('client_name');
    expect(
      MASTODON_API.checkRequest({ ...registered, requestBody: Buffer.from(form.toString()) }),
    ).toContainEqual(expect.stringContaining("must have required property 'client_name'"));
  });
});

describe(`Telegram against the Bot API description (${BOT_API.version})`, () => {
  it('runs the publisher flows through described methods', () => {
    expect(flowOf('telegram').steps).toEqual([
      'publish: published',
      'reconcile: unsure',
      'reconcile later: unsure',
      'metrics: read',
      'publish without image: published',
      'note: published',
      // the Bot API cannot read a channel: no one can say
      'reconcile a note: unsure',
      'edit: withdrawn',
      'delete: withdrawn',
      'text too long: rejected',
      'unavailable: unknown',
      'refused token: auth',
      'rate limited: rate',
    ]);
    const methods = flowOf('telegram').exchanges.map(
      (e) => `${e.path.replace(/^\/bot[^/]+/, '')} ${e.status}`,
    );
    expect(new Set(methods)).toEqual(
      new Set([
        '/sendPhoto 200',
        '/editMessageText 400',
        '/editMessageCaption 200',
        '/deleteMessage 200',
        '/sendPhoto 401',
        '/sendPhoto 429',
        '/sendPhoto 503',
        '/sendMessage 200',
        '/getUpdates 200',
        '/getChatMember 200',
      ]),
    );
  });

  it('sends methods the description has, with described parameters of the described types', () => {
    expectOnlyKnown(
      flowOf('telegram').exchanges.flatMap((e) => BOT_API.checkRequest(e)),
      [],
    );
  });

  it('gets results of the described return types, every field described', () => {
    expectOnlyKnown(
      flowOf('telegram').exchanges.flatMap((e) => BOT_API.checkResponse(e)),
      [
        {
          says: "sendPhoto 503: a text/html answer, not the Bot API's JSON",
          why: 'a 503 comes from the proxy in front of the Bot API, as an HTML page',
        },
      ],
    );
  });

  it('the check finds a parameter, a type and a result field the Bot API does not have', () => {
    const sent = find(flowOf('telegram'), 'POST', /\/sendPhoto$/);
    expect(BOT_API.checkRequest(withBody(sent, (b) => Object.assign(b, { link: 'x' })))).toEqual([
      'sendPhoto: link is not a described field',
    ]);
    expect(
      BOT_API.checkRequest(
        withBody(sent, (b) => Object.assign(b, { disable_notification: 'yes' })),
      ),
    ).toEqual(['sendPhoto.disable_notification: not a Boolean']);
    const answer = withAnswer(sent, (b) => {
      const result = b.result as { chat: Record<string, unknown> };
      delete result.chat.type;
    });
    expect(BOT_API.checkResponse(answer)).toEqual([
      'sendPhoto result (Message).chat (Chat): required type is missing',
    ]);
  });
});

const GRAPH_OPERATIONS = {
  facebook: [
    'POST /v25.0/{id}/feed 200',
    'GET /v25.0/{id}/feed 200',
    'POST /v25.0/{post} 200',
    'DELETE /v25.0/{post} 200',
    // a reading of the post's counts: its summaries, then its insights
    'GET /v25.0/{post} 200',
    'GET /v25.0/{post}/insights 200',
    // a correction note: a comment on the post, and the post's comments read back
    'POST /v25.0/{post}/comments 200',
    'GET /v25.0/{post}/comments 200',
    // a refused token, and a rate limit: Graph answers both 400 with a code
    'POST /v25.0/{id}/feed 400',
    'POST /v25.0/{id}/feed 503',
  ],
  instagram: [
    'POST /v25.0/{id}/media 200',
    'GET /v25.0/{id} 200',
    'POST /v25.0/{id}/media_publish 200',
    'GET /v25.0/{id}/media 200',
    // a reading of the post's counts: its insights (still empty), then its own counts
    'GET /v25.0/{id}/insights 200',
    // a correction note: a comment on the media, and the media's comments read back
    'POST /v25.0/{id}/comments 200',
    'GET /v25.0/{id}/comments 200',
    'POST /v25.0/{id}/media 400',
    'POST /v25.0/{id}/media 503',
  ],
};

/** The node types a Graph id may be: the page or account, else what was made under it. */
const nodeTypes = (platform: 'facebook' | 'instagram') => (id: string) => {
  const owner = flowOf(platform)
    .exchanges.find((e) => e.method === 'POST')
    ?.path.split('/')[2];
  if (platform === 'facebook') return id === owner ? ['Page'] : ['PagePost'];
  return id === owner ? ['IGUser'] : ['IGMedia', 'ShadowIGMediaBuilder'];
};

for (const platform of ['facebook', 'instagram'] as const) {
  describe(`${platform} against the Graph API node descriptions of Meta's business SDK`, () => {
    const checked = () =>
      flowOf(platform).exchanges.map((e) => GRAPH_API.check(e, nodeTypes(platform)));

    it('runs the publisher flows through described edges', () => {
      const operations = flowOf(platform).exchanges.map(
        (e) =>
          `${e.method} ${e.path.replace(/\/\d+(_\d+)?/g, (id) => (id.includes('_') ? '/{post}' : '/{id}'))} ${e.status}`,
      );
      expect(new Set(operations)).toEqual(new Set(GRAPH_OPERATIONS[platform]));
      const deletes = platform === 'facebook' ? 'withdrawn' : 'rejected';
      expect(flowOf(platform).steps).toEqual([
        'publish: published',
        'reconcile: found',
        'reconcile later: found',
        'metrics: read',
        'note: published',
        'reconcile a note: found',
        `edit: ${deletes}`,
        `delete: ${deletes}`,
        'text too long: rejected',
        // a 503 on the post itself may hide a post; on Instagram's container it hides none
        `unavailable: ${platform === 'facebook' ? 'unknown' : 'retry'}`,
        'refused token: auth',
        'rate limited: rate',
      ]);
    });

    it('sends requests to described edges, with described parameters and fields', () => {
      expectOnlyKnown(
        checked().flatMap((c) => c.request),
        [],
      );
    });

    it('gets answers with what was asked, each value of its described type', () => {
      expectOnlyKnown(
        checked().flatMap((c) => c.response),
        [],
      );
    });

    it('the check finds a parameter and an answer field the node does not have', () => {
      const types = nodeTypes(platform);
      const made = find(flowOf(platform), 'POST', /^\/v[\d.]+\/\d+\/(feed|media)$/);
      const body = `${made.requestBody.toString('utf8')}&text=x`;
      expect(GRAPH_API.check({ ...made, requestBody: Buffer.from(body) }, types).request).toEqual([
        expect.stringMatching(/^POST (Page\/feed|IGUser\/media): parameter text is not described$/),
      ]);
      const listed = find(flowOf(platform), 'GET', /^\/v[\d.]+\/\d+\/(feed|media)$/);
      const answer = withAnswer(listed, (b) => {
        const [first] = b.data as Record<string, unknown>[];
        Object.assign(first ?? {}, { id: 17, shares_total: 3 });
      });
      expect(GRAPH_API.check(answer, types).response).toEqual([
        expect.stringMatching(/data\[0\]: id is not a string: 17$/),
        expect.stringMatching(/data\[0\]: shares_total was not asked for$/),
        expect.stringMatching(/data\[0\]: shares_total is not a field of (PagePost|IGMedia)$/),
      ]);
    });
  });
}
