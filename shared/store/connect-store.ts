/**
 * The consents under way (`OAUTH#<state>`), each taken once by the callback, and the app
 * Crier registered on each Mastodon instance (`MASTODON-APP#<origin>`). The table's TTL
 * sweeps expired states; a state is refused past its `expiresAt` whether swept or not.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type ConnectState, OAUTH_PLATFORMS } from '../domain/oauth-connect';
import { isConditionFailure } from './client';

const stateKey = (state: string) => ({ PK: `OAUTH#${state}`, SK: 'S' });
const mastodonAppKey = (origin: string) => ({ PK: `MASTODON-APP#${origin}`, SK: 'A' });

const stateSchema = z.object({
  state: z.string(),
  channelId: z.string(),
  platform: z.enum(OAUTH_PLATFORMS),
  who: z.string(),
  verifier: z.string(),
  instance: z.string().optional(),
  createdAt: z.string(),
  expiresAt: z.number(),
});

export type MastodonApp = { clientId: string; clientSecret: string };

export class DynamoConnectStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(state: ConnectState): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...stateKey(state.state),
          type: 'oauth-state',
          ...state,
          // the table's TTL attribute: epoch seconds
          expiresAt: Math.ceil(Date.parse(state.expiresAt) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** The state, removed as it is read: a second take of the same state finds nothing. */
  async take(state: string): Promise<ConnectState | undefined> {
    try {
      const result = await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: stateKey(state),
          ConditionExpression: 'attribute_exists(PK)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      const item = stateSchema.safeParse(result.Attributes);
      if (!item.success) return undefined;
      return { ...item.data, expiresAt: new Date(item.data.expiresAt * 1000).toISOString() };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async mastodonApp(origin: string): Promise<MastodonApp | undefined> {
    const result = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: mastodonAppKey(origin),
        ConsistentRead: true,
      }),
    );
    const item = z
      .object({ clientId: z.string().min(1), clientSecret: z.string().min(1) })
      .safeParse(result.Item);
    return item.success ? item.data : undefined;
  }

  async saveMastodonApp(origin: string, app: MastodonApp): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...mastodonAppKey(origin), type: 'mastodon-app', origin, ...app },
      }),
    );
  }
}
