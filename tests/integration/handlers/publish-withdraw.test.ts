/**
 * publish-share's part of a withdrawal, against dynalite, fauxqs and the sandbox
 * networks: the publish message compose sends for a published post of a withdrawn
 * article deletes or edits it once and records it; a network that refuses is recorded
 * for an editor; a failure fails the message, so SQS tries it again.
 */
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { SandboxPosts } from '../../../infra/local/sandbox/posts';
import { launchTelegramSandbox } from '../../../infra/local/sandbox/telegram';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { ChannelCredentials, sandboxCredentialsEnvName } from '../../../shared/config/credentials';
import { readPublishingConfig } from '../../../shared/config/publishing';
import { channelSchema } from '../../../shared/domain/channel';
import type { Platform } from '../../../shared/domain/platform';
import { systemClock } from '../../../shared/domain/ports';
import { clientFor } from '../../../shared/platforms/clients';
import { SqsPublishQueue } from '../../../shared/queue/publish-queue';
import { FUNCTIONS } from '../../../shared/resources';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoChannelStateStore } from '../../../shared/store/channel-state-store';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { handlePublishMessage } from '../../../shared/usecases/publish-share';
import { withdrawPost } from '../../../shared/usecases/withdraw-post';
import { channelConfigForFile } from '../../support/channel-config';
import { publishMessagesFor, stackDocumentClient } from '../../support/handler-stack';
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';
import { postWebhook, sampleArticle } from '../../support/webhook';

const config = {
  site: { name: 'Desk News' },
  channels: [
    {
      id: 'x-desk',
      platform: 'x',
      account: 'newsroom',
      template: '{title} {url}',
      onWithdraw: 'delete',
    },
    {
      id: 'masto-desk',
      platform: 'mastodon',
      account: '@newsroom@mastodon.example',
      template: '{title}\n\n{url}',
      onWithdraw: 'edit',
      withdrawnText: '{site} withdrew “{title}”.',
    },
    {
      id: 'linkedin-desk',
      platform: 'linkedin',
      account: 'Newsroom',
      template: '{title}',
      onWithdraw: 'delete',
    },
    { id: 'fb-desk', platform: 'facebook', account: 'Newsroom', template: '{title}' },
  ],
};

type StoredShare = {
  channelId: string;
  status: string;
  remoteId?: string;
  version: number;
  lastError?: string;
  withdrawal?: { action: string; outcome: string; text?: string; reason?: string };
  history: { event: string; from?: string; to: string; by: string; reason?: string }[];
};
type SandboxPost = { platform: string; remoteId: string; text: string };

let stack: TestStack;
let articleId: string;
const TITLE = 'Trump Declares Support for Coup in Bolivia (withdrawn by the desk)';

const configFile = channelConfigForFile(config);

beforeAll(async () => {
  // No consumers: the test hands each function its messages.
  stack = await startTestStack({
    functions: {
      'ingest-webhook': FUNCTIONS['ingest-webhook'],
      'compose-article': { ...FUNCTIONS['compose-article'], sqs: undefined },
      'publish-share': { ...FUNCTIONS['publish-share'], sqs: undefined },
    },
  });
});

afterAll(async () => {
  await stack?.dispose();
});

