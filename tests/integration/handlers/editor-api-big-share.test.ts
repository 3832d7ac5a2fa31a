/**
 * A share at DynamoDB's 400 KB item limit, through the editor API against the local
 * stack: one whose history grew without end is cut back and cancelled; one the table
 * still refuses to save answers a 500 that names the request and nothing internal.
 */
import { fileURLToPath } from 'node:url';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HISTORY_LIMIT, type HistoryEntry, type Share } from '../../../shared/domain/share';
import { FUNCTIONS } from '../../../shared/resources';
import { DynamoShareStore, shareItem } from '../../../shared/store/share-store';
import { channelConfigForFile } from '../../support/channel-config';
import {
  EDITOR_API_FUNCTIONS,
  ingestAndCompose,
  stackDocumentClient,
} from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';

const CONFIG = fileURLToPath(new URL('../../fixtures/channels/editor-api.json', import.meta.url));
const CHANNEL = 'x-newsroom';

let stack: TestStack;
let token: string;
let store: DynamoShareStore;

channelConfigForFile(CONFIG);

beforeAll(async () => {
  stack = await startTestStack({
    sandboxes: false,
    functions: {
      ...EDITOR_API_FUNCTIONS,
      'publish-share': { ...FUNCTIONS['publish-share'], sqs: undefined },
    },
  });
  token = stack.secrets.editorToken.value;
  store = new DynamoShareStore(stackDocumentClient(stack), stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

let articles = 0;
async function scheduledShare(): Promise<Share> {
  articles += 1;
  const articleId = await ingestAndCompose(stack, {
    id: `big-share-${articles}`,
    title: `Story number ${articles}`,
  });
  const share = await store.get({ articleId, channelId: CHANNEL });
  if (!share) throw new Error('no share');
  return share;
}

/** The share's item as it is, past every bound (as a share written before the bounds). */
function rawItem(share: Share): Record<string, unknown> {
  const { historyDropped: _, ...item } = shareItem(share);
  return { ...item, ...share };
}

/** An upper bound of the item's size as DynamoDB counts it: its marshalled JSON. */
const itemBytes = (share: Share) =>
  Buffer.byteLength(JSON.stringify(marshall(rawItem(share), { removeUndefinedValues: true })));

/** Whether the table takes the item as it is, written straight, past every bound. */
async function fits(share: Share): Promise<boolean> {
  try {
    await stackDocumentClient(stack).send(
      new PutCommand({ TableName: stack.tableName, Item: rawItem(share) }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && /size/i.test(error.message)) return false;
    throw error;
  }
}

/**
 * Stores the share padded (by `pad(n)`) to the largest size the table takes: as an item
 * written before any bound existed, one entry short of refusing every write.
 */
async function storeAtTheLimit(pad: (bytes: number) => Share): Promise<Share> {
  let low = 0;
  let high = 420 * 1024;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (await fits(pad(mid))) low = mid;
    else high = mid;
  }
  const share = pad(low);
  expect(await fits(share)).toBe(true);
  return share;
}

async function cancel(share: Share) {
  const response = await fetch(
    new URL(`/api/articles/${share.articleId}/shares/${CHANNEL}/cancel`, stack.url),
    { method: 'POST', headers: { authorization: `Bearer ${token}` } },
  );
  const text = await response.text();
  return {
    status: response.status,
    requestId: response.headers.get('apigw-requestid'),
    text,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

it('cancels a share whose history grew to the item limit, keeping its first and latest entries', async () => {
  const composed = await scheduledShare();
  const [first] = composed.history;
  const edits: HistoryEntry[] = Array.from({ length: 1_000 }, (_, n) => ({
    at: new Date(Date.now() - (1_000 - n) * 1_000).toISOString(),
    event: 'edit',
    from: 'scheduled',
    to: 'scheduled',
    by: 'editor',
    reason: `text edited (${n}); dueAt moved by a late desk`,
  }));
  const big = await storeAtTheLimit((bytes) => ({
    ...composed,
    history: [
      ...composed.history,
      ...edits,
      { ...edits[0], reason: 'x'.repeat(bytes) } as HistoryEntry,
    ],
  }));
  expect(itemBytes(big)).toBeGreaterThan(380 * 1024);

  const answer = await cancel(big);
  expect(answer.status).toBe(200);
  expect(answer.body.share).toMatchObject({
    status: 'cancelled',
    historyDropped: big.history.length + 1 - HISTORY_LIMIT,
  });
  const after = await store.get(big);
  expect(after?.status).toBe('cancelled');
  expect(after?.history.length).toBeLessThanOrEqual(HISTORY_LIMIT);
  expect(after?.history[0]).toEqual(first);
  expect(after?.history.at(-1)).toMatchObject({ event: 'cancel', to: 'cancelled' });
  expect(after?.historyDropped).toBe(big.history.length + 1 - HISTORY_LIMIT);
  if (!after) throw new Error('no share');
  expect(itemBytes(after)).toBeLessThan(100 * 1024);
});

it('answers 500 write_failed with the request id, and nothing internal, when the table refuses the write', async () => {
  const composed = await scheduledShare();
  // A link card so large the item cannot take one more history entry.
  const big = await storeAtTheLimit((bytes) => ({
    ...composed,
    card: { url: composed.url, title: 'A card', description: 'd'.repeat(bytes) },
  }));

  const answer = await cancel(big);
  expect(answer.status).toBe(500);
  expect(answer.requestId).toEqual(expect.any(String));
  expect(answer.body).toEqual({
    error: 'write_failed',
    message: expect.stringContaining('request id'),
    requestId: answer.requestId,
  });
  expect(answer.text).not.toMatch(/size|dynamo|validation|exception|stack|ART#/i);
  const after = await store.get(big);
  expect(after).toMatchObject({ status: 'scheduled', version: big.version });
});
