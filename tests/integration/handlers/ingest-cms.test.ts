/** POST /webhooks/wordpress and /webhooks/ghost through the local gateway, table and queue. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articleIdFor } from '../../../shared/domain/ids';
import { signGhostWebhook } from '../../../shared/ingest/ghost';
import { ghostBody, ghostPayload, wordpressBody } from '../../support/cms-payloads';
import { drainQueue, INGEST_FUNCTIONS } from '../../support/handler-stack';
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';
import { postGhostWebhook, postWebhook } from '../../support/webhook';

// No compose consumer: what ingest queues stays on the queue for the test to see.
let stack: TestStack;
let webhookSecret: string;
let ghostSecret: string;

beforeAll(async () => {
  stack = await startTestStack({
    functions: INGEST_FUNCTIONS,
  });
  webhookSecret = stack.secrets.webhookSecret.value;
  ghostSecret = stack.secrets.ghostSecret.value;
});

afterAll(async () => {
  await stack?.dispose();
});

const postWordPress = (body: string, options: { deliveryId?: string; timestamp?: number } = {}) =>
  postWebhook(stack.url, webhookSecret, body, { ...options, path: '/webhooks/wordpress' });

/** Takes what ingest queued for compose off the queue. */
const drainComposeQueue = () => drainQueue(stack, 'compose');

/** Composes what was queued, as the compose consumer would: the revision is then done. */
const compose = (messages: unknown[]) =>
  stack.invoke('compose-article', sqsEvent(messages.map((m) => JSON.stringify(m))));

const articleItem = async (articleId: string) =>
  (await stack.items()).find((item) => item.PK === `ART#${articleId}` && item.SK === 'A');

