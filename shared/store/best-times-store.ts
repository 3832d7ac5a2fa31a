/**
 * The sums the best-time estimate rests on (shared/domain/best-times.ts): one item per
 * channel (`CH#<channelId>` / `ENGAGE`) and one per site for the prior (`SITE#<siteId>` /
 * `ENGAGE`), each with a sum `s<cell>` and a count `n<cell>` per hour of the week and
 * `q`, the sum of squares; a post adds to them with one atomic ADD each. A marker per
 * learned post (`CH#<channelId>` / `LEARNED#<share key>`, with a TTL) keeps a retried
 * reading from counting twice. Per article (`ART#<articleId>` / `ENGAGE`, with a TTL), the
 * sum and count of how far its posts beat their channels' estimates: its appeal, for the
 * channels that learn from it later.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ArticleAppeal,
  type BestTimesStore,
  type EngagementStats,
  emptyStats,
  WEEK_CELLS,
} from '../domain/best-times';
import { shareKeyOf } from '../domain/share-key';
import { TABLE } from '../resources';
import { isConditionFailure } from './client';

export const channelEngagementKey = (channelId: string) => ({
  PK: `CH#${channelId}`,
  SK: 'ENGAGE',
});
export const siteEngagementKey = (siteId: string) => ({ PK: `SITE#${siteId}`, SK: 'ENGAGE' });
export const articleEngagementKey = (articleId: string) => ({
  PK: `ART#${articleId}`,
  SK: 'ENGAGE',
});

/** How long a learned post's marker is kept: past any retry of its reading. */
const MARKER_DAYS = 30;

function statsOf(item: Record<string, unknown> | undefined): EngagementStats {
  const stats = emptyStats();
  if (!item) return stats;
  const number = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) ? value : 0;
  for (let cell = 0; cell < WEEK_CELLS; cell++) {
    stats.sums[cell] = number(item[`s${cell}`]);
    stats.counts[cell] = number(item[`n${cell}`]);
  }
  stats.squares = number(item.q);
  return stats;
}

export class DynamoBestTimesStore implements BestTimesStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async channelStats(channelId: string): Promise<EngagementStats> {
    return this.read(channelEngagementKey(channelId));
  }

  async siteStats(siteId: string): Promise<EngagementStats> {
    return this.read(siteEngagementKey(siteId));
  }

  async markLearned(
    post: { channelId: string; articleId: string; round?: number },
    now: Date,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: `CH#${post.channelId}`,
            SK: `LEARNED#${post.articleId}#${shareKeyOf(post)}`,
            type: 'engagement-learned',
            at: now.toISOString(),
            [TABLE.ttlAttribute]: Math.floor(now.getTime() / 1000) + MARKER_DAYS * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async addToChannel(channelId: string, cell: number, value: number): Promise<void> {
    await this.add(channelEngagementKey(channelId), cell, value);
  }

  async addToSite(siteId: string, cell: number, value: number): Promise<void> {
    await this.add(siteEngagementKey(siteId), cell, value);
  }

  async articleAppeal(articleId: string): Promise<ArticleAppeal | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: articleEngagementKey(articleId) }),
    );
    if (typeof Item?.sum !== 'number' || typeof Item.count !== 'number') return undefined;
    return { sum: Item.sum, count: Item.count };
  }

  async addToArticle(articleId: string, residual: number, now: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: articleEngagementKey(articleId),
        UpdateExpression: 'SET #type = :type, #ttl = :expires ADD #sum :residual, #count :one',
        ExpressionAttributeNames: {
          '#type': 'type',
          '#ttl': TABLE.ttlAttribute,
          '#sum': 'sum',
          '#count': 'count',
        },
        ExpressionAttributeValues: {
          ':type': 'engagement-appeal',
          ':expires': Math.floor(now.getTime() / 1000) + MARKER_DAYS * 86_400,
          ':residual': residual,
          ':one': 1,
        },
      }),
    );
  }

  private async read(key: { PK: string; SK: string }): Promise<EngagementStats> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key }));
    return statsOf(Item);
  }

  private async add(key: { PK: string; SK: string }, cell: number, value: number): Promise<void> {
    if (!Number.isInteger(cell) || cell < 0 || cell >= WEEK_CELLS) {
      throw new RangeError(`cell ${cell} is not an hour of the week`);
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET #type = :type ADD #s :value, #n :one, q :square',
        ExpressionAttributeNames: { '#type': 'type', '#s': `s${cell}`, '#n': `n${cell}` },
        ExpressionAttributeValues: {
          ':type': 'engagement',
          ':value': value,
          ':one': 1,
          ':square': value * value,
        },
      }),
    );
  }
}
