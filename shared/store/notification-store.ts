/**
 * The editors' notification outbox, per site, in the table: one item per event not yet
 * sent (its key the event's dedupe key), one per batch not yet sent to every target (its
 * digest kept, so a resend is the same message with the same id), and the site's targets
 * with their secrets. What is sent moves to a partition of its own (`NOTIFIED#<site>`)
 * until it expires: the dedupe record of each event and the batch as sent. So each run
 * reads only what is live, however much was sent before.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type NotificationEvent,
  type NotificationSettings,
  type NotificationStore,
  notificationEventSchema,
  notificationSettingsSchema,
  type StoredBatch,
} from '../domain/notification';
import type { Clock } from '../domain/ports';
import { isConditionFailure, queryAll } from './client';

const outboxPK = (siteId: string) => `NOTIFY#${siteId}`;
const sentPK = (siteId: string) => `NOTIFIED#${siteId}`;
const eventSK = (key: string) => `EVENT#${key}`;
const batchSK = (batchId: string) => `BATCH#${batchId}`;
/** Sent events and batches are kept this long (the dedupe window), then expire. */
const KEEP_SECONDS = 30 * 86_400;

export const notificationSettingsKey = (siteId: string) => ({
  PK: `SITE#${siteId}`,
  SK: 'NOTIFY',
});

const batchItemSchema = z.object({
  batchId: z.string(),
  siteId: z.string(),
  eventKeys: z.array(z.string()),
  digest: z.object({
    subject: z.string(),
    text: z.string(),
    counts: z.record(z.string(), z.number()),
    items: z.array(
      z.object({
        kind: notificationEventSchema.shape.kind,
        at: z.string(),
        line: z.string(),
        link: z.string().optional(),
        articleId: z.string().optional(),
        channelId: z.string().optional(),
      }),
    ),
  }),
  pending: z.array(z.enum(['slack', 'email', 'webhook'])),
  attempts: z.number(),
  createdAt: z.string(),
});

export class DynamoNotificationStore implements NotificationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  private expiresAt(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + KEEP_SECONDS;
  }

  async record(event: NotificationEvent): Promise<boolean> {
    // Sent already (its live item gone): the dedupe record says so.
    const sent = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: sentPK(event.siteId), SK: eventSK(event.key) },
        ConsistentRead: true,
      }),
    );
    if (sent.Item) return false;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: outboxPK(event.siteId),
            SK: eventSK(event.key),
            type: 'notification',
            state: 'pending',
            ...event,
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

  async pending(siteId: string): Promise<NotificationEvent[]> {
    const rows = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      FilterExpression: '#state = :pending',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':pk': outboxPK(siteId),
        ':prefix': 'EVENT#',
        ':pending': 'pending',
      },
      ConsistentRead: true,
    });
    return rows.map((row) => notificationEventSchema.parse(row));
  }

  async openBatches(siteId: string): Promise<StoredBatch[]> {
    const rows = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      FilterExpression: '#state = :open',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':pk': outboxPK(siteId), ':prefix': 'BATCH#', ':open': 'open' },
      ConsistentRead: true,
    });
    return rows.map((row) => batchItemSchema.parse(row));
  }

  async createBatch(batch: StoredBatch): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: outboxPK(batch.siteId),
            SK: batchSK(batch.batchId),
            type: 'notificationBatch',
            state: 'open',
            ...batch,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
    await this.claimEvents(batch.siteId, batch.batchId, batch.eventKeys);
    return true;
  }

  async claimEvents(siteId: string, batchId: string, keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      await this.db
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { PK: outboxPK(siteId), SK: eventSK(key) },
            UpdateExpression: 'SET #state = :batched, batchId = :batch',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':batched': 'batched', ':batch': batchId },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    }
  }

  async updateBatch(batch: StoredBatch): Promise<void> {
    if (batch.pending.length > 0) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: outboxPK(batch.siteId), SK: batchSK(batch.batchId) },
          UpdateExpression: 'SET pending = :pending, attempts = :attempts',
          ExpressionAttributeValues: { ':pending': batch.pending, ':attempts': batch.attempts },
        }),
      );
      return;
    }
    // Done: each event's dedupe record first, then the live items. A crash in between
    // leaves the batch open, and the next run sends it again under the same id.
    const expiresAt = this.expiresAt();
    for (const key of batch.eventKeys) {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: sentPK(batch.siteId),
            SK: eventSK(key),
            type: 'notificationSent',
            batchId: batch.batchId,
            expiresAt,
          },
        }),
      );
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { PK: outboxPK(batch.siteId), SK: eventSK(key) },
        }),
      );
    }
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: sentPK(batch.siteId),
          SK: batchSK(batch.batchId),
          type: 'notificationBatch',
          state: 'sent',
          ...batch,
          expiresAt,
        },
      }),
    );
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { PK: outboxPK(batch.siteId), SK: batchSK(batch.batchId) },
      }),
    );
  }

  async settings(siteId: string): Promise<NotificationSettings | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: notificationSettingsKey(siteId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? notificationSettingsSchema.parse(result.Item) : undefined;
  }

  async saveSettings(siteId: string, settings: NotificationSettings): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...notificationSettingsKey(siteId), type: 'notificationSettings', ...settings },
      }),
    );
  }
}