async function ingest(patch: Record<string, unknown>, id = 'withdraw-worker'): Promise<string> {
  const body = { ...sampleArticle(), id, title: TITLE, ...patch };
  const response = await postWebhook(
    stack.url,
    stack.secrets.webhookSecret.value,
    JSON.stringify(body),
  );
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

const invoke = (name: string, bodies: string[]) => stack.invoke(name, sqsEvent(bodies));
const publish = (...channels: string[]) =>
  invoke(
    'publish-share',
    channels.map((channelId) => JSON.stringify({ articleId, channelId })),
  );

async function shares(): Promise<Record<string, StoredShare>> {
  const items = (await stack.items()).filter(
    (i) => i.PK === `ART#${articleId}` && String(i.SK).startsWith('S#'),
  ) as unknown as StoredShare[];
  return Object.fromEntries(items.map((s) => [s.channelId, s]));
}

async function sandboxPosts(): Promise<SandboxPost[]> {
  return (await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as SandboxPost[];
}

describe('publish-share: the posts of a withdrawn article', () => {
  it('withdraws each post once, as its channel says, and records it', async () => {
    articleId = await ingest({});
    expect(await invoke('compose-article', [JSON.stringify({ articleId, revision: 1 })])).toEqual({
      batchItemFailures: [],
    });
    expect(await publish('x-desk', 'masto-desk', 'linkedin-desk', 'fb-desk')).toEqual({
      batchItemFailures: [],
    });
    const published = await shares();
    for (const share of Object.values(published)) expect(share.status).toBe('published');
    await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queueUrls.publish }));

    await ingest({ revision: 2, status: 'deleted' });
    expect(await invoke('compose-article', [JSON.stringify({ articleId, revision: 2 })])).toEqual({
      batchItemFailures: [],
    });
    // Compose sent the channels that delete or edit; Facebook keeps its post.
    expect(await publishMessagesFor(stack, articleId)).toEqual([
      'linkedin-desk',
      'masto-desk',
      'x-desk',
    ]);

    // X's credentials fail for now: that message fails, and nothing is recorded for it.
    // (the stack's sandbox account on X, which x-desk posts as)
    const xCredentials = sandboxCredentialsEnvName('x');
    const good = process.env[xCredentials];
    const broken = { ...JSON.parse(good ?? '{}'), accessSecret: 'revoked' };
    process.env[xCredentials] = JSON.stringify(broken);
    try {
      expect(await publish('x-desk', 'masto-desk', 'linkedin-desk')).toEqual({
        batchItemFailures: [{ itemIdentifier: 'm-0' }],
      });
    } finally {
      process.env[xCredentials] = good;
    }
    let now = await shares();
    expect(now['x-desk']).toEqual(published['x-desk']);
    expect(now['masto-desk']?.withdrawal).toMatchObject({
      action: 'edit',
      outcome: 'done',
      text: `Desk News withdrew “${TITLE}”.`,
    });
    expect(now['masto-desk']?.history.at(-1)).toMatchObject({
      event: 'withdraw-post',
      from: 'published',
      to: 'published',
      by: 'publisher',
      reason: 'edited on mastodon: the article was deleted (revision 2)',
    });
    expect(now['linkedin-desk']).toMatchObject({
      status: 'published',
      withdrawal: { action: 'delete', outcome: 'done' },
    });

    // SQS delivers the failed message again, and it goes through.
    expect(await publish('x-desk')).toEqual({ batchItemFailures: [] });
    now = await shares();
    expect(now['x-desk']?.withdrawal).toMatchObject({ action: 'delete', outcome: 'done' });

    const posts = await sandboxPosts();
    const remote = (channelId: string) => published[channelId]?.remoteId;
    expect(posts.find((p) => p.remoteId === remote('x-desk'))).toBeUndefined();
    expect(posts.find((p) => p.remoteId === remote('linkedin-desk'))).toBeUndefined();
    expect(posts.find((p) => p.remoteId === remote('masto-desk'))?.text).toBe(
      `Desk News withdrew “${TITLE}”.`,
    );
    expect(posts.find((p) => p.remoteId === remote('fb-desk'))?.text).toContain(TITLE);

    // Delivered once more: nothing is deleted twice, and nothing changes.
    const before = await stack.items();
    expect(await publish('x-desk', 'masto-desk', 'linkedin-desk', 'fb-desk')).toEqual({
      batchItemFailures: [],
    });
    expect(await stack.items()).toEqual(before);
  });

  it('records a post the network will not withdraw for an editor, once, and does not retry it', async () => {
    // A title of its own: LinkedIn refuses a text it had before, even deleted.
    const title = `${TITLE}, refused`;
    articleId = await ingest({ title }, 'withdraw-worker-refused');
    await invoke('compose-article', [JSON.stringify({ articleId, revision: 1 })]);
    expect(await publish('linkedin-desk')).toEqual({ batchItemFailures: [] });
    // A remote id LinkedIn would never take: the client refuses before any call.
    await stack.db.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { PK: `ART#${articleId}`, SK: 'S#linkedin-desk' },
        UpdateExpression: 'SET remoteId = :id',
        ExpressionAttributeValues: { ':id': 'not-a-linkedin-urn' },
      }),
    );
    await ingest({ title, revision: 2, status: 'unpublished' }, 'withdraw-worker-refused');
    await invoke('compose-article', [JSON.stringify({ articleId, revision: 2 })]);

    expect(await publish('linkedin-desk')).toEqual({ batchItemFailures: [] });
    const refused = (await shares())['linkedin-desk'];
    expect(refused).toMatchObject({
      status: 'published',
      withdrawal: { action: 'delete', outcome: 'refused' },
      lastError: expect.stringMatching(/^could not delete the post, delete it by hand: /),
    });
    expect(refused?.history.at(-1)).toMatchObject({ event: 'withdraw-post', to: 'published' });
    const before = await stack.items();
    expect(await publish('linkedin-desk')).toEqual({ batchItemFailures: [] });
    expect(await stack.items()).toEqual(before);
  });

  it('records a post that went out while the article was withdrawn, keeps the cancel request, and withdraws it next', async () => {
    const title = `${TITLE}, withdrawn mid-call`;
    const id = 'withdraw-worker-mid-call';
    articleId = await ingest({ title }, id);
    await invoke('compose-article', [JSON.stringify({ articleId, revision: 1 })]);
    await stack.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queueUrls.publish }));

    const db = stackDocumentClient(stack);
    const mastodon = await clientFor('mastodon');
    if (!mastodon) throw new Error('no Mastodon client');
    // The real client; while its call is out, the CMS withdraws the article and compose runs.
    const racing = {
      ...mastodon,
      async publish(call: Parameters<typeof mastodon.publish>[0]) {
        await ingest({ title, revision: 2, status: 'unpublished' }, id);
        await invoke('compose-article', [JSON.stringify({ articleId, revision: 2 })]);
        return mastodon.publish(call);
      },
    };
    const deps = {
      shares: new DynamoShareStore(db, stack.tableName),
      articles: new DynamoArticleStore(db, stack.tableName),
      channelState: new DynamoChannelStateStore(db, stack.tableName),
      credentials: new ChannelCredentials(),
      publishQueue: new SqsPublishQueue(stack.sqs, stack.queueUrls.publish),
      channels: loadChannelsConfig(configFile()).channels,
      clientFor: (platform: Platform) => (platform === 'mastodon' ? racing : clientFor(platform)),
      clock: systemClock,
      config: readPublishingConfig(),
    };

    const result = await handlePublishMessage(deps, { articleId, channelId: 'masto-desk' });
    expect(result).toMatchObject({
      outcome: 'published',
      share: { status: 'published', cancelRequested: true },
    });
    const masto = (await shares())['masto-desk'];
    expect(masto).toMatchObject({
      status: 'published',
      cancelRequested: true,
      remoteId: expect.any(String),
    });
    // The other shares were still pending: cancelled.
    expect((await shares())['x-desk']?.status).toBe('cancelled');
    // Its own message to withdraw the post, handled as any other.
    expect(await publishMessagesFor(stack, articleId)).toEqual(['masto-desk']);
    expect(await publish('masto-desk')).toEqual({ batchItemFailures: [] });
    const posts = await sandboxPosts();
    expect(posts.find((p) => p.remoteId === masto?.remoteId)?.text).toBe(
      `Desk News withdrew “${title}”.`,
    );
  });

  it('edits a Telegram post to withdrawnText where the delete comes after its 48 hours', async () => {
    let now = Date.now();
    const posts = new SandboxPosts();
    const telegram = await launchTelegramSandbox(
      { posts, faults: new FaultInjector(undefined, 1), log: createLogger({ quiet: true }) },
      { clock: () => now },
    );
    try {
      const db = stackDocumentClient(stack);
      const shareStore = new DynamoShareStore(db, stack.tableName);
      const articleStore = new DynamoArticleStore(db, stack.tableName);
      const channel = channelSchema.parse({
        id: 'telegram-desk',
        platform: 'telegram',
        account: telegram.account,
        template: '{title}\n\n{url}',
        onWithdraw: 'delete',
        withdrawnText: 'Withdrawn: {title}',
      });
      const title = `${TITLE}, two days on`;
      articleId = await ingest({ title }, 'withdraw-worker-telegram');
      const record = await articleStore.get(articleId);
      if (!record) throw new Error('no article');
      const composed = { ...newShare(record, channel, new Date()), media: undefined };
      const client = await clientFor('telegram');
      const sent = await client?.publish({
        share: composed,
        account: telegram.account,
        credentials: telegram.credentials,
        timeoutMs: 5_000,
      });
      if (sent?.kind !== 'published') throw new Error(JSON.stringify(sent));
      const share = { ...composed, status: 'published' as const, remoteId: sent.remoteId };
      expect(await shareStore.createIfAbsent(share)).toBe(true);
      await ingest({ title, revision: 2, status: 'unpublished' }, 'withdraw-worker-telegram');
      now += 49 * 60 * 60_000;

      const result = await withdrawPost(
        {
          shares: shareStore,
          articles: articleStore,
          channelState: new DynamoChannelStateStore(db, stack.tableName),
          credentials: { get: async () => telegram.credentials },
          channels: [channel],
          clientFor,
          clock: systemClock,
          config: readPublishingConfig(),
        },
        share,
      );
      expect(result).toMatchObject({
        outcome: 'withdrawn',
        share: { withdrawal: { action: 'edit', outcome: 'done', text: `Withdrawn: ${title}` } },
      });
      expect(posts.list().find((p) => p.remoteId === sent.remoteId)?.text).toBe(
        `Withdrawn: ${title}`,
      );
    } finally {
      await telegram.stop();
    }
  });
});
