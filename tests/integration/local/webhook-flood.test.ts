/**
 * A flood of junk at a webhook, against the local stack throttled as API Gateway's route
 * settings throttle it: the junk is refused with 429 and Retry-After, and the CMS's
 * article, sent by the documented sender, still gets through once, by retrying.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWebhook } from '../../../infra/local/webhook-sender';
import { articleIdFor } from '../../../shared/domain/ids';
import { signStandardWebhook } from '../../../shared/ingest/standard-webhooks';
import { FUNCTIONS } from '../../../shared/resources';
import { startTestStack, type TestStack } from '../../support/stack';
import { sampleArticle } from '../../support/webhook';

/** A token every 2 s: once the flood has emptied the bucket, none comes back for a while. */
const THROTTLE = { rateLimit: 0.5, burstLimit: 4 };

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    sandboxes: false,
    webhookThrottle: THROTTLE,
    functions: {
      'ingest-webhook': FUNCTIONS['ingest-webhook'],
      // Nothing consumes the compose queue: its depth counts the revisions queued.
      'compose-article': { ...FUNCTIONS['compose-article'], sqs: undefined },
    },
  });
});

afterAll(async () => {
  await stack?.dispose();
});

beforeAll(async () => {
  // The function's first start takes seconds: paid here, not during the flood; then the
  // bucket fills up again.
  await fetch(new URL('/webhooks/generic', stack.url), { method: 'POST', body: '{}' });
  await sleep(1000 / THROTTLE.rateLimit);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Unsigned junk from 20 senders at once, for `ms`; `throttled` resolves at the first 429. */
function flood(ms: number) {
  const statuses: number[] = [];
  let onThrottled: () => void = () => undefined;
  const throttled = new Promise<void>((resolve) => {
    onThrottled = resolve;
  });
  const until = Date.now() + ms;
  const sender = async () => {
    while (Date.now() < until) {
      const answer = await fetch(new URL('/webhooks/generic', stack.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ junk: randomUUID() }),
      });
      await answer.arrayBuffer();
      if (answer.status === 429) onThrottled();
      statuses.push(answer.status);
    }
  };
  const done = Promise.all(Array.from({ length: 20 }, sender)).then(() => undefined);
  return { statuses, throttled, done };
}

function articleItems(items: Record<string, unknown>[], articleId: string) {
  return items.filter((item) => item.PK === `ART#${articleId}` && item.SK === 'A');
}

describe('a webhook flood', () => {
  it('refuses the junk with 429 and Retry-After, and the article still gets through, once, by retrying', async () => {
    const secret = stack.secrets.webhookSecret.value;
    const article = { ...sampleArticle(), id: `flood-${randomUUID()}` };
    const body = JSON.stringify(article);
    const deliveryId = `msg_${randomUUID()}`;
    const sign = () => {
      const timestamp = Math.floor(Date.now() / 1000);
      return {
        'webhook-id': deliveryId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(secret, deliveryId, timestamp, body),
      };
    };

    const junk = flood(3_000);
    await junk.throttled;
    const retries: { status?: number; waitMs: number }[] = [];
    const delivery = await sendWebhook({
      url: new URL('/webhooks/generic', stack.url),
      body,
      sign,
      policy: { attempts: 10, baseMs: 500, maxMs: 5_000 },
      onRetry: ({ status, waitMs }) => retries.push({ ...(status ? { status } : {}), waitMs }),
    });
    await junk.done;

    // The junk: most of it throttled, what got through refused as unsigned; nothing else.
    expect(junk.statuses.length).toBeGreaterThan(60);
    expect(new Set(junk.statuses)).toEqual(new Set([429, 401]));
    const passed = junk.statuses.filter((status) => status === 401).length;
    // The bucket's burst, then its rate, over the flood's 3 s and the slack of a slow machine.
    expect(passed).toBeLessThanOrEqual(THROTTLE.burstLimit + THROTTLE.rateLimit * 6);

    // The article: throttled at first, told when to come back, then taken.
    expect(retries[0]?.status).toBe(429);
    expect(retries[0]?.waitMs).toBeGreaterThanOrEqual(1_000);
    expect(delivery.status).toBe(202);
    const articleId = articleIdFor('generic', article.id);
    expect(JSON.parse(delivery.body)).toEqual({ articleId });
    expect(articleItems(await stack.items(), articleId)).toHaveLength(1);
    expect(await stack.queueDepth('compose')).toBe(1);

    // A retry of a delivery that was taken after all (its answer lost) changes nothing.
    await sleep(1_000);
    const again = await sendWebhook({ url: new URL('/webhooks/generic', stack.url), body, sign });
    expect(again.status).toBe(202);
    expect(JSON.parse(again.body)).toEqual({ articleId });
    expect(await stack.queueDepth('compose')).toBe(1);
    expect(articleItems(await stack.items(), articleId)).toHaveLength(1);
  }, 60_000);
});
