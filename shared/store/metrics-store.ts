/**
 * Every reading of a published post's counts, under its article's partition
 * (`ART#<articleId>` / `M#<share key>#<collectedAt>`), each with a TTL so the series
 * ages out of the table. The share itself carries only the latest reading.
 */
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Reading, readingSchema } from '../domain/metrics';
import { shareKeyOf } from '../domain/share-key';
import { TABLE } from '../resources';
import { queryAll } from './client';

/** How long a reading is kept, by default: long enough to compare a year with the last. */
export const READING_RETENTION_DAYS = 400;

export type ShareOf = { articleId: string; channelId: string; round?: number };

const prefixOf = (share: ShareOf) =>
  `M#${shareKeyOf({ channelId: share.channelId, round: share.round })}#`;

export const readingKey = (share: ShareOf, collectedAt: string) => ({
  PK: `ART#${share.articleId}`,
  SK: `${prefixOf(share)}${collectedAt}`,
});

export class DynamoMetricsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays = READING_RETENTION_DAYS,
  ) {}

  /** Stores one reading; the same instant written again replaces it (a retried tick). */
  async putReading(share: ShareOf, reading: Reading): Promise<void> {
    const expires = Date.parse(reading.collectedAt) / 1000 + this.retentionDays * 86_400;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...readingKey(share, reading.collectedAt),
          type: 'reading',
          ...readingSchema.parse(reading),
          [TABLE.ttlAttribute]: Math.floor(expires),
        },
      }),
    );
  }

  /** The share's readings, oldest first. */
  async readingsOf(share: ShareOf): Promise<Reading[]> {
    const rows = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `ART#${share.articleId}`, ':prefix': prefixOf(share) },
    });
    return rows.map((row) => readingSchema.parse(row));
  }
}
