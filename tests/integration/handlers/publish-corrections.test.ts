/**
 * A correction of a published article, against dynalite, fauxqs and the sandbox networks:
 * compose queues one publish message per published post, publish-share edits the post on
 * the networks that edit (Mastodon, LinkedIn, Facebook, Telegram), replies under it or
 * tells the editors elsewhere, and records it; a redelivered message, the same revision
 * again or a retry does nothing twice; a headline change alone only tells the editors.
 */
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor } from '../../../shared/platforms/clients';
import { FUNCTIONS } from '../../../shared/resources';
import { channelConfigForFile } from '../../support/channel-config';
import { publishMessagesFor } from '../../support/handler-stack';
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';
import { postWebhook, sampleArticle } from '../../support/webhook';

const EDITORS = ['masto-desk', 'linkedin-desk', 'fb-desk', 'telegram-desk'];
const config = {
  site: { name: 'Desk News' },
  channels: [
    {
      id: 'masto-desk',
      platform: 'mastodon',
      account: '@newsroom@mastodon.example',
      template: '{title}\n\n{url}',
    },
    { id: 'linkedin-desk', platform: 'linkedin', account: 'Newsroom', template: '{title}' },
    { id: 'fb-desk', platform: 'facebook', account: 'Newsroom', template: '{title} {url}' },
    { id: 'telegram-desk', platform: 'telegram', account: '@newsroom', template: '{title} {url}' },
    { id: 'x-desk', platform: 'x', account: 'newsroom', template: '{title} {url}' },
    {
      id: 'masto-quiet',
      platform: 'mastodon',
      account: '@newsroom@mastodon.example',
      template: 'Quiet: {title}',
      corrections: { onCorrection: 'notify', onHeadline: 'ignore' },
    },
  ],
};
const ALL = config.channels.map((c) => c.id);

type Correction = { revision: number; action: string; outcome: string; note?: string };
type StoredShare = {
  channelId: string;
  status: string;
  remoteId?: string;
  corrections?: Correction[];
  correctionsDue?: unknown[];
  history: { event: string; reason?: string }[];
};
type SandboxPost = { platform: string; remoteId: string; text: string; inReplyToId: string | null };

let stack: TestStack;
let articleId: string;
const TITLE = 'Council approves the river crossing';
const NOTE = 'The council voted 5-4, not 6-3 as an earlier version said.';

channelConfigForFile(config);

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

async function ingest(patch: Record<string, unknown>): Promise<string> {
  const body = { ...sampleArticle(), id: 'correction-worker', title: TITLE, ...patch };
  const response = await postWebhook(
    stack.url,
    stack.secrets.webhookSecret.value,
    JSON.stringify(body),
  );
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

const invoke = (name: string, bodies: string[]) => stack.invoke(name, sqsEvent(bodies));
const compose = (revision: number) =>
  invoke('compose-article', [JSON.stringify({ articleId, revision })]);
const publish = (channels: string[]) =>
  invoke(
    'publish-share',
    channels.map((channelId) => JSON.stringify({ articleId, channelId })),
  );
const purge = () => stack.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queueUrls.publish }));

async function shares(): Promise<Record<string, StoredShare>> {
  const items = (await stack.items()).filter(
    (i) => i.PK === `ART#${articleId}` && String(i.SK).startsWith('S#'),
  ) as unknown as StoredShare[];
  return Object.fromEntries(items.map((s) => [s.channelId, s]));
}

