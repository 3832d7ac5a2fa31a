/**
 * Syndication links back to the CMS, through the running local stack: each published
 * share is announced to a loopback receiver that verifies the Standard Webhooks signature
 * with the syndication secret, retried with backoff, and dead-lettered when the CMS
 * never answers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyStandardWebhook } from '../../shared/ingest/standard-webhooks';
import { QUEUES } from '../../shared/resources';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postGhostWebhook, postWebhook, sampleArticle } from '../support/webhook';

type Delivery = {
  path: string;
  headers: Record<string, string>;
  body: string;
  verified: boolean;
  /** the share as the editor API showed it when the webhook arrived */
  shareStatus?: string;
};
type Answer = 'ok' | 'error' | 'hang';

/** A CMS endpoint on loopback: verifies each delivery, answers as its script says. */
type Receiver = {
  server: Server;
  url: string;
  deliveries: Delivery[];
  /** per `<path>#<channel id>`, the answers to give in turn; `ok` once the script runs out */
  script: Map<string, Answer[]>;
};

let stack: TestStack;
let receiver: Receiver;
let token: string;
const saved: Record<string, string | undefined> = {};

function setEnv(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
}

async function startReceiver(): Promise<Receiver> {
  const state: Receiver = { server: createServer(), url: '', deliveries: [], script: new Map() };
  state.server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
    );
    const channelId = (() => {
      try {
        return String(JSON.parse(body.toString()).data.channel.id);
      } catch {
        return '';
      }
    })();
    let verified = false;
    try {
      verifyStandardWebhook(stack.secrets.syndicationSecret.value, headers, body);
      verified = true;
    } catch {
      verified = false;
    }
    const delivery: Delivery = { path: req.url ?? '', headers, body: body.toString(), verified };
    // What the table held when the CMS heard of the post.
    if (verified) {
      const { data } = JSON.parse(delivery.body) as {
        data: { article: { id: string }; channel: { id: string } };
      };
      const { body: view } = await getJson(stack.url, `/api/articles/${data.article.id}`, token);
      delivery.shareStatus = (
        view as { shares: { channelId: string; status: string }[] }
      ).shares.find((s) => s.channelId === data.channel.id)?.status;
    }
    state.deliveries.push(delivery);
    const answer = state.script.get(`${req.url ?? ''}#${channelId}`)?.shift() ?? 'ok';
    if (answer === 'hang') return; // no answer: the sender's timeout decides
    res.writeHead(answer === 'ok' ? 204 : 503).end();
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

