/**
 * The refresh lease item, `CH#<id>` / `REFRESH`: who is refreshing the channel's token and
 * until when. A conditional write takes it; the table's TTL sweeps an abandoned one.
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RefreshLeases } from '../domain/ports';
import { TABLE } from '../resources';
import { isConditionFailure } from './client';
import { refreshLeaseKey } from './keys';

export class DynamoRefreshLeases implements RefreshLeases {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(channelId: string, owner: string, now: string, until: string): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...refreshLeaseKey(channelId),
            type: 'refresh-lease',
            owner,
            leaseUntil: until,
            [TABLE.ttlAttribute]: Math.floor(Date.parse(until) / 1000) + 3600,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR leaseUntil < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now, ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(channelId: string, owner: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: refreshLeaseKey(channelId),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      // The lease ran out and another holds it now: not this owner's to end.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
