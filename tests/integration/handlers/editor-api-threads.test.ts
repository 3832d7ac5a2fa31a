/**
 * PATCH a share's thread through the editor API against dynalite: the editor's replies
 * counted as the network counts a post, the channel's thread size, `[]` and `null`, a
 * text alone keeping the parts, and a new revision of the article keeping them too.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Share } from '../../../shared/domain/share';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { channelConfigForFile } from '../../support/channel-config';
import { callEditorApi } from '../../support/editor-api';
import {
  EDITOR_API_FUNCTIONS,
  ingestAndCompose,
  stackDocumentClient,
} from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';
import { longStandfirst } from '../../support/thread';

const CONFIG = fileURLToPath(
  new URL('../../fixtures/channels/editor-api-threads.json', import.meta.url),
);

type ShareBody = {
  status: string;
  text: string;
  thread: string[] | null;
  hashtags: string[];
  preparedId: string | null;
  articleRevision: number;
  version: number;
  edited: { text?: string; thread?: string; dueAt?: string } | null;
  history: { event: string; by: string; reason?: string }[];
};
type ErrorBody = {
  error: string;
  message: string;
  fields?: { field: string; message: string }[];
  length?: { used: number; limit: number; unit: string };
};

let stack: TestStack;
let token: string;
let store: DynamoShareStore;

channelConfigForFile(CONFIG);

beforeAll(async () => {
  stack = await startTestStack({ sandboxes: false, functions: EDITOR_API_FUNCTIONS });
  token = stack.secrets.editorToken.value;
  store = new DynamoShareStore(stackDocumentClient(stack), stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

let articles = 0;

/** A new article whose standfirst runs to a thread on Bluesky; its id. */
async function threadArticle(revision = 1, id = `threads-${++articles}`): Promise<string> {
  return ingestAndCompose(
    stack,
    {
      id,
      title: `Bolivia after the coup, take ${id} (r${revision})`,
      summary: longStandfirst(id),
      revision,
    },
    revision,
  );
}

const patch = async (articleId: string, key: string, body: unknown) => {
  const answer = await callEditorApi(stack.url, {
    method: 'PATCH',
    path: `/api/articles/${articleId}/shares/${key}`,
    token,
    body,
  });
  return { status: answer.status, body: answer.body as Record<string, unknown> };
};
const shareOf = (answer: { body: Record<string, unknown> }) => answer.body.share as ShareBody;
const errorOf = (answer: { body: Record<string, unknown> }) => answer.body as ErrorBody;

async function stored(articleId: string, channelId: string): Promise<Share> {
  const share = await store.get({ articleId, channelId });
  if (!share) throw new Error(`no share ${articleId}/${channelId}`);
  return share;
}

async function force(articleId: string, channelId: string, change: Partial<Share>) {
  const share = await stored(articleId, channelId);
  expect(await store.replace(share, { ...share, ...change, version: share.version + 1 })).toBe(
    true,
  );
}

