import twitterText from 'twitter-text';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_IMAGE_WARNING } from '../../../shared/domain/article';
import { graphemeLength } from '../../../shared/domain/text';
import { channelConfigForFile } from '../../support/channel-config';
import { INGEST_FUNCTIONS } from '../../support/handler-stack';
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';
import { postWebhook, sampleArticle } from '../../support/webhook';

// Channels of this test's own: one asap, one delayed, one that needs approval.
const config = {
  channels: [
    { id: 'x-desk', platform: 'x', account: 'desk', template: '{title} {url} {hashtags}' },
    {
      id: 'bsky-desk',
      platform: 'bluesky',
      account: 'desk.bsky.social',
      template: '{title}\n\n{summary}\n\n{url}',
      schedule: { type: 'delay', minutes: 30 },
    },
    {
      id: 'masto-desk',
      platform: 'mastodon',
      account: '@desk@example.social',
      template: '{title}\n\n{summary}\n\n{url}\n\n{hashtags}',
      approval: 'required',
    },
  ],
};

let stack: TestStack;
let secret: string;

channelConfigForFile(config);

beforeAll(async () => {
  // The compose queue has no consumer: the test invokes compose-article itself.
  stack = await startTestStack({
    functions: INGEST_FUNCTIONS,
  });
  secret = stack.secrets.webhookSecret.value;
});

afterAll(async () => {
  await stack?.dispose();
});

