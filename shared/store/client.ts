/** The one DynamoDB document client per module load; endpoints come from the SDK's own settings. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Sets the item's `attribute` to `until` (an ISO 8601 time), only ever forward: two writers
 * learning of one limit keep the later time. `type` is the item's `type`.
 */
export async function setLaterTime(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
  attribute: string,
  until: string,
  type: string,
): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #at = :until, #type = :type',
        ConditionExpression: 'attribute_not_exists(#at) OR #at < :until',
        ExpressionAttributeNames: { '#at': attribute, '#type': 'type' },
        ExpressionAttributeValues: { ':until': until, ':type': type },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** Every item a query finds, page after page (ExclusiveStartKey until none is left). */
export async function queryAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey: startKey }),
    );
    rows.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return rows;
}

/** BatchGetItem takes at most this many keys a request. */
const BATCH_GET_LIMIT = 100;

/**
 * The items of `keys` (each `{ PK, SK }`), in the keys' order, those the table no longer
 * holds left out: BatchGetItem 100 keys at a time, asking again for what DynamoDB left
 * unprocessed (after a pause that grows), as its documentation asks.
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly { PK: string; SK: string }[],
): Promise<Record<string, unknown>[]> {
  const id = (item: Record<string, unknown>) => `${String(item.PK)}\u0000${String(item.SK)}`;
  const found = new Map<string, Record<string, unknown>>();
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + BATCH_GET_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** Math.min(attempt, 6)));
      const answer = await db.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }),
      );
      for (const item of answer.Responses?.[tableName] ?? []) found.set(id(item), item);
      pending = answer.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return keys.flatMap((key) => {
    const item = found.get(id(key));
    return item ? [item] : [];
  });
}
