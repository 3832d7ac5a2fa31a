import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainQueue, INGEST_FUNCTIONS } from '../../support/handler-stack';
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';
import { postWebhook, sampleArticle } from '../../support/webhook';

// No compose consumer here: what ingest queues stays on the queue for the test to see.
let stack: TestStack;
let secret: string;

beforeAll(async () => {
  stack = await startTestStack({
    functions: INGEST_FUNCTIONS,
  });
  secret = stack.secrets.webhookSecret.value;
});

afterAll(async () => {
  await stack?.dispose();
});

const body = (patch: Record<string, unknown> = {}) =>
  JSON.stringify({ ...sampleArticle(), ...patch });

/** Takes what ingest queued for compose off the queue. */
const drainComposeQueue = () => drainQueue(stack, 'compose');

describe('POST /webhooks/generic', () => {
  it('refuses unsigned, badly signed, stale, malformed and oversized requests and writes nothing', async () => {
    const before = await stack.items();
    const sample = body();
    const unsigned = await fetch(new URL('/webhooks/generic', stack.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: sample,
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ error: 'unauthorized', message: 'Unauthorized' });

    const wrongKey = await postWebhook(
      stack.url,
      `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
      sample,
    );
    expect(wrongKey.status).toBe(401);

    const stale = await postWebhook(stack.url, secret, sample, {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(stale.status).toBe(401);

    const notJson = await postWebhook(stack.url, secret, '{"id": ');
    expect(notJson).toMatchObject({ status: 400, body: { fields: [{ field: '(body)' }] } });

    const missing = await postWebhook(
      stack.url,
      secret,
      JSON.stringify({ id: 'x', url: 'https://example.org/a' }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      error: 'invalid_request',
      fields: [
        { field: 'title', message: expect.any(String) },
        { field: 'publishedAt', message: expect.any(String) },
      ],
    });

    const huge = await postWebhook(stack.url, secret, body({ summary: 'x'.repeat(300 * 1024) }));
    expect(huge.status).toBe(413);

    expect(await stack.items()).toEqual(before);
    expect(await stack.queueDepth('compose')).toBe(0);
  });

  it('refuses a language that is not a well-formed BCP 47 tag with a 400 naming the field, and writes nothing', async () => {
    const before = await stack.items();
    for (const language of ['en-12', 'en_US', 'english']) {
      const refused = await postWebhook(
        stack.url,
        secret,
        body({ id: `lang-${language}`, language }),
      );
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        error: 'invalid_request',
        message: 'Invalid article: language',
        fields: [{ field: 'language', message: expect.stringContaining('BCP 47') }],
      });
    }
    expect(await stack.items()).toEqual(before);
    expect(await stack.queueDepth('compose')).toBe(0);

    const accepted = await postWebhook(
      stack.url,
      secret,
      body({ id: 'lang-zh-hant', language: 'zh-Hant-TW' }),
    );
    expect(accepted.status).toBe(202);
    const { articleId } = accepted.body as { articleId: string };
    expect((await stack.items()).find((i) => i.PK === `ART#${articleId}`)).toMatchObject({
      article: { language: 'zh-Hant-TW' },
    });
    await drainComposeQueue();
  });

  it('stores the article, queues it for composing before answering 202, then guards the delivery', async () => {
    const response = await postWebhook(stack.url, secret, body(), { deliveryId: 'msg_first' });
    expect(response.status).toBe(202);
    const { articleId } = response.body as { articleId: string };
    expect(articleId).toMatch(/^[0-9a-f]{32}$/);

    const items = await stack.items();
    expect(items.find((i) => i.PK === `ART#${articleId}`)).toMatchObject({
      SK: 'A',
      revision: 1,
      article: { title: 'Trump Declares Support for Coup in Bolivia', status: 'published' },
    });
    expect(items.find((i) => i.PK === 'WH#generic#msg_first')).toMatchObject({ articleId });
    expect(await drainComposeQueue()).toEqual([{ articleId, revision: 1 }]);
  });

  it('answers a redelivery with the same articleId and changes nothing', async () => {
    const first = await postWebhook(stack.url, secret, body(), { deliveryId: 'msg_redeliver' });
    await drainComposeQueue();
    const before = await stack.items();
    const again = await postWebhook(stack.url, secret, body(), { deliveryId: 'msg_redeliver' });
    expect(again).toEqual(first);
    expect(await stack.items()).toEqual(before);
    expect(await stack.queueDepth('compose')).toBe(0);
  });

  it('answers the same revision under a new webhook-id with the same articleId, once composed adding nothing', async () => {
    const first = await postWebhook(stack.url, secret, body());
    const { articleId } = first.body as { articleId: string };
    await drainComposeQueue();
    await stack.invoke('compose-article', sqsEvent([JSON.stringify({ articleId, revision: 1 })]));
    const articleBefore = (await stack.items()).filter((i) => String(i.PK).startsWith('ART#'));

    const again = await postWebhook(stack.url, secret, body());
    expect(again).toEqual(first);
    const articleAfter = (await stack.items()).filter((i) => String(i.PK).startsWith('ART#'));
    expect(articleAfter).toEqual(articleBefore);
    expect(await stack.queueDepth('compose')).toBe(0);
  });

  it('queues a stored revision again when an earlier attempt stopped before composing it', async () => {
    const first = await postWebhook(stack.url, secret, body({ id: 'crashed-before-compose' }));
    const { articleId } = first.body as { articleId: string };
    // The first attempt's message is lost (as if ingest had stopped before sending it).
    await drainComposeQueue();
    const again = await postWebhook(stack.url, secret, body({ id: 'crashed-before-compose' }));
    expect(again.body).toEqual({ articleId });
    expect(await drainComposeQueue()).toEqual([{ articleId, revision: 1 }]);
  });

  it('takes a newer revision and ignores an older one arriving late', async () => {
    const id = 'revised-article';
    const v1 = await postWebhook(stack.url, secret, body({ id, revision: 1 }));
    const { articleId } = v1.body as { articleId: string };
    const v3 = await postWebhook(
      stack.url,
      secret,
      body({ id, revision: 3, title: 'Corrected headline' }),
    );
    expect(v3.body).toEqual({ articleId });
    const late = await postWebhook(
      stack.url,
      secret,
      body({ id, revision: 2, title: 'Stale headline' }),
    );
    expect(late).toMatchObject({ status: 202, body: { articleId } });

    const article = (await stack.items()).find((i) => i.PK === `ART#${articleId}`);
    expect(article).toMatchObject({ revision: 3, article: { title: 'Corrected headline' } });
    const queued = await drainComposeQueue();
    expect(queued).toContainEqual({ articleId, revision: 3 });
    expect(queued).not.toContainEqual({ articleId, revision: 2 });
  });
});
