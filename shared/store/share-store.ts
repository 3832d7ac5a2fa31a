/** Shares in the table, under their article's partition, and the two indexes that find them. */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { StoreWriteError } from '../domain/errors';
import type { ShareRef, ShareStore } from '../domain/ports';
import type { DueReading } from '../domain/readings';
import { boundShare, LEASED_STATUSES, type Share } from '../domain/share';
import { TABLE } from '../resources';
import { isConditionFailure, queryAll } from './client';
import { shareItemSchema } from './items';
import { channelTimeline, dueIndex, leaseIndex, metricsIndex, shareKey, shareRefOf } from './keys';

/** The index attributes a share carries in its current status (the indexes are sparse). */
export function indexAttributes(share: Share): Record<string, string> {
  return {
    ...channelTimeline(share.articleId, share.channelId, share.dueAt),
    ...(share.status === 'scheduled'
      ? dueIndex(share.articleId, share.channelId, share.dueAt, share.round)
      : {}),
    ...(share.leaseUntil && LEASED_STATUSES.includes(share.status)
      ? leaseIndex(share.articleId, share.channelId, share.leaseUntil, share.round)
      : {}),
    ...(share.metricsDueAt && share.status === 'published'
      ? metricsIndex(share.articleId, share.channelId, share.metricsDueAt, share.round)
      : {}),
  };
}

/**
 * The item a share is stored as: its key, its fields (bounded, whatever path built them)
 * and the index attributes of its status.
 */
export const shareItem = (share: Share) => ({
  ...shareKey(share.articleId, share.channelId, share.round),
  type: 'share',
  ...boundShare(share),
  ...indexAttributes(share),
});

/** A write the table refused for a reason other than its condition, with the cause kept. */
function refused(share: Share, error: unknown): StoreWriteError {
  const key = `${share.articleId}/${share.channelId}${share.round ? `~${share.round}` : ''}`;
  return new StoreWriteError(`The table refused the write of share ${key}`, { cause: error });
}

export class DynamoShareStore implements ShareStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createIfAbsent(share: Share): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: shareItem(share),
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw refused(share, error);
    }
  }

  async get(ref: ShareRef): Promise<Share | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: shareKey(ref.articleId, ref.channelId, ref.round),
        ConsistentRead: true,
      }),
    );
    return result.Item ? shareItemSchema.parse(result.Item) : undefined;
  }

  /**
   * Writes `next` only if the stored share is still the `previous` one (same status and
   * version): every state change is one conditional write, and a loser learns it lost.
   */
  async replace(previous: Share, next: Share): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: shareItem(next),
          ConditionExpression: '#status = :status AND version = :version',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': previous.status, ':version': previous.version },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw refused(next, error);
    }
  }

  async listForArticle(articleId: string): Promise<Share[]> {
    const rows = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `ART#${articleId}`, ':prefix': 'S#' },
      ConsistentRead: true,
    });
    return rows.map((row) => shareItemSchema.parse(row));
  }

  /** Scheduled shares due at or before `until`, earliest first, from every shard. */
  dueBy(until: string, limitPerShard: number): Promise<ShareRef[]> {
    return this.refsBefore(TABLE.indexes.due, 'DUE', until, limitPerShard);
  }

  /** Shares whose lease ended at or before `now`, from every shard. */
  leasesEndedBy(now: string, limitPerShard: number): Promise<ShareRef[]> {
    return this.refsBefore(TABLE.indexes.inFlight, 'LEASE', now, limitPerShard);
  }

  /**
   * One page of a shard of the metrics index: the readings due at or before `until`,
   * earliest first, after `after` (the previous page's `next`). Keys only: the collector
   * decides on the channel from the key and gets only the shares it reads.
   */
  async readingsDueBy(
    shard: number,
    until: string,
    limit: number,
    after?: string,
  ): Promise<{ due: DueReading[]; next?: string }> {
    const index = TABLE.indexes.metrics;
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: `${index.partitionKey} = :pk AND ${index.sortKey} <= :until`,
        ExpressionAttributeValues: { ':pk': `METRICS#${shard}`, ':until': `${until}#~` },
        ProjectionExpression: `${index.sortKey}`,
        Limit: limit,
        ...(after ? { ExclusiveStartKey: JSON.parse(after) } : {}),
      }),
    );
    const due = (page.Items ?? []).flatMap((row) => {
      const sortKey = row[index.sortKey];
      const ref = typeof sortKey === 'string' ? shareRefOf(sortKey) : undefined;
      return ref && typeof sortKey === 'string'
        ? [{ ...ref, dueAt: sortKey.slice(0, sortKey.indexOf('#')) }]
        : [];
    });
    return page.LastEvaluatedKey ? { due, next: JSON.stringify(page.LastEvaluatedKey) } : { due };
  }

  private async refsBefore(
    index: { name: string; partitionKey: string; sortKey: string },
    prefix: string,
    until: string,
    limitPerShard: number,
  ): Promise<ShareRef[]> {
    const shards = Array.from({ length: TABLE.shardCount }, (_, n) => n);
    const pages = await Promise.all(
      shards.map((shard) =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: index.name,
            KeyConditionExpression: `${index.partitionKey} = :pk AND ${index.sortKey} <= :until`,
            // `~` sorts after every character of an id: all keys of the instant `until` match.
            ExpressionAttributeValues: { ':pk': `${prefix}#${shard}`, ':until': `${until}#~` },
            ProjectionExpression: `${index.sortKey}`,
            Limit: limitPerShard,
          }),
        ),
      ),
    );
    return pages.flatMap((page) =>
      (page.Items ?? []).flatMap((row) => {
        const sortKey = row[index.sortKey];
        const ref = typeof sortKey === 'string' ? shareRefOf(sortKey) : undefined;
        return ref ? [ref] : [];
      }),
    );
  }
}