describe('POST /webhooks/wordpress', () => {
  it('refuses unsigned, stale, malformed and oversized posts, naming WordPress fields, and writes nothing', async () => {
    const before = await stack.items();
    const unsigned = await fetch(new URL('/webhooks/wordpress', stack.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: wordpressBody(),
    });
    expect(unsigned.status).toBe(401);
    // Ghost's signature is not the one this route takes.
    const ghostSigned = await fetch(new URL('/webhooks/wordpress', stack.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-ghost-signature': signGhostWebhook(ghostSecret, wordpressBody(), Date.now()),
      },
      body: wordpressBody(),
    });
    expect(ghostSigned.status).toBe(401);
    const stale = await postWordPress(wordpressBody(), {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(stale.status).toBe(401);
    const invalid = await postWordPress(wordpressBody({ link: 'not a link', modified_gmt: null }));
    expect(invalid).toMatchObject({
      status: 400,
      body: {
        error: 'invalid_request',
        fields: [{ field: 'modified_gmt' }],
      },
    });
    const badLink = await postWordPress(wordpressBody({ link: 'not a link' }));
    expect(badLink).toMatchObject({ status: 400, body: { fields: [{ field: 'link' }] } });
    const huge = await postWordPress(
      wordpressBody({ content: { rendered: 'x'.repeat(300 * 1024), protected: false } }),
    );
    expect(huge.status).toBe(413);

    expect(await stack.items()).toEqual(before);
    expect(await stack.queueDepth('compose')).toBe(0);
  });

  it('stores the post as a wordpress article, queues it, and a redelivery or resend changes nothing', async () => {
    const first = await postWordPress(wordpressBody(), { deliveryId: 'msg_wp_first' });
    expect(first.status).toBe(202);
    const { articleId } = first.body as { articleId: string };
    expect(articleId).toBe(articleIdFor('wordpress', '41872'));
    expect(articleId).not.toBe(articleIdFor('generic', '41872'));
    expect(await articleItem(articleId)).toMatchObject({
      article: {
        source: 'wordpress',
        title: 'Trump Declares Support for Coup in Bolivia',
        section: 'Latin America',
        status: 'published',
      },
    });
    const queued = await drainComposeQueue();
    expect(queued).toEqual([{ articleId, revision: Date.parse('2019-11-12T15:30:00Z') }]);
    await compose(queued);

    const before = await stack.items();
    expect(await postWordPress(wordpressBody(), { deliveryId: 'msg_wp_first' })).toEqual(first);
    expect(await postWordPress(wordpressBody())).toEqual(first);
    const after = await stack.items();
    // Only the new delivery's guard is new, and the sweep's marker for the revision
    // (written before it is known to be a duplicate; the sweep clears it).
    const kept = (item: Record<string, unknown>) =>
      !String(item.PK).startsWith('WH#') && item.PK !== 'COMPOSE';
    expect(after.filter(kept)).toEqual(before.filter(kept));
    expect(await stack.queueDepth('compose')).toBe(0);
  });

  it('withdraws a trashed post, and changes nothing for a draft it never had', async () => {
    const first = await postWordPress(wordpressBody({ id: 5001 }));
    const { articleId } = first.body as { articleId: string };
    await drainComposeQueue();
    const trashed = await postWordPress(
      wordpressBody({ id: 5001, status: 'trash', modified_gmt: '2019-11-13T08:00:00' }),
    );
    expect(trashed).toEqual(first);
    expect(await articleItem(articleId)).toMatchObject({
      revision: Date.parse('2019-11-13T08:00:00Z'),
      article: { status: 'deleted', title: 'Trump Declares Support for Coup in Bolivia' },
    });
    expect(await drainComposeQueue()).toEqual([
      { articleId, revision: Date.parse('2019-11-13T08:00:00Z') },
    ]);

    const draft = await postWordPress(wordpressBody({ id: 5002, status: 'draft' }));
    expect(draft.status).toBe(202);
    const draftId = (draft.body as { articleId: string }).articleId;
    expect(await articleItem(draftId)).toBeUndefined();
    expect(await stack.queueDepth('compose')).toBe(0);
  });
});

describe('POST /webhooks/ghost', () => {
  it('refuses unsigned, wrongly signed, stale, malformed and oversized payloads, and writes nothing', async () => {
    const before = await stack.items();
    const unsigned = await fetch(new URL('/webhooks/ghost', stack.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: ghostBody(),
    });
    expect(unsigned.status).toBe(401);
    // The generic webhook's signature is no Ghost signature.
    const standard = await postWebhook(stack.url, webhookSecret, ghostBody(), {
      path: '/webhooks/ghost',
    });
    expect(standard.status).toBe(401);
    const otherKey = await postGhostWebhook(stack.url, '0'.repeat(64), ghostBody());
    expect(otherKey.status).toBe(401);
    const stale = await postGhostWebhook(stack.url, ghostSecret, ghostBody(), {
      t: Date.now() - 6 * 60_000,
    });
    expect(stale.status).toBe(401);
    const notJson = await postGhostWebhook(stack.url, ghostSecret, '{"post": ');
    expect(notJson).toMatchObject({ status: 400, body: { fields: [{ field: '(body)' }] } });
    const invalid = await postGhostWebhook(stack.url, ghostSecret, ghostBody({ url: null }));
    expect(invalid).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', fields: [{ field: 'post.current.url' }] },
    });
    const huge = await postGhostWebhook(
      stack.url,
      ghostSecret,
      ghostBody({ html: 'x'.repeat(1024 * 1024) }),
    );
    expect(huge.status).toBe(413);

    expect(await stack.items()).toEqual(before);
    expect(await stack.queueDepth('compose')).toBe(0);
  });

  it('stores the post as a ghost article, and Ghost retrying the same delivery changes nothing', async () => {
    const t = Date.now();
    const body = ghostBody();
    const first = await postGhostWebhook(stack.url, ghostSecret, body, { t });
    expect(first.status).toBe(202);
    const { articleId } = first.body as { articleId: string };
    expect(articleId).toBe(articleIdFor('ghost', '5dcaf3e1c7a8d20001a4b2f1'));
    expect(await articleItem(articleId)).toMatchObject({
      article: { source: 'ghost', authors: [{ name: 'Ana Rivera', handles: { x: '@anarivera' } }] },
    });
    const queued = await drainComposeQueue();
    expect(queued).toEqual([{ articleId, revision: Date.parse('2019-11-12T15:30:00.000Z') }]);
    await compose(queued);
    const guards = (await stack.items()).filter((item) => String(item.PK).startsWith('WH#ghost#'));
    expect(guards).toHaveLength(1);

    const before = await stack.items();
    expect(await postGhostWebhook(stack.url, ghostSecret, body, { t })).toEqual(first);
    expect(await stack.items()).toEqual(before);
    // The same post sent again as a new delivery: the revision is known, nothing moves.
    expect(await postGhostWebhook(stack.url, ghostSecret, body, { t: t + 5 })).toEqual(first);
    expect(await stack.queueDepth('compose')).toBe(0);
  });

  it('takes an edit as a new revision, then the unpublishing and the deletion as withdrawals', async () => {
    const id = '5dcaf3e1c7a8d20001a4b999';
    const published = await postGhostWebhook(stack.url, ghostSecret, ghostBody({ id }));
    const { articleId } = published.body as { articleId: string };
    const edited = await postGhostWebhook(
      stack.url,
      ghostSecret,
      ghostBody({ id, title: 'Edited headline', updated_at: '2019-11-12T16:00:00.000Z' }),
    );
    expect(edited.body).toEqual({ articleId });
    expect(await articleItem(articleId)).toMatchObject({ article: { title: 'Edited headline' } });

    const unpublished = await postGhostWebhook(
      stack.url,
      ghostSecret,
      ghostBody({ id, status: 'draft', updated_at: '2019-11-12T17:00:00.000Z' }),
    );
    expect(unpublished.body).toEqual({ articleId });
    expect(await articleItem(articleId)).toMatchObject({
      revision: Date.parse('2019-11-12T17:00:00.000Z'),
      article: { status: 'unpublished', title: 'Edited headline' },
    });

    const previous = ghostPayload({ id, status: 'draft', updated_at: '2019-11-12T17:00:00.000Z' })
      .post.current;
    const deleted = await postGhostWebhook(
      stack.url,
      ghostSecret,
      JSON.stringify({ post: { current: {}, previous } }),
    );
    expect(deleted.body).toEqual({ articleId });
    expect(await articleItem(articleId)).toMatchObject({ article: { status: 'deleted' } });
    expect((await drainComposeQueue()).map((m) => (m as { revision: number }).revision)).toEqual([
      Date.parse('2019-11-12T15:30:00.000Z'),
      Date.parse('2019-11-12T16:00:00.000Z'),
      Date.parse('2019-11-12T17:00:00.000Z'),
      Date.parse('2019-11-12T17:00:00.000Z') + 1,
    ]);
  });
});
