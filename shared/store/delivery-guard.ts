/** Webhook deliveries already handled, kept a week (the table's TTL removes them). */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock, DeliveryGuard } from '../domain/ports';
import { deliveryKey } from './keys';

export const DELIVERY_GUARD_DAYS = 7;

export class DynamoDeliveryGuard implements DeliveryGuard {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async find(source: string, deliveryId: string): Promise<{ articleId: string } | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: deliveryKey(source, deliveryId),
        ConsistentRead: true,
      }),
    );
    const item = result.Item;
    // DynamoDB deletes expired items late (and the local emulator never does).
    if (!item || typeof item.articleId !== 'string') return undefined;
    if (typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= this.clock.now().getTime()) {
      return undefined;
    }
    return { articleId: item.articleId };
  }

  async remember(source: string, deliveryId: string, articleId: string): Promise<void> {
    const now = this.clock.now();
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...deliveryKey(source, deliveryId),
          type: 'delivery',
          articleId,
          receivedAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + DELIVERY_GUARD_DAYS * 86_400,
        },
      }),
    );
  }
}