beforeAll(async () => {
  receiver = await startReceiver();
  const config = {
    channels: [
      {
        id: 'mastodon-desk',
        platform: 'mastodon',
        account: '@desk@mastodon.example',
        template: '{title} {url}',
      },
      {
        id: 'bluesky-desk',
        platform: 'bluesky',
        account: 'desk.bsky.social',
        template: '{title} {url}',
      },
    ],
    syndication: {
      url: `${receiver.url}/hooks/crier`,
      sources: { ghost: `${receiver.url}/hooks/ghost`, wordpress: `${receiver.url}/hooks/down` },
      timeoutSeconds: 1,
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'crier-config-')), 'channels.json');
  writeFileSync(file, JSON.stringify(config));
  setEnv({
    CRIER_CONFIG: file,
    CRIER_SYNDICATION_BACKOFF_BASE_SECONDS: '1',
    CRIER_SYNDICATION_BACKOFF_MAX_SECONDS: '2',
  });
  // Three attempts before the dead-letter queue, so the test sees it within seconds.
  stack = await startTestStack({
    queues: { ...QUEUES, syndicate: { ...QUEUES.syndicate, maxReceiveCount: 3 } },
  });
  token = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
  receiver?.server.closeAllConnections();
  await new Promise((resolve) => receiver?.server.close(resolve));
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

type Share = {
  channelId: string;
  platform: string;
  status: string;
  remoteId: string | null;
  remoteUrl: string | null;
  syndicatedAt: string | null;
  syndicationError: string | null;
  history: unknown[];
};

async function sharesOf(articleId: string): Promise<Share[]> {
  const { status, body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
  expect(status).toBe(200);
  return (body as { shares: Share[] }).shares;
}

const deliveriesTo = (path: string) => receiver.deliveries.filter((d) => d.path === path);

describe('syndication links back to the CMS', () => {
  it('tells the CMS of each published post once, signed, after the share is recorded published', async () => {
    const response = await postWebhook(
      stack.url,
      stack.secrets.webhookSecret.value,
      JSON.stringify(sampleArticle()),
    );
    expect(response.status).toBe(202);
    const { articleId } = response.body as { articleId: string };

    const shares = await vi.waitFor(
      async () => {
        const found = await sharesOf(articleId);
        expect(found).toHaveLength(2);
        for (const share of found) expect(share.syndicatedAt).not.toBeNull();
        return found;
      },
      { timeout: 30_000, interval: 250 },
    );
    const deliveries = deliveriesTo('/hooks/crier');
    expect(deliveries).toHaveLength(2);
    for (const share of shares) {
      expect(share).toMatchObject({ status: 'published', syndicationError: null });
      const delivery = deliveries.find(
        (d) => JSON.parse(d.body).data.channel.id === share.channelId,
      );
      expect(delivery).toMatchObject({ verified: true, shareStatus: 'published' });
      expect(delivery?.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(JSON.parse(delivery?.body ?? '{}')).toEqual({
        type: 'share.published',
        timestamp: expect.any(String),
        data: {
          article: {
            id: articleId,
            source: 'generic',
            sourceId: 'lv-2019-11-12-trump-bolivia',
            url: 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/',
            title: 'Trump Declares Support for Coup in Bolivia',
          },
          channel: { id: share.channelId, name: null, account: expect.any(String), round: 1 },
          network: share.platform,
          post: { id: share.remoteId, url: share.remoteUrl, publishedAt: expect.any(String) },
        },
      });
    }
    // Telling the CMS changed no share's state: the last history entry is the publish.
    for (const share of shares) {
      expect(share.history.at(-1)).toMatchObject({ event: 'succeed', to: 'published' });
    }
  });

  it('retries with backoff, under the same webhook-id, until the CMS answers', async () => {
    // For each share the Ghost endpoint fails with a 503, then does not answer in time,
    // then takes it: the third and last attempt the test's queue allows.
    for (const channel of ['mastodon-desk', 'bluesky-desk']) {
      receiver.script.set(`/hooks/ghost#${channel}`, ['error', 'hang']);
    }
    const ghost = JSON.parse(
      readFileSync('tests/fixtures/webhooks/ghost-post-published.json', 'utf8'),
    );
    const published = await postGhostWebhook(
      stack.url,
      stack.secrets.ghostSecret.value,
      JSON.stringify(ghost),
    );
    expect(published.status).toBe(202);
    const { articleId } = published.body as { articleId: string };

    const shares = await vi.waitFor(
      async () => {
        const found = await sharesOf(articleId);
        expect(found).toHaveLength(2);
        for (const share of found) expect(share.syndicatedAt).not.toBeNull();
        return found;
      },
      { timeout: 60_000, interval: 500 },
    );
    const deliveries = deliveriesTo('/hooks/ghost');
    expect(deliveries).toHaveLength(6);
    for (const delivery of deliveries) expect(delivery.verified).toBe(true);
    for (const share of shares) {
      expect(share).toMatchObject({ status: 'published', syndicationError: null });
      const ids = new Set(
        deliveries
          .filter((d) => JSON.parse(d.body).data.channel.id === share.channelId)
          .map((d) => d.headers['webhook-id']),
      );
      expect(ids.size).toBe(1);
    }
  });

  it('records why the CMS could not be told, and leaves the message in the dead-letter queue', async () => {
    for (const channel of ['mastodon-desk', 'bluesky-desk']) {
      receiver.script.set(`/hooks/down#${channel}`, Array(20).fill('error'));
    }
    const wordpress = readFileSync('tests/fixtures/webhooks/wordpress-post.json', 'utf8');
    const published = await postWebhook(stack.url, stack.secrets.webhookSecret.value, wordpress, {
      path: '/webhooks/wordpress',
    });
    expect(published.status).toBe(202);
    const { articleId } = published.body as { articleId: string };

    await vi.waitFor(
      async () => {
        const { Attributes } = await stack.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: stack.dlqUrls.syndicate,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        expect(Number(Attributes?.ApproximateNumberOfMessages)).toBe(2);
      },
      { timeout: 60_000, interval: 500 },
    );
    const shares = await sharesOf(articleId);
    for (const share of shares) {
      expect(share.status).toBe('published');
      expect(share.syndicatedAt).toBeNull();
      expect(share.syndicationError).toMatch(/^the CMS answered HTTP 503 \(attempt 3 of/);
      // The URL the operator configured never shows in the error.
      expect(share.syndicationError).not.toContain(receiver.url);
    }
    expect(deliveriesTo('/hooks/down')).toHaveLength(6);
  });
});
