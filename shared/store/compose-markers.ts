/**
 * The revision sweep's markers (keys.ts, composeMarkerKey): written by ingest before the
 * revision, read by the tick once their time has come, cleared by the sweep alone.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ARTICLE_ID_PATTERN } from '../domain/ids';
import type { ComposeMarker, ComposeMarkers } from '../domain/ports';
import { COMPOSE_MARKERS_PK, composeMarkerKey } from './keys';

const markerItemSchema = z.object({
  articleId: z.string().regex(ARTICLE_ID_PATTERN),
  checkAt: z.iso.datetime(),
  resends: z.number().int().min(0),
});

export class DynamoComposeMarkers implements ComposeMarkers {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async mark(marker: ComposeMarker): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...composeMarkerKey(marker.checkAt, marker.articleId),
          type: 'compose-marker',
          ...markerItemSchema.parse(marker),
        },
      }),
    );
  }

  async endedBy(instant: string, limit: number): Promise<ComposeMarker[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        // `~` sorts after every character of an id: every marker of the instant is in.
        KeyConditionExpression: 'PK = :pk AND SK <= :upTo',
        ExpressionAttributeValues: { ':pk': COMPOSE_MARKERS_PK, ':upTo': `${instant}#~` },
        Limit: limit,
      }),
    );
    const markers: ComposeMarker[] = [];
    for (const item of result.Items ?? []) {
      const parsed = markerItemSchema.safeParse(item);
      // An item that is not a marker cannot point anywhere: it is skipped, not fatal.
      if (parsed.success) markers.push(parsed.data);
    }
    return markers;
  }

  async clear(marker: ComposeMarker): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: composeMarkerKey(marker.checkAt, marker.articleId),
      }),
    );
  }
}
