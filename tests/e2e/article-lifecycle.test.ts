/**
 * An article's life on the running local stack, as the CMS drives it: published (a post
 * on every network), revised before the delayed shares fall due (their text follows the
 * new title, an editor's own text stays), then unpublished (what is pending is
 * cancelled, and each published post is deleted, edited or kept as its channel says).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/local-aws';
import { DEFAULT_CHANNELS } from '../../shared/config/default-channels';
import type { Platform } from '../../shared/domain/platform';
import { DynamoShareStore } from '../../shared/store/share-store';
import { channelConfigForFile, laterChannels } from '../support/channel-config';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

type Share = {
  channelId: string;
  platform: Platform;
  status: string;
  text: string;
  articleRevision: number;
  remoteId: string | null;
  cancelRequested: boolean;
  withdrawal: { action: string; outcome: string; text?: string } | null;
  history: { event: string; reason?: string }[];
};
type SandboxPost = { platform: string; remoteId: string; text: string };

const NOTICE = '{site} has withdrawn this article: {title}';
/** What each network's channel does with its post once the article is withdrawn. */
const ON_WITHDRAW: Record<Platform, 'keep' | 'delete' | 'edit'> = {
  x: 'delete',
  bluesky: 'delete',
  mastodon: 'edit',
  threads: 'delete',
  linkedin: 'edit',
  facebook: 'delete',
  instagram: 'keep',
  telegram: 'edit',
};
const config = {
  site: { name: 'Desk News' },
  channels: [
    ...DEFAULT_CHANNELS.map((channel) => ({
      ...channel,
      onWithdraw: ON_WITHDRAW[channel.platform],
      ...(ON_WITHDRAW[channel.platform] === 'edit' ? { withdrawnText: NOTICE } : {}),
    })),
    // Due in half an hour: still pending when the revisions come.
    ...laterChannels(30),
  ],
};
const ASAP = DEFAULT_CHANNELS.map((c) => c.id);
const EDITED_TEXT = 'Our desk’s own words on this story https://www.leftvoice.org/';

let stack: TestStack;
let token: string;

channelConfigForFile(config);

beforeAll(async () => {
  stack = await startTestStack({ tickSeconds: 1 });
  token = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
});

const headline = (revision: number) =>
  revision === 1
    ? 'Trump Declares Support for Coup in Bolivia (lifecycle)'
    : 'Bolivia: the Coup and the Response, Updated (lifecycle)';

async function send(patch: Record<string, unknown>): Promise<string> {
  const article = { ...sampleArticle(), id: 'lifecycle', title: headline(1), ...patch };
  const response = await postWebhook(
    stack.url,
    stack.secrets.webhookSecret.value,
    JSON.stringify(article),
  );
  expect(response.status).toBe(202);
  return (response.body as { articleId: string }).articleId;
}

async function sharesWhen(
  articleId: string,
  check: (shares: Record<string, Share>) => void,
  timeout = 40_000,
): Promise<Record<string, Share>> {
  return vi.waitFor(
    async () => {
      const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
      const shares = Object.fromEntries(
        (body as { shares: Share[] }).shares.map((s) => [s.channelId, s]),
      );
      check(shares);
      return shares;
    },
    { timeout, interval: 250 },
  );
}

async function sandboxPosts(): Promise<SandboxPost[]> {
  return (await (await fetch(new URL('/sandbox/posts', stack.url))).json()) as SandboxPost[];
}

describe('an article from publication to withdrawal', () => {
  it('follows the CMS: every network, a revision before the delayed shares, then unpublished', async () => {
    // 1. Published: a post on every network; the delayed shares wait.
    const articleId = await send({});
    const first = await sharesWhen(articleId, (shares) => {
      for (const id of ASAP) expect(shares[id]?.status).toBe('published');
      expect(shares['bluesky-later']?.status).toBe('scheduled');
      expect(shares['mastodon-later']?.status).toBe('scheduled');
    });
    const posts = await sandboxPosts();
    const postOf = (all: SandboxPost[], channelId: string) =>
      all.find((p) => p.remoteId === first[channelId]?.remoteId);
    for (const id of ASAP) expect(postOf(posts, id)).toBeDefined();

    // An editor rewrites one delayed share (set in the table as the editor API does).
    const shares = new DynamoShareStore(
      DynamoDBDocumentClient.from(
        new DynamoDBClient({
          endpoint: stack.dynamoEndpoint,
          region: LOCAL_REGION,
          credentials: LOCAL_CREDENTIALS,
        }),
        { marshallOptions: { removeUndefinedValues: true } },
      ),
      stack.tableName,
    );
    const later = await shares.get({ articleId, channelId: 'mastodon-later' });
    if (!later) throw new Error('no mastodon-later share');
    expect(
      await shares.replace(later, {
        ...later,
        text: EDITED_TEXT,
        edited: { text: new Date().toISOString() },
        version: later.version + 1,
      }),
    ).toBe(true);

    // 2. Revision 2, a new headline, before the delayed shares are due.
    await send({ revision: 2, title: headline(2) });
    const revised = await sharesWhen(articleId, (s) => {
      expect(s['bluesky-later']).toMatchObject({ status: 'scheduled', articleRevision: 2 });
      expect(s['mastodon-later']).toMatchObject({ status: 'scheduled', articleRevision: 2 });
    });
    expect(revised['bluesky-later']?.text).toContain(headline(2));
    expect(revised['bluesky-later']?.history.at(-1)).toMatchObject({ event: 'recompose' });
    expect(revised['mastodon-later']?.text).toBe(EDITED_TEXT);
    expect(revised['mastodon-later']?.history.at(-1)?.reason).toContain("kept the editor's text");
    // What went out stays as it went out.
    for (const id of ASAP) {
      expect(revised[id]).toMatchObject({ status: 'published', articleRevision: 1 });
      expect(revised[id]?.text).toBe(first[id]?.text);
    }

    // 3. Unpublished: pending shares cancelled, published posts withdrawn as configured.
    await send({ revision: 3, title: headline(2), status: 'unpublished' });
    const removing = ASAP.filter(
      (id) => ON_WITHDRAW[first[id]?.platform ?? 'instagram'] !== 'keep',
    );
    const withdrawn = await sharesWhen(articleId, (s) => {
      expect(s['bluesky-later']?.status).toBe('cancelled');
      expect(s['mastodon-later']?.status).toBe('cancelled');
      for (const id of removing) expect(s[id]?.withdrawal?.outcome).toBe('done');
    });
    expect(withdrawn['bluesky-later']?.history.at(-1)).toMatchObject({
      event: 'withdraw',
      reason: 'the article was unpublished (revision 3)',
    });
    const notice = `Desk News has withdrawn this article: ${headline(2)}`;
    const after = await sandboxPosts();
    for (const id of ASAP) {
      const platform = first[id]?.platform ?? 'instagram';
      const share = withdrawn[id];
      expect(share?.status).toBe('published');
      const post = postOf(after, id);
      switch (ON_WITHDRAW[platform]) {
        case 'delete':
          expect(share?.withdrawal).toMatchObject({ action: 'delete', outcome: 'done' });
          expect(post, `${platform}'s post is gone`).toBeUndefined();
          break;
        case 'edit':
          expect(share?.withdrawal).toMatchObject({ action: 'edit', text: notice });
          expect(post?.text, `${platform}'s post shows the notice`).toBe(notice);
          break;
        case 'keep':
          expect(share?.withdrawal).toBeNull();
          expect(post?.text).toBe(postOf(posts, id)?.text);
      }
    }
  }, 150_000);
});
