/**
 * DynamoDB for the local runtime: dynalite in-process on a free loopback port, its data in
 * `<dataDir>/dynamodb`, and the table of `TABLE` created once, so a restart keeps it.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE } from '../../shared/resources';
import { repairLocalIndexes } from './index-repair';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws';
import type { Logger } from './logger';

export type LocalDynamo = {
  endpoint: string;
  port: number;
  tableName: string;
  /** a client for the runtime and tests; the functions build their own from the environment */
  client: DynamoDBClient;
  stop(): Promise<void>;
};

/** The table as CreateTable takes it: the same keys and indexes the CDK stack declares. */
export function tableDefinition(tableName: string = TABLE.localName): CreateTableCommandInput {
  const indexes = Object.values(TABLE.indexes);
  const keyNames = new Set<string>([
    TABLE.partitionKey,
    TABLE.sortKey,
    ...indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ]);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyNames].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection:
        index.projection.type === 'INCLUDE'
          ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.attributes] }
          : { ProjectionType: index.projection.type },
    })),
  };
}

async function describe(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const table = await describe(client, tableName);
    if (table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

/** Creates the table when it is missing; says so when an older table lacks an index. */
export async function ensureTable(
  client: DynamoDBClient,
  log: Logger,
  dataDir: string,
  tableName: string = TABLE.localName,
): Promise<void> {
  const existing = await describe(client, tableName);
  if (!existing) {
    try {
      await client.send(new CreateTableCommand(tableDefinition(tableName)));
      log.debug('dynamodb.table-created', { table: tableName });
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitUntilActive(client, tableName);
    return;
  }
  const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const missing = Object.values(TABLE.indexes)
    .map((index) => index.name)
    .filter((name) => !present.has(name));
  if (missing.length > 0) {
    // dynalite cannot add an index to an existing table (UpdateTable ignores Create).
    log.warn('dynamodb.table-lacks-indexes', {
      table: tableName,
      missing,
      remedy: `stop Crier and delete ${join(dataDir, 'dynamodb')} to recreate the table`,
    });
  }
  await waitUntilActive(client, tableName);
}

export function createDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

/**
 * Starts dynalite on `<dataDir>/dynamodb`. The caller holds the data folder's lock (see
 * lock.ts): a second dynalite on the same folder would crash this process.
 */
export async function startDynamo(options: { dataDir: string; log: Logger }): Promise<LocalDynamo> {
  const { dataDir, log } = options;
  const path = join(dataDir, 'dynamodb');
  mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite has no port');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = createDynamoClient(endpoint);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      client.destroy();
      // Idle keep-alive sockets of the functions' clients would hold close() open.
      server.closeIdleConnections();
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      // A request of an abandoned (timed out) handler may still be open: cut it after a while.
      const cut = setTimeout(() => server.closeAllConnections(), 2_000);
      await closed.finally(() => clearTimeout(cut));
      log.info('dynamodb.stopped', { path });
    })();
    return stopped;
  };

  try {
    await ensureTable(client, log, dataDir);
    // Before anything reads an index: what a killed process left half-written.
    const repaired = await repairLocalIndexes(client, TABLE.localName);
    log.debug('dynamodb.indexes-checked', { repaired });
  } catch (error) {
    await stop();
    throw error;
  }
  log.debug('dynamodb.started', { endpoint, path, table: TABLE.localName });
  return { endpoint, port: address.port, tableName: TABLE.localName, client, stop };
}
