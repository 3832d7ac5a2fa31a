/**
 * Who may sign and who may ask, in the table: each site's webhook keys (the current one,
 * and the one it replaced until its grace period ends) in an item of their own, and the
 * editors made through the API with the SHA-256 of each one's token. No API returns a key
 * or a token after the answer that made it (docs/security.md).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type AccessStore,
  type EditorAccount,
  editorAccountSchema,
  type NewEditor,
  type WebhookKind,
} from '../domain/editor';
import { NotFoundError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import { isConditionFailure, queryAll } from './client';
import { EDITORS_PK, editorKey, editorTokenKey, siteWebhookKey } from './keys';

/** How long a replaced webhook key is still accepted, by default: a day. */
export const DEFAULT_KEY_GRACE_SECONDS = 24 * 60 * 60;

/** A new editor token: 32 random bytes, base64url, with a prefix that says what it is. */
export const newEditorToken = (): string => `crier_${randomBytes(32).toString('base64url')}`;

export const tokenHash = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

const siteKeysSchema = z.object({
  current: z.string(),
  previous: z.string().optional(),
  /** ISO instant until which `previous` is accepted */
  previousUntil: z.string().optional(),
});
type SiteKeys = z.output<typeof siteKeysSchema>;

export class DynamoAccessStore implements AccessStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly graceSeconds = DEFAULT_KEY_GRACE_SECONDS,
  ) {}

  private async get(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return result.Item;
  }

  /** The keys a site's deliveries may be signed with now: the current, and one in its grace. */
  async webhookKeys(siteId: string, kind: WebhookKind = 'generic'): Promise<string[]> {
    const item = await this.get(siteWebhookKey(siteId, kind));
    if (!item) return [];
    const keys = siteKeysSchema.parse(item);
    const now = this.clock.now().toISOString();
    const previous =
      keys.previous && keys.previousUntil && now < keys.previousUntil ? [keys.previous] : [];
    return [keys.current, ...previous];
  }

  /** The site's first key of the kind; false if it has one already. */
  async createWebhookKey(
    siteId: string,
    secret: string,
    kind: WebhookKind = 'generic',
  ): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...siteWebhookKey(siteId, kind), type: 'siteKeys', current: secret },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * A new current key; the one it replaces is accepted for the grace period. A key in
   * its grace from an earlier rotation is dropped: two rotations within a day leave the
   * first key refused.
   */
  async rotateWebhookKey(
    siteId: string,
    secret: string,
    kind: WebhookKind = 'generic',
  ): Promise<void> {
    const item = await this.get(siteWebhookKey(siteId, kind));
    const old: SiteKeys | undefined = item ? siteKeysSchema.parse(item) : undefined;
    const until = new Date(this.clock.now().getTime() + this.graceSeconds * 1000).toISOString();
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...siteWebhookKey(siteId, kind),
          type: 'siteKeys',
          current: secret,
          ...(old ? { previous: old.current, previousUntil: until } : {}),
        },
      }),
    );
  }

  /** Makes an editor and its token; only the token's SHA-256 is stored. */
  async createEditor(
    input: NewEditor,
    who: string,
  ): Promise<{ editor: EditorAccount; token: string }> {
    const token = newEditorToken();
    const editor: EditorAccount = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      sites: input.sites,
      createdAt: this.clock.now().toISOString(),
      createdBy: who,
    };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...editorTokenKey(tokenHash(token)), type: 'editorToken', editorId: editor.id },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...editorKey(editor.id), type: 'editor', ...editor, tokenHash: tokenHash(token) },
      }),
    );
    return { editor, token };
  }

  async listEditors(): Promise<EditorAccount[]> {
    const items = await queryAll(this.db, this.tableName, {
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': EDITORS_PK },
      ConsistentRead: true,
    });
    return items.map((item) => editorAccountSchema.parse(item));
  }

  /** The editor a token belongs to, if it is one made here and not revoked. */
  async editorByToken(token: string): Promise<EditorAccount | undefined> {
    const pointer = await this.get(editorTokenKey(tokenHash(token)));
    if (!pointer || typeof pointer.editorId !== 'string') return undefined;
    const item = await this.get(editorKey(pointer.editorId));
    return item ? editorAccountSchema.parse(item) : undefined;
  }

  /** Revokes the editor's token and forgets the editor. */
  async deleteEditor(editorId: string): Promise<EditorAccount> {
    const item = await this.get(editorKey(editorId));
    if (!item) throw new NotFoundError(`No editor ${editorId}`);
    const editor = editorAccountSchema.parse(item);
    if (typeof item.tokenHash === 'string') {
      await this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: editorTokenKey(item.tokenHash) }),
      );
    }
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: editorKey(editorId) }));
    return editor;
  }

  /** Locally an editor's sites are a list on the editor: a site has no group to make. */
  async createSiteGroup(_siteId: string): Promise<void> {}
}
