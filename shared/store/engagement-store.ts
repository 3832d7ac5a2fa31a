/**
 * The desk's engagement figures: per site and publication day (UTC), one item per post
 * holding its latest counts (`ENG#<siteId>#<yyyy-mm-dd>` / `<channelId>#<articleId>#<share key>`),
 * fed by every reading stored. A period's figures then cost one query per day, never a
 * scan; each item carries a TTL as the readings do.
 */
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  dayOf,
  type EngagementPost,
  type EngagementReader,
  engagementPostSchema,
} from '../domain/engagement';
import { mapLimited } from '../domain/map-limited';
import type { ReadingEvent } from '../domain/metrics';
import { shareKeyOf } from '../domain/share-key';
import { TABLE } from '../resources';
import { isConditionFailure, queryAll } from './client';
import { READING_RETENTION_DAYS } from './metrics-store';

/** How many days' queries run at once. */
const DAY_QUERIES_AT_ONCE = 8;

export const engagementKey = (event: {
  siteId: string;
  publishedAt: string;
  channelId: string;
  articleId: string;
  round?: number;
}) => ({
  PK: `ENG#${event.siteId}#${dayOf(event.publishedAt)}`,
  SK: `${event.channelId}#${event.articleId}#${shareKeyOf(event)}`,
});

export class DynamoEngagementStore implements EngagementReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays = READING_RETENTION_DAYS,
  ) {}

  /**
   * Keeps the reading as its post's latest counts. A reading older than the one kept (a
   * retried tick arriving late) changes nothing; the same one again writes the same item.
   */
  async recordReading(event: ReadingEvent): Promise<void> {
    const { reading } = event;
    const post: EngagementPost = engagementPostSchema.parse({
      siteId: event.siteId,
      channelId: event.channelId,
      platform: event.platform,
      articleId: event.articleId,
      key: shareKeyOf(event),
      title: event.title,
      section: event.section,
      url: event.url,
      remoteUrl: event.remoteUrl,
      publishedAt: event.publishedAt,
      collectedAt: reading.collectedAt,
      final: event.final,
      likes: reading.likes,
      reposts: reading.reposts,
      replies: reading.replies,
      quotes: reading.quotes,
      views: reading.views,
      clicks: reading.clicks,
    });
    // Kept as long as the readings it sums up.
    const expires = Date.parse(event.publishedAt) / 1000 + this.retentionDays * 86_400;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...engagementKey(event),
            type: 'engagement',
            ...post,
            [TABLE.ttlAttribute]: Math.floor(expires),
          },
          ConditionExpression: 'attribute_not_exists(PK) OR collectedAt <= :at',
          ExpressionAttributeValues: { ':at': reading.collectedAt },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async postsOn(siteId: string, days: readonly string[]): Promise<EngagementPost[]> {
    const perDay = await mapLimited(days, DAY_QUERIES_AT_ONCE, (day) =>
      queryAll(this.db, this.tableName, {
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `ENG#${siteId}#${day}` },
      }),
    );
    return perDay.flat().map((row) => engagementPostSchema.parse(row));
  }
}
