/**
 * compose-article over an article's later revisions, against dynalite and fauxqs: new
 * text for the shares not yet out (an editor's own kept), nothing for the ones that went
 * out or for a late message, and a withdrawal that cancels what is pending and sends the
 * published posts to be deleted or edited; also when a revision lands mid-compose.
 */
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { systemClock } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { SqsPublishQueue } from '../../../shared/queue/publish-queue';
import { FUNCTIONS } from '../../../shared/resources';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { composeArticle } from '../../../shared/usecases/compose-article';
import { enqueueIfDue } from '../../../shared/usecases/dispatch';
import { channelConfigForFile } from '../../support/channel-config';
import { publishMessagesFor, stackDocumentClient } from '../../support/handler-stack';
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';
import { postWebhook, sampleArticle } from '../../support/webhook';

// Two delayed channels (their shares wait, scheduled), one that needs approval (a
// draft), and one asap (queued at once); each with its own onWithdraw.
const config = {
  channels: [
    {
      id: 'x-desk',
      platform: 'x',
      account: 'desk',
      template: '{title} {url}',
      schedule: { type: 'delay', minutes: 30 },
      onWithdraw: 'delete',
    },
    {
      id: 'bsky-desk',
      platform: 'bluesky',
      account: 'desk.bsky.social',
      template: '{title}\n\n{url}',
      schedule: { type: 'delay', minutes: 30 },
      onWithdraw: 'delete',
    },
    {
      id: 'masto-desk',
      platform: 'mastodon',
      account: '@desk@example.social',
      template: '{title}\n\n{url}',
      approval: 'required',
      onWithdraw: 'edit',
      withdrawnText: 'Withdrawn: {title}',
    },
    {
      id: 'fb-desk',
      platform: 'facebook',
      account: 'Desk',
      template: '{title}',
    },
  ],
};

let stack: TestStack;
let secret: string;
let shares: DynamoShareStore;
let articles: DynamoArticleStore;

const file = channelConfigForFile(config);

beforeAll(async () => {
  // Neither queue has a consumer: the test invokes compose-article and reads the publish queue.
  stack = await startTestStack({
    functions: {
      'ingest-webhook': FUNCTIONS['ingest-webhook'],
      'compose-article': { ...FUNCTIONS['compose-article'], sqs: undefined },
    },
    sandboxes: false,
  });
  secret = stack.secrets.webhookSecret.value;
  const db = stackDocumentClient(stack);
  shares = new DynamoShareStore(db, stack.tableName);
  articles = new DynamoArticleStore(db, stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

beforeEach(async () => {
  await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queueUrls.publish }));
});

const title = (id: string, revision = 1) =>
  `Trump Declares Support for Coup in Bolivia (${id}, r${revision})`;