describe('PATCH a share’s thread', () => {
  it('sets the editor’s replies, each trimmed and in NFC, stamps edited.thread and drops a prepared container', async () => {
    const id = await threadArticle();
    const before = await stored(id, 'bluesky-thread');
    expect(before.thread?.length).toBeGreaterThanOrEqual(1);
    await force(id, 'bluesky-thread', { preparedId: 'container-1' });

    // "Café" with a combining accent: stored as the one-character é.
    const parts = [
      '  Morales resigned on November 10 under pressure from the army. 2/3  ',
      'Cafe\u0301 talk and #Bolivia 3/3',
    ];
    const answer = await patch(id, 'bluesky-thread', { thread: parts });
    expect(answer.status).toBe(200);
    const share = shareOf(answer);
    expect(share.thread).toEqual([
      'Morales resigned on November 10 under pressure from the army. 2/3',
      'Café talk and #Bolivia 3/3',
    ]);
    expect(share.text).toBe(before.text);
    expect(share.hashtags).toContain('Bolivia');
    expect(share.preparedId).toBeNull();
    expect(share.edited).toEqual({ thread: expect.any(String) });
    expect(share.history.at(-1)).toMatchObject({
      event: 'edit',
      reason: 'thread edited (3 posts)',
    });
    expect((await stored(id, 'bluesky-thread')).thread).toEqual(share.thread);
  });

  it('answers 400 naming thread.<i> with its count for a part over the limit, and writes nothing', async () => {
    const id = await threadArticle();
    const before = await stored(id, 'bluesky-thread');
    const long = `${'Bolivia '.repeat(40)}2/3`;
    const answer = await patch(id, 'bluesky-thread', { thread: ['Fine part. 2/3', long] });
    expect(answer.status).toBe(400);
    const body = errorOf(answer);
    expect(body.fields).toEqual([
      {
        field: 'thread.1',
        message: expect.stringContaining(`thread.1 is ${long.length} characters`),
      },
    ]);
    expect(body.length).toEqual({ used: long.length, limit: 300, unit: 'graphemes' });
    expect(await stored(id, 'bluesky-thread')).toEqual(before);
  });

  it('answers 400 for an empty part, and for more parts than the channel’s thread size', async () => {
    const id = await threadArticle();
    const before = await stored(id, 'bluesky-thread');
    const empty = await patch(id, 'bluesky-thread', { thread: ['A part.', '   '] });
    expect(empty.status).toBe(400);
    expect(errorOf(empty).fields).toEqual([{ field: 'thread.1', message: 'must not be empty' }]);

    const tooMany = await patch(id, 'bluesky-thread', { thread: ['one', 'two', 'three', 'four'] });
    expect(tooMany.status).toBe(400);
    expect(errorOf(tooMany).fields).toEqual([
      {
        field: 'thread',
        message:
          'has 4 parts; channel bluesky-thread makes threads of at most 4 posts, the first and 3 replies',
      },
    ]);
    // Three replies are the most: taken.
    expect((await patch(id, 'bluesky-thread', { thread: ['one', 'two', 'three'] })).status).toBe(
      200,
    );
    expect(before.version).toBeLessThan((await stored(id, 'bluesky-thread')).version);
  });

  it('refuses a thread on a channel or a network that makes single posts, but takes []', async () => {
    const id = await threadArticle();
    const mastodon = await patch(id, 'mastodon-single', { thread: ['A reply.'] });
    expect(mastodon.status).toBe(400);
    expect(errorOf(mastodon).fields).toEqual([
      {
        field: 'thread',
        message:
          'must be empty: channel mastodon-single does not make threads (its thread.enabled is off)',
      },
    ]);
    const telegram = await patch(id, 'telegram-desk', { thread: ['A reply.'] });
    expect(telegram.status).toBe(400);
    expect(errorOf(telegram).fields?.[0]).toEqual({
      field: 'thread',
      message: 'must be empty: Telegram takes no threads from Crier',
    });
    const before = await stored(id, 'telegram-desk');
    const none = await patch(id, 'telegram-desk', { thread: [] });
    expect(none.status).toBe(200);
    // Nothing to change: nothing written.
    expect(await stored(id, 'telegram-desk')).toEqual(before);
  });

  it('makes a single post with []: the replies gone, edited.thread stamped', async () => {
    const id = await threadArticle();
    const answer = await patch(id, 'bluesky-thread', { thread: [] });
    expect(answer.status).toBe(200);
    const share = shareOf(answer);
    expect(share.thread).toBeNull();
    expect(share.edited?.thread).toEqual(expect.any(String));
    expect(share.history.at(-1)?.reason).toBe('thread removed: a single post');
    expect((await stored(id, 'bluesky-thread')).thread).toBeUndefined();
  });

  it('keeps the thread when only the text changes, and checks that the first post fits', async () => {
    const id = await threadArticle();
    const before = await stored(id, 'bluesky-thread');
    const text = 'Our own opening for the thread https://www.leftvoice.org/ 1/3';
    const answer = await patch(id, 'bluesky-thread', { text });
    expect(answer.status).toBe(200);
    // The text as Bluesky keeps it: its URL shown as the app's short label.
    expect(shareOf(answer)).toMatchObject({
      text: 'Our own opening for the thread www.leftvoice.org 1/3',
      thread: before.thread,
    });
    expect(shareOf(answer).edited).toEqual({ text: expect.any(String) });

    const long = await patch(id, 'bluesky-thread', { text: 'x'.repeat(301) });
    expect(long.status).toBe(400);
    expect(errorOf(long).fields?.[0]?.field).toBe('text');
  });

  it('takes text and thread together, and composes the parts again with null', async () => {
    const id = await threadArticle();
    const composed = await stored(id, 'bluesky-thread');
    const both = await patch(id, 'bluesky-thread', {
      text: 'The coup in Bolivia, in brief. 1/2',
      thread: ['What Washington said. 2/2'],
    });
    expect(both.status).toBe(200);
    expect(shareOf(both)).toMatchObject({
      text: 'The coup in Bolivia, in brief. 1/2',
      thread: ['What Washington said. 2/2'],
      edited: { text: expect.any(String), thread: expect.any(String) },
    });

    const reset = await patch(id, 'bluesky-thread', { thread: null });
    expect(reset.status).toBe(200);
    const share = shareOf(reset);
    // The parts are composed again; the editor's first post stays the editor's.
    expect(share.thread).toEqual(composed.thread);
    expect(share.text).toBe('The coup in Bolivia, in brief. 1/2');
    expect(share.edited).toEqual({ text: expect.any(String) });
    expect(share.history.at(-1)?.reason).toBe('thread back to the composed parts');

    const whole = await patch(id, 'bluesky-thread', { text: null, thread: null });
    expect(shareOf(whole)).toMatchObject({ text: composed.text, thread: composed.thread });
    expect(shareOf(whole).edited).toBeNull();
  });

  it('answers 409 for a share no longer editable, before reading its thread', async () => {
    const id = await threadArticle();
    await force(id, 'bluesky-thread', { status: 'published', remoteId: 'at://x/1' });
    const answer = await patch(id, 'bluesky-thread', { thread: ['too late', ''] });
    expect(answer.status).toBe(409);
  });

  it('keeps the editor’s parts when a new revision of the article comes in', async () => {
    const id = await threadArticle(1, 'threads-revised');
    const parts = ['The army asked him to go. 2/3', 'Washington welcomed it. #Bolivia 3/3'];
    expect((await patch(id, 'bluesky-thread', { thread: parts })).status).toBe(200);
    const edited = await stored(id, 'bluesky-thread');
    const mastodonBefore = await stored(id, 'mastodon-single');

    await threadArticle(2, 'threads-revised');
    const share = await stored(id, 'bluesky-thread');
    expect(share).toMatchObject({ articleRevision: 2, thread: parts, text: edited.text });
    expect(share.edited?.thread).toBe(edited.edited?.thread);
    expect(share.history.at(-1)?.reason).toContain("kept the editor's text and thread");
    // A share the editor did not touch takes the new revision.
    const mastodon = await stored(id, 'mastodon-single');
    expect(mastodon.articleRevision).toBe(2);
    expect(mastodon.text).not.toBe(mastodonBefore.text);
    expect(mastodon.text).toContain('(r2)');
  });
});
