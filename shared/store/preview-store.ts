/**
 * Link previews in the table: `URL#<sha256(url)>` / `P`, the extracted card or the fact
 * that fetching failed, with the TTL attribute `expiresAt` (epoch seconds).
 */
import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { PreviewEntry, PreviewStore } from '../preview/cache';
import { TABLE } from '../resources';

export const previewKey = (url: string) => ({
  PK: `URL#${createHash('sha256').update(url).digest('hex')}`,
  SK: 'P',
});

const pageCardSchema = z.object({
  url: z.string(),
  canonicalUrl: z.string().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  image: z.string().optional(),
  imageAlt: z.string().optional(),
  imageWidth: z.number().optional(),
  imageHeight: z.number().optional(),
  siteName: z.string().optional(),
  publishedAt: z.string().optional(),
  author: z.string().optional(),
  language: z.string().optional(),
  twitterCard: z.string().optional(),
  warnings: z.array(z.string()),
});

const common = {
  url: z.string(),
  fetchedAt: z.string(),
  expiresAt: z.number().int(),
};

/** An item as stored; anything else under the key (an older shape) reads as a miss. */
const previewItemSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), card: pageCardSchema, ...common }),
  z.object({ status: z.literal('failed'), reason: z.string(), ...common }),
]);

export class DynamoPreviewStore implements PreviewStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(url: string): Promise<PreviewEntry | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: previewKey(url) }),
    );
    if (!result.Item) return undefined;
    const parsed = previewItemSchema.safeParse(result.Item);
    // The item names its URL, so an entry only ever answers for the URL it was made for.
    return parsed.success && parsed.data.url === url ? parsed.data : undefined;
  }

  async put(entry: PreviewEntry): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...previewKey(entry.url),
          type: 'preview',
          ...entry,
          // DynamoDB's TTL reads this attribute; the name is the table's, not ours
          [TABLE.ttlAttribute]: entry.expiresAt,
        },
      }),
    );
  }
}