async function ingest(id: string, patch: Record<string, unknown> = {}): Promise<string> {
  const response = await postWebhook(
    stack.url,
    secret,
    JSON.stringify({
      ...sampleArticle(),
      id,
      title: title(id, Number(patch.revision ?? 1)),
      ...patch,
    }),
  );
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

const compose = async (articleId: string, revision: number) =>
  expect(
    await stack.invoke('compose-article', sqsEvent([JSON.stringify({ articleId, revision })])),
  ).toEqual({ batchItemFailures: [] });

async function shareOf(articleId: string, channelId: string): Promise<Share> {
  const share = await shares.get({ articleId, channelId });
  if (!share) throw new Error(`no share ${channelId}`);
  return share;
}

/** Changes a share in the table as another writer would (an editor, a worker). */
async function change(articleId: string, channelId: string, patch: Partial<Share>) {
  const share = await shareOf(articleId, channelId);
  const next = { ...share, ...patch, version: share.version + 1 };
  expect(await shares.replace(share, next)).toBe(true);
}

describe('compose-article: a new revision', () => {
  it("rewrites the shares not yet out from it, stamped with it, and keeps an editor's text", async () => {
    const articleId = await ingest('life-1');
    await compose(articleId, 1);
    expect((await shareOf(articleId, 'fb-desk')).status).toBe('queued');
    await change(articleId, 'bsky-desk', {
      text: 'Our own words https://www.leftvoice.org/',
      edited: { text: new Date().toISOString() },
    });

    await ingest('life-1', { revision: 2 });
    await compose(articleId, 2);

    const x = await shareOf(articleId, 'x-desk');
    expect(x).toMatchObject({ status: 'scheduled', articleRevision: 2 });
    expect(x.text).toContain(title('life-1', 2));
    expect(x.history.at(-1)).toMatchObject({
      event: 'recompose',
      from: 'scheduled',
      to: 'scheduled',
      by: 'crier',
      reason: expect.stringMatching(/^revision 2: new text/),
    });
    const bsky = await shareOf(articleId, 'bsky-desk');
    expect(bsky).toMatchObject({
      articleRevision: 2,
      text: 'Our own words https://www.leftvoice.org/',
    });
    expect(bsky.history.at(-1)?.reason).toContain("kept the editor's text");
    const masto = await shareOf(articleId, 'masto-desk');
    expect(masto).toMatchObject({ status: 'draft', articleRevision: 2 });
    expect(masto.text).toContain(title('life-1', 2));
    // Queued: recomposed in place; its message names only the share, so it publishes this text.
    const fb = await shareOf(articleId, 'fb-desk');
    expect(fb).toMatchObject({ status: 'queued', articleRevision: 2, text: title('life-1', 2) });
    expect((await articles.get(articleId))?.composedRevision).toBe(2);

    // The late message of revision 1 changes nothing.
    const before = await stack.items();
    await compose(articleId, 1);
    expect(await stack.items()).toEqual(before);
  });

  it('leaves shares that are publishing or published as they are', async () => {
    const articleId = await ingest('life-2');
    await compose(articleId, 1);
    await change(articleId, 'x-desk', {
      status: 'published',
      remoteId: '1',
      remoteUrl: 'https://x.com/desk/status/1',
    });
    await change(articleId, 'fb-desk', { status: 'publishing' });
    const [x, fb] = await Promise.all([
      shareOf(articleId, 'x-desk'),
      shareOf(articleId, 'fb-desk'),
    ]);

    await ingest('life-2', { revision: 2 });
    await compose(articleId, 2);
    // The published post is not recomposed; its new headline queues a correction for the
    // publish worker (publish-corrections.test.ts), which is all that changes on it.
    expect(await shareOf(articleId, 'x-desk')).toEqual({
      ...x,
      headline: title('life-2', 2),
      correctionsDue: [
        expect.objectContaining({ revision: 2, trigger: 'headline', title: title('life-2', 2) }),
      ],
      version: x.version + 1,
      updatedAt: expect.any(String),
      history: [...x.history, expect.objectContaining({ event: 'correct', by: 'crier' })],
    });
    expect(await shareOf(articleId, 'fb-desk')).toEqual(fb);
    expect((await shareOf(articleId, 'bsky-desk')).articleRevision).toBe(2);
  });

  it('sends a queued share back to scheduled when a new embargo moves its dueAt', async () => {
    const articleId = await ingest('life-3');
    await compose(articleId, 1);
    expect(await publishMessagesFor(stack, articleId)).toEqual(['fb-desk']);

    const shareAt = new Date(Date.now() + 3 * 3600_000).toISOString();
    await ingest('life-3', { revision: 2, shareAt });
    await compose(articleId, 2);
    const fb = await shareOf(articleId, 'fb-desk');
    expect(fb).toMatchObject({ status: 'scheduled', dueAt: shareAt });
    expect(fb.history.slice(-2).map((h) => h.event)).toEqual(['recompose', 'reschedule']);
    expect((await shareOf(articleId, 'x-desk')).dueAt).toBe(shareAt);
    // Not due within the look-ahead: nothing new is sent.
    expect(await publishMessagesFor(stack, articleId)).toEqual([]);
  });
});

describe('compose-article: a withdrawal', () => {
  it('cancels what is pending, flags what is publishing, and sends published posts to be deleted or edited', async () => {
    const articleId = await ingest('life-4');
    await compose(articleId, 1);
    await change(articleId, 'x-desk', {
      status: 'published',
      remoteId: '2',
      remoteUrl: 'https://x.com/desk/status/2',
    });
    await change(articleId, 'bsky-desk', {
      status: 'publishing',
      leaseUntil: new Date(Date.now() + 60_000).toISOString(),
    });
    await change(articleId, 'fb-desk', {
      status: 'published',
      remoteId: '3_4',
      remoteUrl: 'https://www.facebook.com/3/posts/4',
    });
    await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queueUrls.publish }));

    await ingest('life-4', { revision: 2, status: 'unpublished' });
    await compose(articleId, 2);

    const masto = await shareOf(articleId, 'masto-desk');
    expect(masto.status).toBe('cancelled');
    expect(masto.history.at(-1)).toMatchObject({
      event: 'withdraw',
      from: 'draft',
      to: 'cancelled',
      reason: 'the article was unpublished (revision 2)',
    });
    expect(await shareOf(articleId, 'bsky-desk')).toMatchObject({
      status: 'publishing',
      cancelRequested: true,
    });
    expect((await shareOf(articleId, 'x-desk')).status).toBe('published');
    // x-desk deletes on withdrawal; fb-desk keeps its post.
    expect(await publishMessagesFor(stack, articleId)).toEqual(['x-desk']);
    expect((await articles.get(articleId))?.composedRevision).toBe(2);

    // Redelivered: nothing changes and nothing more is sent.
    const before = await stack.items();
    await compose(articleId, 2);
    expect(await stack.items()).toEqual(before);
    expect(await publishMessagesFor(stack, articleId)).toEqual([]);
  });
});

