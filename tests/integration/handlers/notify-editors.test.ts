/**
 * The editors' notifications on the local stack (dynalite, fauxqs's SNS and SQS, the
 * sandbox receiver): targets set through the API and shown as set or unset only; a
 * failed share reaches each target exactly once, however often its message is handled,
 * the notifier runs, or it dies between sending and marking; a draft left waiting is
 * reminded of once; no secret is in an answer, the audit or a message.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SNSClient,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import { NOTIFICATION_TOPIC } from '../../../infra/local/sandbox/notifications';
import { scheduledEvent } from '../../../infra/local/scheduler';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { channelSchema } from '../../../shared/domain/channel';
import { articleIdFor } from '../../../shared/domain/ids';
import type { Share } from '../../../shared/domain/share';
import { FUNCTIONS } from '../../../shared/resources';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { callEditorApi } from '../../support/editor-api';
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let admin: string;
let db: DynamoDBDocumentClient;
let webhookSecret = '';

/** Every line the runtime and the handlers write, at debug level, with events logged if anything would. */
const captured: string[] = [];
const LOUD: Record<string, string> = {
  POWERTOOLS_LOG_LEVEL: 'DEBUG',
  POWERTOOLS_LOGGER_LOG_EVENT: 'true',
  CRIER_LOG_LEVEL: 'debug',
  CRIER_LOG_FORMAT: 'json',
};
const saved = Object.fromEntries(Object.keys(LOUD).map((k) => [k, process.env[k]]));
const writers = { stdout: process.stdout.write, stderr: process.stderr.write };