async function ingest(patch: Record<string, unknown> = {}): Promise<string> {
  const response = await postWebhook(
    stack.url,
    secret,
    JSON.stringify({ ...sampleArticle(), ...patch }),
  );
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

const compose = (bodies: string[]) => stack.invoke('compose-article', sqsEvent(bodies));
const sharesOf = async (articleId: string) =>
  (await stack.items()).filter((i) => i.PK === `ART#${articleId}` && String(i.SK).startsWith('S#'));

describe('compose-article', () => {
  it('takes an article whose image is a data: URL without the image, and warns the editors on every share', async () => {
    const pixel =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const articleId = await ingest({ id: 'compose-data-image', imageUrl: pixel });
    const stored = (await stack.items()).find((i) => i.PK === `ART#${articleId}` && i.SK === 'A');
    expect(stored?.article).not.toHaveProperty('imageUrl');
    expect(stored?.article).toMatchObject({ warnings: [DATA_IMAGE_WARNING] });

    expect(await compose([JSON.stringify({ articleId, revision: 1 })])).toEqual({
      batchItemFailures: [],
    });
    const shares = await sharesOf(articleId);
    expect(shares.map((s) => s.channelId)).toEqual(['bsky-desk', 'masto-desk', 'x-desk']);
    for (const share of shares) {
      expect(share.warnings).toContain(DATA_IMAGE_WARNING);
      expect(JSON.stringify(share)).not.toContain('data:image');
    }
  });

  it('writes one share per channel, stamped with the revision, with its schedule', async () => {
    const articleId = await ingest({ id: 'compose-1' });
    const before = Date.now();
    expect(await compose([JSON.stringify({ articleId, revision: 1 })])).toEqual({
      batchItemFailures: [],
    });

    const shares = await sharesOf(articleId);
    expect(shares.map((s) => s.channelId)).toEqual(['bsky-desk', 'masto-desk', 'x-desk']);
    for (const share of shares) {
      expect(share).toMatchObject({ articleRevision: 1, attempt: 0 });
      expect(share.history).toContainEqual(
        expect.objectContaining({ event: 'compose', reason: 'revision 1', by: 'crier' }),
      );
      expect(share.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
      expect(share.timelinePK).toBe(`CH#${share.channelId}`);
    }
    const [bsky, masto, x] = shares;
    // Due now: claimed on the direct path and sent to the publish queue at once.
    expect(x).toMatchObject({
      status: 'queued',
      platform: 'x',
      leasePK: expect.stringMatching(/^LEASE#[0-3]$/),
    });
    expect(x).not.toHaveProperty('duePK');
    expect(Date.parse(String(x?.dueAt))).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(String(x?.dueAt))).toBeLessThanOrEqual(Date.now());
    expect(await stack.queueDepth('publish')).toBeGreaterThanOrEqual(1);

    // Due in 30 minutes: waits in the due index for the tick.
    const received = (await stack.items()).find((i) => i.PK === `ART#${articleId}`)?.receivedAt;
    const bskyDue = new Date(Date.parse(String(received)) + 30 * 60_000).toISOString();
    expect(bsky).toMatchObject({ status: 'scheduled', dueAt: bskyDue });
    expect(bsky?.dueSK).toBe(`${bskyDue}#${articleId}#bsky-desk`);
    expect(bsky).not.toHaveProperty('leasePK');
    // A draft waits for an editor and is not in the due index.
    expect(masto).toMatchObject({ status: 'draft' });
    expect(masto).not.toHaveProperty('duePK');

    expect(twitterText.parseTweet(String(x?.text)).valid).toBe(true);
    expect(graphemeLength(String(bsky?.text))).toBeLessThanOrEqual(300);
    expect(String(x?.text)).toContain('Trump Declares Support for Coup in Bolivia');
    // Bluesky's text shows the link's label; the stored facet holds the URL.
    expect(String(bsky?.text)).toContain('\n\nwww.leftvoice.org/trump-declar...');
    expect(bsky?.facets).toEqual([
      expect.objectContaining({
        features: [
          {
            $type: 'app.bsky.richtext.facet#link',
            uri: 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/',
          },
        ],
      }),
    ]);
    expect(
      await stack.items().then((items) => items.find((i) => i.PK === `ART#${articleId}`)),
    ).toMatchObject({
      composedRevision: 1,
    });
  });

  it('changes nothing when the same revision is composed again', async () => {
    const articleId = await ingest({ id: 'compose-2' });
    const message = JSON.stringify({ articleId, revision: 1 });
    await compose([message]);
    const before = await stack.items();
    expect(await compose([message, message])).toEqual({ batchItemFailures: [] });
    expect(await stack.items()).toEqual(before);
  });

  it('fails only the messages it cannot process, so they are retried and then dead-lettered', async () => {
    const articleId = await ingest({ id: 'compose-3' });
    const event = sqsEvent([
      'not json',
      JSON.stringify({ articleId: 'f'.repeat(32), revision: 1 }),
      JSON.stringify({ articleId, revision: 1 }),
      JSON.stringify({ articleId, revision: 'one' }),
    ]);
    expect(await stack.invoke('compose-article', event)).toEqual({
      batchItemFailures: [
        { itemIdentifier: 'm-0' },
        { itemIdentifier: 'm-1' },
        { itemIdentifier: 'm-3' },
      ],
    });
    expect(await sharesOf(articleId)).toHaveLength(3);
  });

  it('writes no share for an article that arrives already withdrawn', async () => {
    const articleId = await ingest({ id: 'compose-4', status: 'unpublished' });
    await compose([JSON.stringify({ articleId, revision: 1 })]);
    expect(await sharesOf(articleId)).toEqual([]);
  });

  it('writes no share on a channel the article skips, through the table', async () => {
    const articleId = await ingest({ id: 'compose-skip', channels: { skip: ['X-Desk'] } });
    await compose([JSON.stringify({ articleId, revision: 1 })]);
    expect((await sharesOf(articleId)).map((s) => s.channelId)).toEqual([
      'bsky-desk',
      'masto-desk',
    ]);
  });

  it('holds shares until the article embargo', async () => {
    const shareAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    const articleId = await ingest({ id: 'compose-5', shareAt });
    await compose([JSON.stringify({ articleId, revision: 1 })]);
    const x = (await sharesOf(articleId)).find((s) => s.channelId === 'x-desk');
    expect(x?.dueAt).toBe(shareAt);
  });
});