describe('compose-article: a revision that lands while compose writes', () => {
  const channels = () => loadChannelsConfig(file()).channels;
  const depsWith = (onFirstWrite: () => Promise<void>) => {
    const publishQueue = new SqsPublishQueue(stack.sqs, stack.queueUrls.publish);
    let first = true;
    const racing = Object.assign(Object.create(shares) as DynamoShareStore, {
      async createIfAbsent(share: Share) {
        if (first) {
          first = false;
          await onFirstWrite();
        }
        return shares.createIfAbsent(share);
      },
    });
    const dispatch = {
      shares: racing,
      publishQueue,
      clock: systemClock,
      config: readPublishingConfig(),
    };
    return {
      articles,
      shares: racing,
      channels: channels(),
      clock: systemClock,
      publishQueue,
      enqueueIfDue: (share: Share) => enqueueIfDue(dispatch, share),
    };
  };
  const storeRevision = async (articleId: string, patch: Record<string, unknown>) => {
    const record = await articles.get(articleId);
    if (!record) throw new Error('no article');
    const now = new Date().toISOString();
    const { written } = await articles.putRevision({
      ...record,
      article: { ...record.article, revision: record.article.revision + 1, ...patch },
      receivedAt: now,
      updatedAt: now,
    });
    expect(written).toBe(true);
  };

  it('cancels what it just wrote when a withdrawal was stored meanwhile, and sends nothing', async () => {
    const articleId = await ingest('life-5');
    const result = await composeArticle(
      depsWith(() => storeRevision(articleId, { status: 'deleted' })),
      { articleId, revision: 1 },
    );
    expect(result).toMatchObject({ outcome: 'withdrawn', revision: 2 });
    const all = await shares.listForArticle(articleId);
    expect(all.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(await publishMessagesFor(stack, articleId)).toEqual([]);
    expect((await articles.get(articleId))?.composedRevision).toBe(2);
  });

  it('writes the newer revision over what it just wrote when one was stored meanwhile', async () => {
    const articleId = await ingest('life-6');
    const result = await composeArticle(
      depsWith(() => storeRevision(articleId, { title: title('life-6', 2) })),
      { articleId, revision: 1 },
    );
    expect(result).toMatchObject({ outcome: 'composed', revision: 2 });
    for (const share of await shares.listForArticle(articleId)) {
      expect(share.articleRevision).toBe(2);
      expect(share.text).toContain(title('life-6', 2));
    }
    // The asap share is sent once, for the revision that stands.
    expect(await publishMessagesFor(stack, articleId)).toEqual(['fb-desk']);
  });
});