function capture(): void {
  const take = ((chunk: unknown) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = take;
  process.stderr.write = take;
}

function release(): void {
  process.stdout.write = writers.stdout;
  process.stderr.write = writers.stderr;
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

beforeAll(async () => {
  Object.assign(process.env, LOUD);
  capture();
  stack = await startTestStack({
    quiet: false,
    logSink: (entry) => captured.push(JSON.stringify(entry)),
    functions: {
      'editor-api': FUNCTIONS['editor-api'],
      'publish-share': { ...FUNCTIONS['publish-share'], sqs: undefined },
      'notify-editors': { ...FUNCTIONS['notify-editors'], rules: undefined },
    },
    sandboxes: false,
  });
  admin = stack.secrets.editorToken.value;
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
});

afterAll(async () => {
  try {
    await stack?.dispose();
  } finally {
    release();
  }
});

type Json = Record<string, unknown>;

const call = (method: string, path: string, body?: unknown, token = admin) =>
  callEditorApi<Json>(stack.url, { method, path, token, body });

const slackUrl = () => `${stack.url}/sandbox/slack/T000-B000-SECRETslackTOKEN`;
const notifyOnce = () =>
  stack.invoke('notify-editors', scheduledEvent('notify-editors', new Date()) as ScheduledEvent);

type Received = { target: string; batchId: string; body: unknown; to: string };
async function received(): Promise<{ notifications: Received[]; repeats: number }> {
  const response = await fetch(new URL('/sandbox/notifications', stack.url));
  return (await response.json()) as { notifications: Received[]; repeats: number };
}

const channel = channelSchema.parse({
  id: 'masto-desk',
  platform: 'mastodon',
  account: '@desk@social.example',
  template: '{title} {url}',
});

async function storeShare(id: string, patch: (share: Share) => Share, ago: number) {
  const now = new Date(Date.now() - ago);
  const article = parseGenericArticle({
    id,
    url: `https://news.example.org/2026/${id}`,
    title: `Council approves the river crossing (${id})`,
    publishedAt: now.toISOString(),
  });
  const record = {
    articleId: articleIdFor('generic', article.sourceId),
    article,
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const clock = { now: () => now };
  await new DynamoArticleStore(db, stack.tableName, clock).putRevision(record);
  const share = patch(newShare(record, channel, now));
  await new DynamoShareStore(db, stack.tableName).createIfAbsent(share);
  return share;
}

describe('setting the targets', () => {
  it('refuses a bad body naming the fields, and writes nothing', async () => {
    const bad = await call('PUT', '/api/sites/default/notifications', {
      slackWebhookUrl: 'not a url',
      webhook: { url: 'ftp://x' },
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('slackWebhookUrl');
    const sites = await call('GET', '/api/sites');
    const site = (sites.body.sites as Json[]).find((s) => s.id === 'default');
    expect(site?.notifications).toMatchObject({
      slack: false,
      email: false,
      webhook: { set: false },
    });
  });

  it('keeps the secrets, answers set or unset, and shows the webhook key once', async () => {
    const set = await call('PUT', '/api/sites/default/notifications', {
      slackWebhookUrl: slackUrl(),
      email: true,
      webhook: { url: `${stack.url}/sandbox/notify-webhook` },
      approvalReminderMinutes: 60,
    });
    expect(set.status).toBe(200);
    expect(set.body.notifications).toEqual({
      slack: true,
      email: true,
      emailAddresses: [],
      webhook: { set: true, origin: stack.url },
      approvalReminderMinutes: 60,
    });
    webhookSecret = String(set.body.webhookSecret);
    expect(webhookSecret).toMatch(/^whsec_/);
    const again = await call('PUT', '/api/sites/default/notifications', { email: true });
    expect(again.body.webhookSecret).toBeUndefined();

    const seen = JSON.stringify([
      again.body,
      (await call('GET', '/api/sites')).body,
      (await call('GET', '/api/audit')).body,
    ]);
    expect(seen).not.toContain('SECRETslackTOKEN');
    expect(seen).not.toContain(webhookSecret);
    expect(seen).toContain('site.notifications-changed');
  });

  it('sends a test to each target', async () => {
    const test = await call('POST', '/api/sites/default/notifications/test');
    expect(test.status).toBe(200);
    expect(test.body.results).toEqual([
      { target: 'slack', ok: true },
      { target: 'email', ok: true },
      { target: 'webhook', ok: true },
    ]);
    const { notifications } = await received();
    expect(notifications.map((n) => n.target).sort()).toEqual(['email', 'slack', 'webhook']);
  });

  it("subscribes the addresses to the topic for the site's digests, and unsubscribes the ones left out", async () => {
    const sns = new SNSClient({
      endpoint: stack.sqsEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const { Topics } = await sns.send(new ListTopicsCommand({}));
      const TopicArn = Topics?.find((t) =>
        t.TopicArn?.endsWith(`:${NOTIFICATION_TOPIC}`),
      )?.TopicArn;
      const emails = async () => {
        const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
        return (Subscriptions ?? []).filter((s) => s.Protocol === 'email');
      };

      const set = await call('PUT', '/api/sites/default/notifications', {
        emailAddresses: ['desk@news.example.org', 'night@news.example.org'],
      });
      expect(set.status).toBe(200);
      // fauxqs lists a subscription by its ARN at once, as SNS does once it is confirmed.
      expect(set.body.notifications).toMatchObject({
        email: true,
        emailAddresses: [
          { address: 'desk@news.example.org', state: 'confirmed' },
          { address: 'night@news.example.org', state: 'confirmed' },
        ],
      });
      const subscribed = await emails();
      expect(subscribed.map((s) => s.Endpoint).sort()).toEqual([
        'desk@news.example.org',
        'night@news.example.org',
      ]);
      for (const subscription of subscribed) {
        const { Attributes } = await sns.send(
          new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription.SubscriptionArn }),
        );
        expect(JSON.parse(Attributes?.FilterPolicy ?? '{}')).toEqual({ site: ['default'] });
      }

      // The same list again changes nothing; one left out is unsubscribed.
      const kept = await call('PUT', '/api/sites/default/notifications', {
        emailAddresses: ['desk@news.example.org'],
      });
      expect((kept.body.notifications as Json).emailAddresses).toEqual([
        { address: 'desk@news.example.org', state: 'confirmed' },
      ]);
      const left = await emails();
      expect(left.map((s) => s.SubscriptionArn)).toEqual(
        subscribed
          .filter((s) => s.Endpoint === 'desk@news.example.org')
          .map((s) => s.SubscriptionArn),
      );
      const listed = await call('GET', '/api/sites');
      const site = (listed.body.sites as Json[]).find((s) => s.id === 'default');
      expect(site?.notifications).toHaveProperty('emailAddresses');
      expect((site?.notifications as Json | undefined)?.emailAddresses).toEqual([
        { address: 'desk@news.example.org', state: 'confirmed' },
      ]);

      // The address leaves by the link in a digest; listing it again subscribes it anew.
      const [desk] = left;
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: desk?.SubscriptionArn }));
      const gone = await call('GET', '/api/sites');
      const goneSite = (gone.body.sites as Json[]).find((s) => s.id === 'default');
      expect((goneSite?.notifications as Json | undefined)?.emailAddresses).toEqual([
        { address: 'desk@news.example.org', state: 'unsubscribed' },
      ]);
      const back = await call('PUT', '/api/sites/default/notifications', {
        emailAddresses: ['desk@news.example.org'],
      });
      expect((back.body.notifications as Json).emailAddresses).toEqual([
        { address: 'desk@news.example.org', state: 'confirmed' },
      ]);
      const renewed = await emails();
      expect(renewed.map((s) => s.Endpoint)).toEqual(['desk@news.example.org']);
      expect(renewed[0]?.SubscriptionArn).not.toBe(desk?.SubscriptionArn);
    } finally {
      sns.destroy();
    }
  });

  it('refuses a list with a bad or repeated address, naming the field, and subscribes nobody', async () => {
    const bad = await call('PUT', '/api/sites/default/notifications', {
      emailAddresses: ['desk@news.example.org', 'DESK@news.example.org', 'not an address'],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('emailAddresses');
    const listed = await call('GET', '/api/sites');
    const site = (listed.body.sites as Json[]).find((s) => s.id === 'default');
    expect(site?.notifications).toHaveProperty('emailAddresses');
    expect((site?.notifications as Json | undefined)?.emailAddresses).toHaveLength(1);
  });
});

describe('a failed share', () => {
  it('reaches each target exactly once: message handled twice, notifier run twice, and a crash between send and mark', async () => {
    const before = (await received()).notifications.length;
    const share = await storeShare(
      'notify-failed',
      (s) => ({ ...s, status: 'failed', lastError: 'auth: HTTP 401: token revoked' }),
      60_000,
    );
    const message = JSON.stringify({ articleId: share.articleId, channelId: share.channelId });
    await stack.invoke('publish-share', sqsEvent([message]));
    await stack.invoke('publish-share', sqsEvent([message]));

    expect(await notifyOnce()).toMatchObject({ batches: 1, sent: 3, failed: 0 });
    expect(await notifyOnce()).toMatchObject({ batches: 0, sent: 0 });

    // As if the notifier died after sending, before marking the batch sent: the batch
    // open again, its events already recorded as sent or not.
    const items = await stack.items();
    const batch = items.find(
      (i) => String(i.PK).startsWith('NOTIFIED#') && String(i.SK).startsWith('BATCH#'),
    );
    expect(batch).toBeDefined();
    expect(items.filter((i) => String(i.PK).startsWith('NOTIFY#'))).toEqual([]);
    await db.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          ...batch,
          PK: String(batch?.PK).replace('NOTIFIED#', 'NOTIFY#'),
          state: 'open',
          pending: ['slack', 'email', 'webhook'],
          expiresAt: undefined,
        },
      }),
    );
    expect(await notifyOnce()).toMatchObject({ batches: 0, sent: 3 });
    // The same message handled once more, after the event was sent: nothing new.
    await stack.invoke('publish-share', sqsEvent([message]));
    expect(await notifyOnce()).toMatchObject({ batches: 0, sent: 0 });

    const { notifications, repeats } = await received();
    const fresh = notifications.slice(before);
    expect(fresh.map((n) => n.target).sort()).toEqual(['email', 'slack', 'webhook']);
    expect(repeats).toBe(3);
    // The messages themselves (the receiver's own record names the hook it was called at).
    const text = JSON.stringify(fresh.map((n) => n.body));
    expect(text).toContain('Council approves the river crossing (notify-failed)');
    expect(text).toContain('auth: HTTP 401: token revoked');
    expect(text).not.toContain('SECRETslackTOKEN');
    expect(text).not.toContain(webhookSecret);
  });
});

describe('a draft left waiting', () => {
  it('is reminded of once', async () => {
    const before = (await received()).notifications.length;
    await storeShare('notify-draft', (s) => ({ ...s, status: 'draft' }), 90 * 60_000);
    expect(await notifyOnce()).toMatchObject({ reminders: 1, batches: 1 });
    expect(await notifyOnce()).toMatchObject({ reminders: 0, batches: 0 });
    const fresh = (await received()).notifications.slice(before);
    expect(fresh).toHaveLength(3);
    expect(JSON.stringify(fresh)).toContain('Waiting for approval');
  });
});

describe('the logs', () => {
  it('hold no Slack URL, webhook key or editor token, though they saw every step', async () => {
    const lines = captured.join('\n');
    expect(lines).toContain('notify-editors');
    expect(lines).not.toContain('SECRETslackTOKEN');
    expect(lines).not.toContain(webhookSecret);
    expect(lines).not.toContain(webhookSecret.slice(6));
    expect(lines).not.toContain(admin);
  });
});