async function sandboxPosts(): Promise<SandboxPost[]> {
  return (await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as SandboxPost[];
}

/** The channels of the correction events in the editors' outbox (`EVENT#post-correction#<article>#<channel>#…`). */
const outbox = async () =>
  (await stack.items())
    .map((i) => String(i.SK))
    .filter((sk) => sk.startsWith(`EVENT#post-correction#${articleId}#`))
    .map((sk) => sk.split('#')[3]);

describe('publish-share: the posts of a corrected article', () => {
  it('edits where the network edits, replies or tells the editors elsewhere, once', async () => {
    articleId = await ingest({});
    expect(await compose(1)).toEqual({ batchItemFailures: [] });
    expect(await publish(ALL)).toEqual({ batchItemFailures: [] });
    const published = await shares();
    for (const share of Object.values(published)) expect(share.status).toBe('published');
    const postOf = (posts: SandboxPost[], channelId: string) =>
      posts.find((p) => p.remoteId === published[channelId]?.remoteId);
    const countBefore = (await sandboxPosts()).length;
    await purge();

    await ingest({ revision: 2, correction: NOTE });
    expect(await compose(2)).toEqual({ batchItemFailures: [] });
    // One message per published post the correction follows.
    expect(await publishMessagesFor(stack, articleId)).toEqual([...ALL].sort());
    expect(await publish(ALL)).toEqual({ batchItemFailures: [] });

    const now = await shares();
    const posts = await sandboxPosts();
    for (const channelId of EDITORS) {
      expect(now[channelId]?.corrections).toEqual([
        expect.objectContaining({ revision: 2, action: 'edit', outcome: 'done' }),
      ]);
      expect(now[channelId]?.correctionsDue).toBeUndefined();
      expect(postOf(posts, channelId)?.text).toContain(`Correction: ${NOTE}`);
      expect(now[channelId]?.history.at(-1)).toMatchObject({
        event: 'correct',
        reason: 'revision 2, a correction: edited the post',
      });
    }
    // X cannot edit: a note under the post where the client posts notes, else the editors.
    const notes = Boolean((await clientFor('x'))?.notes);
    const x = now['x-desk']?.corrections?.[0];
    if (notes) {
      expect(x).toMatchObject({ action: 'reply', outcome: 'done', note: `Correction: ${NOTE}` });
      expect(posts.filter((p) => p.inReplyToId === published['x-desk']?.remoteId)).toHaveLength(1);
    } else {
      expect(x).toMatchObject({ action: 'notify', outcome: 'notified' });
      expect(posts).toHaveLength(countBefore);
    }
    // The channel that asks to be told is told, and its post is left as it was.
    expect(now['masto-quiet']?.corrections?.[0]).toMatchObject({
      action: 'notify',
      outcome: 'notified',
    });
    expect(postOf(posts, 'masto-quiet')?.text).toBe(`Quiet: ${TITLE}`);
    const told = (await outbox()).sort();
    expect(told).toEqual(notes ? ['masto-quiet'] : ['masto-quiet', 'x-desk']);

    // Delivered again, and the same revision sent again: nothing is done twice.
    // (A new delivery of a known revision is remembered; the shares and the outbox stay.)
    expect(await publish(ALL)).toEqual({ batchItemFailures: [] });
    await ingest({ revision: 2, correction: NOTE });
    expect(await compose(2)).toEqual({ batchItemFailures: [] });
    expect(await shares()).toEqual(now);
    expect((await outbox()).sort()).toEqual(told);
    expect(await sandboxPosts()).toEqual(posts);
  });

  it('only tells the editors of a new headline, and edits nothing', async () => {
    await purge();
    const postsBefore = await sandboxPosts();
    await ingest({ revision: 3, title: `${TITLE}, narrowly` });
    expect(await compose(3)).toEqual({ batchItemFailures: [] });
    // masto-quiet ignores a new headline: recorded, nothing sent.
    const sent = await publishMessagesFor(stack, articleId);
    expect(sent).toEqual(ALL.filter((id) => id !== 'masto-quiet').sort());
    expect(await publish(sent)).toEqual({ batchItemFailures: [] });
    const now = await shares();
    for (const channelId of sent) {
      expect(now[channelId]?.corrections?.at(-1)).toMatchObject({
        revision: 3,
        action: 'notify',
        outcome: 'notified',
      });
    }
    expect(now['masto-quiet']?.corrections?.at(-1)).toMatchObject({
      revision: 3,
      action: 'ignore',
      outcome: 'ignored',
    });
    expect(await sandboxPosts()).toEqual(postsBefore);
  });
});
