/**
 * What the metrics collector keeps per channel besides the shares: until when the network
 * refused the channel's reads (`CH#<id>` / `METRICS`), and the reads counted against its
 * monthly budget (`CH#<id>` / `READS#<yyyy-mm>`, one conditional increment per read, with a
 * TTL). Publishing's own rate limit stays in the channel's state: a 429 on a read must not
 * hold back a post.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ReadingState } from '../domain/readings';
import { TABLE } from '../resources';
import { isConditionFailure, setLaterTime } from './client';
import { readCountKey, readingStateKey } from './keys';

/** A month's count is kept a little over a year, for the operators' look back. */
const COUNT_RETENTION_DAYS = 400;

const pausedSchema = z.object({ readsPausedUntil: z.string().optional() });
const countSchema = z.object({ reads: z.number().int().min(0).optional() });

export class DynamoReadingState implements ReadingState {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async pausedUntil(channelId: string): Promise<string | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: readingStateKey(channelId) }),
    );
    return result.Item ? pausedSchema.parse(result.Item).readsPausedUntil : undefined;
  }

  async pause(channelId: string, until: string): Promise<void> {
    // Only ever forward: two runs learning of one limit keep the later reset.
    await setLaterTime(
      this.db,
      this.tableName,
      readingStateKey(channelId),
      'readsPausedUntil',
      until,
      'reading-state',
    );
  }

  async takeRead(channelId: string, month: string, budget: number): Promise<boolean> {
    const expires =
      Math.floor(Date.parse(`${month}-01T00:00:00Z`) / 1000) + COUNT_RETENTION_DAYS * 86_400;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: readCountKey(channelId, month),
          UpdateExpression: 'ADD #reads :one SET #type = :type, #ttl = :ttl',
          // Refused, counting nothing, once the budget is spent: two runs never overspend it.
          ConditionExpression: 'attribute_not_exists(#reads) OR #reads < :budget',
          // READS is one of DynamoDB's reserved words.
          ExpressionAttributeNames: {
            '#reads': 'reads',
            '#type': 'type',
            '#ttl': TABLE.ttlAttribute,
          },
          ExpressionAttributeValues: {
            ':one': 1,
            ':budget': budget,
            ':type': 'read-count',
            ':ttl': expires,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async readsIn(channelId: string, month: string): Promise<number> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: readCountKey(channelId, month),
        ConsistentRead: true,
      }),
    );
    return result.Item ? (countSchema.parse(result.Item).reads ?? 0) : 0;
  }
}
