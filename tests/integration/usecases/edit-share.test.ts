/**
 * The editors' writes racing other writers, on the real table: a lost conditional write
 * is read again and decided again once, then answered with 409.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/local-aws';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { ConflictError } from '../../../shared/domain/errors';
import type { ShareRef } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import { DynamoArticleStore } from '../../../shared/store/article-store';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { actOnShare, type EditShareDeps, editShare } from '../../../shared/usecases/edit-share';
import { DEFAULT_CHANNELS } from '../../support/channels';
import { startTestStack, type TestStack } from '../../support/stack';
import { sampleArticle } from '../../support/webhook';

let stack: TestStack;
let articles: DynamoArticleStore;
let shares: DynamoShareStore;
let db: DynamoDBDocumentClient;
const editor = { by: 'alice', role: 'editor' as const };
const x = DEFAULT_CHANNELS.find((c) => c.platform === 'x');

beforeAll(async () => {
  stack = await startTestStack({ sandboxes: false, functions: {} });
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  articles = new DynamoArticleStore(db, stack.tableName);
  shares = new DynamoShareStore(db, stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

let count = 0;

/** A stored article with a scheduled X share due in an hour; the share's ref. */
async function scheduledShare(): Promise<ShareRef> {
  if (!x) throw new Error('no X channel');
  count += 1;
  const articleId = count.toString(16).padStart(32, '0');
  const now = new Date();
  const { current } = await articles.putRevision({
    articleId,
    article: parseGenericArticle({ ...sampleArticle(), id: `race-${count}` }),
    receivedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
  const share = newShare(current, x, now);
  await shares.createIfAbsent({
    ...share,
    dueAt: new Date(now.getTime() + 3_600_000).toISOString(),
  });
  return { articleId, channelId: x.id };
}

/** The real store, with another writer slipping in between each read and the conditional write. */
class RacingShareStore extends DynamoShareStore {
  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    private readonly rival: (share: Share) => Share,
    private left: number,
  ) {
    super(db, tableName);
  }

  override async replace(previous: Share, next: Share): Promise<boolean> {
    if (this.left > 0) {
      this.left -= 1;
      const current = await this.get(previous);
      if (current) await super.replace(current, this.rival(current));
    }
    return super.replace(previous, next);
  }
}

const racing = (rival: (share: Share) => Share, times: number) =>
  new RacingShareStore(db, stack.tableName, rival, times);

const deps = (store: DynamoShareStore): EditShareDeps => ({
  articles,
  shares: store,
  channels: DEFAULT_CHANNELS,
  clock: { now: () => new Date() },
  enqueueIfDue: async (share) => share,
});

const otherEdit = (share: Share): Share => ({
  ...share,
  dueAt: new Date(Date.now() + 7_200_000).toISOString(),
  version: share.version + 1,
});

describe('an edit that loses a race', () => {
  it('is decided again on the share as it now is, and keeps the other writer’s change', async () => {
    const ref = await scheduledShare();
    const store = racing(otherEdit, 1);
    const share = await editShare(
      deps(store),
      { articleId: ref.articleId, key: ref.channelId },
      { text: 'Alice’s words' },
      editor,
    );
    const stored = await shares.get(ref);
    expect(stored).toEqual(share);
    expect(stored?.text).toBe('Alice’s words');
    expect(stored?.version).toBe(3);
    expect(new Date(stored?.dueAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 3_600_000);
  });

  it('answers 409 when the share is no longer editable after the other write', async () => {
    const ref = await scheduledShare();
    const claimed = (share: Share): Share => ({
      ...share,
      status: 'publishing',
      version: share.version + 1,
    });
    const edit = editShare(
      deps(racing(claimed, 1)),
      { articleId: ref.articleId, key: ref.channelId },
      { text: 'Too late' },
      editor,
    );
    await expect(edit).rejects.toThrow(/publishing share can no longer be edited/);
    expect((await shares.get(ref))?.text).not.toBe('Too late');
  });

  it('answers 409 when it loses twice', async () => {
    const ref = await scheduledShare();
    const edit = editShare(
      deps(racing(otherEdit, 2)),
      { articleId: ref.articleId, key: ref.channelId },
      { text: 'Never written' },
      editor,
    );
    await expect(edit).rejects.toThrow(ConflictError);
    await expect(edit).rejects.toThrow(/changed while this request was writing it/);
    expect((await shares.get(ref))?.text).not.toBe('Never written');
  });
});

describe('posting slots', () => {
  it('gives up the slot a share held when it is moved or cancelled, not when only its text changes', async () => {
    const ref = await scheduledShare();
    const released: string[] = [];
    const withSlots: EditShareDeps = {
      ...deps(shares),
      releasePostingSlot: async (share) => void released.push(share.dueAt),
    };
    const address = { articleId: ref.articleId, key: ref.channelId };
    const first = (await shares.get(ref))?.dueAt;
    await editShare(withSlots, address, { text: 'Only words' }, editor);
    expect(released).toEqual([]);
    const moved = await editShare(
      withSlots,
      address,
      { dueAt: new Date(Date.now() + 7_200_000).toISOString() },
      editor,
    );
    expect(released).toEqual([first]);
    await actOnShare(withSlots, address, 'cancel', editor);
    expect(released).toEqual([first, moved.dueAt]);
  });
});
