/** Each channel's shares by dueAt, from the channel timeline index (`CH#<channelId>` / `<dueAt>#<articleId>`). */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ValidationError } from '../domain/errors';
import { parseJson } from '../domain/json';
import type { ChannelTimeline, ChannelTimelineEntry, TimelinePage } from '../domain/ports';
import { TABLE } from '../resources';
import { sortKeyBounds } from './article-store';

const cursorSchema = z.object({ channel: z.string(), after: z.string() });

function decodeCursor(value: string, channelId: string): string {
  const parsed = parseJson(cursorSchema, Buffer.from(value, 'base64url').toString('utf8'));
  // A cursor from another channel's list (or none this API gave) would skip or repeat.
  if (!parsed.success || parsed.data.channel !== channelId) {
    throw new ValidationError('Invalid cursor', [
      { field: 'cursor', message: 'is not a cursor this API gave for this channel' },
    ]);
  }
  return parsed.data.after;
}

const encodeCursor = (channel: string, after: string) =>
  Buffer.from(JSON.stringify({ channel, after }), 'utf8').toString('base64url');

/** `<dueAt>#<articleId>` back into its parts; a dueAt never holds a `#`. */
function entryOf(sortKey: unknown): ChannelTimelineEntry | undefined {
  if (typeof sortKey !== 'string') return undefined;
  const at = sortKey.indexOf('#');
  if (at <= 0 || at === sortKey.length - 1) return undefined;
  return { dueAt: sortKey.slice(0, at), articleId: sortKey.slice(at + 1) };
}

export class DynamoChannelTimeline implements ChannelTimeline {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(
    channelId: string,
    options: { limit: number; cursor?: string; from?: string; to?: string },
  ): Promise<TimelinePage> {
    const index = TABLE.indexes.channelTimeline;
    const after = options.cursor ? decodeCursor(options.cursor, channelId) : undefined;
    const bounds = sortKeyBounds(index.sortKey, {
      after,
      // `~` sorts after every character of an id: every key of the instant `to` is in.
      upTo: options.to ? `${options.to}#~` : undefined,
      from: options.from,
    });
    const entries: { sortKey: string; entry: ChannelTimelineEntry }[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: `${index.partitionKey} = :pk${bounds.condition}`,
          ExpressionAttributeValues: { ':pk': `CH#${channelId}`, ...bounds.values },
          ProjectionExpression: index.sortKey,
          ScanIndexForward: false,
          Limit: options.limit - entries.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const sortKey = item[index.sortKey];
        const entry = entryOf(sortKey);
        // BETWEEN includes its upper bound; the cursor's own entry was already given.
        if (!entry || typeof sortKey !== 'string' || sortKey === after) continue;
        entries.push({ sortKey, entry });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && entries.length < options.limit);
    const last = entries.at(-1);
    return {
      entries: entries.map((e) => e.entry),
      cursor:
        last && entries.length >= options.limit ? encodeCursor(channelId, last.sortKey) : undefined,
    };
  }
}
