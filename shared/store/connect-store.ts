/**
 * The consents under way (`OAUTH#<state>`), each taken once by the callback, the choices
 * waiting for an admin to pick one account (`CONNECT-CHOICE#<id>`: ids and names only, no
 * token), and the app Crier registered on each Mastodon instance (`MASTODON-APP#<origin>`).
 * The table's TTL sweeps expired states and choices; each is refused past its `expiresAt`
 * whether swept or not.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type ConnectState, OAUTH_PLATFORMS, type PendingChoice } from '../domain/oauth-connect';
import { isConditionFailure } from './client';

const stateKey = (state: string) => ({ PK: `OAUTH#${state}`, SK: 'S' });
const choiceKey = (id: string) => ({ PK: `CONNECT-CHOICE#${id}`, SK: 'C' });
const mastodonAppKey = (origin: string) => ({ PK: `MASTODON-APP#${origin}`, SK: 'A' });

const stateSchema = z.object({
  state: z.string(),
  channelId: z.string(),
  platform: z.enum(OAUTH_PLATFORMS),
  who: z.string(),
  verifier: z.string(),
  instance: z.string().optional(),
  via: z.literal('facebook').optional(),
  createdAt: z.string(),
  expiresAt: z.number(),
});

const choiceSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  platform: z.enum(OAUTH_PLATFORMS),
  who: z.string(),
  candidates: z.array(z.object({ id: z.string(), name: z.string() })),
  createdAt: z.string(),
  expiresAt: z.number(),
  usedAt: z.string().optional(),
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

  async putChoice(choice: PendingChoice): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...choiceKey(choice.id),
          type: 'connect-choice',
          ...choice,
          expiresAt: Math.ceil(Date.parse(choice.expiresAt) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async getChoice(id: string): Promise<PendingChoice | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: choiceKey(id), ConsistentRead: true }),
    );
    const item = choiceSchema.safeParse(result.Item);
    if (!item.success) return undefined;
    return { ...item.data, expiresAt: new Date(item.data.expiresAt * 1000).toISOString() };
  }

  /** Marks the choice used; false when it was already (only one pick wins). */
  async useChoice(id: string, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: choiceKey(id),
          UpdateExpression: 'SET usedAt = :at',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(usedAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
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
