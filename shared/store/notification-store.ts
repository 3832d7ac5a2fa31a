/**
 * The editors' notification outbox, per site, in the table: one item per event (its key
 * the event's dedupe key, written once), one per batch sent (its digest kept, so a resend
 * is the same message with the same id), and the site's targets with their secrets.
 */
import {
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
    const done = batch.pending.length === 0;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { PK: outboxPK(batch.siteId), SK: batchSK(batch.batchId) },
        UpdateExpression: `SET #state = :state, pending = :pending, attempts = :attempts${done ? ', expiresAt = :expires' : ''}`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':state': done ? 'sent' : 'open',
          ':pending': batch.pending,
          ':attempts': batch.attempts,
          ...(done ? { ':expires': this.expiresAt() } : {}),
        },
      }),
    );
    if (!done) return;
    for (const key of batch.eventKeys) {
      await this.db
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { PK: outboxPK(batch.siteId), SK: eventSK(key) },
            UpdateExpression: 'SET #state = :sent, expiresAt = :expires',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':sent': 'sent', ':expires': this.expiresAt() },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    }
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
