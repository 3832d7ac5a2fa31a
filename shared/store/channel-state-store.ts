/**
 * Per-channel state that outlives one invocation: rate limits and the last health check
 * (never a token: credentials live in the channel's secret). Sessions written here by
 * older versions are still read; new ones go to the secret (config/session-in-secret.ts).
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type ChannelHealth,
  type ChannelState,
  type ChannelStateStore,
  HEALTH_STATUSES,
} from '../domain/ports';
import { setLaterTime } from './client';
import { channelStateKey } from './keys';

const stateSchema = z.object({
  rateLimitedUntil: z.string().optional(),
  session: z.string().optional(),
  health: z
    .object({
      status: z.enum(HEALTH_STATUSES),
      reason: z.string().nullable(),
      checkedAt: z.string(),
    })
    .optional(),
});

export class DynamoChannelStateStore implements ChannelStateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(channelId: string): Promise<ChannelState> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: channelStateKey(channelId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? stateSchema.parse(result.Item) : {};
  }

  async rateLimitedUntil(channelId: string, until: string): Promise<void> {
    // Only ever moves forward: two workers learning of one limit keep the later reset.
    await setLaterTime(
      this.db,
      this.tableName,
      channelStateKey(channelId),
      'rateLimitedUntil',
      until,
      'channel-state',
    );
  }

  async saveSession(channelId: string, session: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: channelStateKey(channelId),
        UpdateExpression: 'SET #session = :session, sessionUpdatedAt = :now, #type = :type',
        ExpressionAttributeNames: { '#session': 'session', '#type': 'type' },
        ExpressionAttributeValues: {
          ':session': session,
          ':now': new Date().toISOString(),
          ':type': 'channel-state',
        },
      }),
    );
  }

  async saveHealth(channelId: string, health: ChannelHealth): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: channelStateKey(channelId),
        UpdateExpression: 'SET health = :health, #type = :type',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':health': health, ':type': 'channel-state' },
      }),
    );
  }
}
