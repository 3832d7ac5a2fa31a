/** Polled feeds in the table: each feed's state, and the items already taken from it. */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { FeedState, FeedStore } from '../domain/feed';
import { isConditionFailure } from './client';
import { feedItemKey, feedStateKey } from './keys';

/**
 * How long a taken item is remembered (the table's TTL then removes it). A feed that still
 * lists it after that offers it again, and the article's stored revision makes that change
 * nothing.
 */
export const SEEN_ITEM_DAYS = 180;

const stateSchema = z.object({
  firstPolledAt: z.string(),
  lastPolledAt: z.string(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  lastError: z.string().optional(),
});

const seenSchema = z.object({ itemId: z.string(), revision: z.number() });

export class DynamoFeedStore implements FeedStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async getState(feedId: string): Promise<FeedState | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: feedStateKey(feedId),
        ConsistentRead: true,
      }),
    );
    return Item ? stateSchema.parse(Item) : undefined;
  }

  async saveState(feedId: string, state: FeedState): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...feedStateKey(feedId), type: 'feed', feedId, ...stateSchema.parse(state) },
      }),
    );
  }

  async seen(feedId: string, itemIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    // A feed lists tens of items: one read each, a few at a time.
    for (let start = 0; start < itemIds.length; start += 10) {
      const results = await Promise.all(
        itemIds.slice(start, start + 10).map((itemId) =>
          this.db.send(
            new GetCommand({
              TableName: this.tableName,
              Key: feedItemKey(feedId, itemId),
              ConsistentRead: true,
            }),
          ),
        ),
      );
      for (const { Item } of results) {
        const item = Item ? seenSchema.parse(Item) : undefined;
        if (item) found.set(item.itemId, item.revision);
      }
    }
    return found;
  }

  async markSeen(feedId: string, itemId: string, revision: number): Promise<void> {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + SEEN_ITEM_DAYS * 86_400;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: feedItemKey(feedId, itemId),
          UpdateExpression:
            'SET itemId = :itemId, revision = :revision, expiresAt = :expiresAt, #type = :type',
          // Written again with the same values, or a newer revision: never an older one.
          ConditionExpression: 'attribute_not_exists(revision) OR revision <= :revision',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':itemId': itemId,
            ':revision': revision,
            ':expiresAt': expiresAt,
            ':type': 'feed-item',
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
