/** Shares in the table, under their article's partition. */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ShareStore } from '../domain/ports';
import type { Share } from '../domain/share';
import { isConditionFailure } from './client';
import { shareItemSchema } from './items';
import { channelTimeline, dueIndex, shareKey } from './keys';

/** The index attributes a share carries in its current status (sparse indexes). */
export function indexAttributes(share: Share): Record<string, string> {
  return {
    ...channelTimeline(share.articleId, share.channelId, share.dueAt),
    ...(share.status === 'scheduled'
      ? dueIndex(share.articleId, share.channelId, share.dueAt)
      : {}),
  };
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
          Item: {
            ...shareKey(share.articleId, share.channelId),
            type: 'share',
            ...share,
            ...indexAttributes(share),
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

  async listForArticle(articleId: string): Promise<Share[]> {
    const shares: Share[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': `ART#${articleId}`, ':prefix': 'S#' },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) shares.push(shareItemSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return shares;
  }
}
