/**
 * Puts back index entries the local emulator lost. dynalite writes an item's index
 * entries and then the item, each on its own: a process killed in between (kill -9, a
 * crash) can leave an item whose index entry is gone, and a share the in-flight index no
 * longer lists stays `queued` for ever. At start-up, before anything reads the indexes,
 * every item is compared with what each index holds, and an item missing from an index
 * is written again unchanged, which makes dynalite index it again. DynamoDB keeps its
 * own indexes: this runs only here, where a scan of the local table costs nothing.
 * (An index entry left behind by an item that moved on is harmless: every reader gets
 * the item and checks what it says.)
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../shared/resources';

type Item = Record<string, unknown>;

const keyOf = (item: Item) =>
  `${String(item[TABLE.partitionKey])}\u0000${String(item[TABLE.sortKey])}`;

async function scanAll(db: DynamoDBDocumentClient, tableName: string, indexName?: string) {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: tableName, IndexName: indexName, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** How many items each index had lost (and now has again), by index name. */
export async function repairLocalIndexes(
  client: DynamoDBClient,
  tableName: string,
): Promise<Record<string, number>> {
  const db = DynamoDBDocumentClient.from(client);
  const items = await scanAll(db, tableName);
  const repaired: Record<string, number> = {};
  for (const index of Object.values(TABLE.indexes)) {
    const indexed = new Set(
      (await scanAll(db, tableName, index.name))
        // An entry counts only if it carries the item's index key as the item does now.
        .map((entry) => `${keyOf(entry)}\u0000${String(entry[index.sortKey])}`),
    );
    let count = 0;
    for (const item of items) {
      const pk = item[index.partitionKey];
      const sk = item[index.sortKey];
      if (pk === undefined || sk === undefined) continue;
      if (indexed.has(`${keyOf(item)}\u0000${String(sk)}`)) continue;
      // The same values again: the item is unchanged, and dynalite writes its entry anew.
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: {
            [TABLE.partitionKey]: item[TABLE.partitionKey],
            [TABLE.sortKey]: item[TABLE.sortKey],
          },
          ConditionExpression: '#pk = :pk AND #sk = :sk',
          UpdateExpression: 'SET #pk = :pk, #sk = :sk',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
          ExpressionAttributeValues: { ':pk': pk, ':sk': sk },
        }),
      );
      count += 1;
    }
    repaired[index.name] = count;
  }
  return repaired;
}
