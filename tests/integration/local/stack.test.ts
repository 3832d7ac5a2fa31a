import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataDirInUseError } from '../../../infra/local/lock';
import type { LogEntry } from '../../../infra/local/logger';
import {
  type LocalFunctionDefinition,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../../infra/local/stack';
import { PLATFORMS } from '../../../shared/domain/platform';
import { systemClock } from '../../../shared/domain/ports';
import { FUNCTIONS, QUEUES, TABLE } from '../../../shared/resources';
import { DynamoChannelDirectory } from '../../../shared/store/channel-directory';

const folders: string[] = [];
const stacks: LocalStack[] = [];

function dataFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'crier-stack-'));
  folders.push(folder);
  return folder;
}

async function start(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stack = await startLocalStack({ port: 0, quiet: true, functions: {}, ...options });
  stacks.push(stack);
  return stack;
}

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.stop()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const base = {
  entry: 'functions/in-memory.ts',
  description: 'a test function',
  timeoutSeconds: 5,
  memoryMB: 128,
  uses: {},
} satisfies Omit<LocalFunctionDefinition, 'handler'>;

/** Short visibility timeouts so nothing in these tests waits minutes. */
const queues = {
  compose: { ...QUEUES.compose, visibilityTimeoutSeconds: 2 },
  publish: { ...QUEUES.publish, visibilityTimeoutSeconds: 2 },
  syndicate: { ...QUEUES.syndicate, visibilityTimeoutSeconds: 2 },
};

function documentClient(stack: LocalStack): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamoEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
}

describe('the local stack', () => {
  it('answers GET /healthz with 200 once ready, on loopback addresses only', async () => {
    const stack = await start({ dataDir: dataFolder() });
    const reply = await fetch(`${stack.url}/healthz`);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ status: 'ok' });
    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.dynamoEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.sqsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("sets the functions' environment before they run, and their SDK clients reach the local table and queues", async () => {
    const before = process.env.TABLE_NAME;
    const consumed: SQSEvent[] = [];
    let seen: Record<string, string | undefined> = {};
    const functions: Record<string, LocalFunctionDefinition> = {
      'store-and-queue': {
        ...base,
        routes: ['POST /things/{thingId}'],
        handler: async (event: APIGatewayProxyEventV2) => {
          seen = { ...process.env };
          // Built from the environment only, as the real functions build theirs.
          const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
          const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
          try {
            const thingId = event.pathParameters?.thingId ?? '';
            await db.send(
              new PutCommand({
                TableName: process.env.TABLE_NAME,
                Item: { PK: `THING#${thingId}`, SK: 'A', body: event.body },
              }),
            );
            await sqs.send(
              new SendMessageCommand({
                QueueUrl: process.env.COMPOSE_QUEUE_URL,
                MessageBody: thingId,
              }),
            );
          } finally {
            db.destroy();
            sqs.destroy();
          }
          return {
            statusCode: 202,
            body: JSON.stringify({ thingId: event.pathParameters?.thingId }),
          };
        },
      },
      consumer: {
        ...base,
        sqs: { queue: 'compose', batchSize: 5, maxBatchingWindowSeconds: 0, maxConcurrency: 2 },
        handler: async (event: SQSEvent) => {
          consumed.push(event);
        },
      },
    };
    const stack = await start({ dataDir: dataFolder(), functions, queues });

    const reply = await fetch(`${stack.url}/things/t1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":1}',
    });
    expect(reply.status).toBe(202);
    expect(await reply.json()).toEqual({ thingId: 't1' });
    expect(seen).toMatchObject({
      TABLE_NAME: TABLE.localName,
      COMPOSE_QUEUE_URL: stack.queueUrls.compose,
      PUBLISH_QUEUE_URL: stack.queueUrls.publish,
      SYNDICATE_QUEUE_URL: stack.queueUrls.syndicate,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
      AWS_ENDPOINT_URL_SQS: stack.sqsEndpoint,
      CRIER_WEBHOOK_SECRET: stack.secrets.webhookSecret.value,
      CRIER_GHOST_SECRET: stack.secrets.ghostSecret.value,
      CRIER_SYNDICATION_SECRET: stack.secrets.syndicationSecret.value,
      CRIER_EDITOR_TOKEN: stack.secrets.editorToken.value,
      POWERTOOLS_SERVICE_NAME: 'crier',
    });
    expect(seen.AWS_ACCESS_KEY_ID).toBeTruthy();
    await vi.waitFor(() => expect(consumed).toHaveLength(1), { timeout: 5_000 });
    expect(consumed[0]?.Records[0]?.body).toBe('t1');
    const db = documentClient(stack);
    const { Item } = await db.send(
      new GetCommand({ TableName: stack.tableName, Key: { PK: 'THING#t1', SK: 'A' } }),
    );
    db.destroy();
    expect(Item).toMatchObject({ body: '{"n":1}' });

    await stack.stop();
    expect(process.env.TABLE_NAME).toBe(before);
  });

  it('invokes a scheduled function on every tick', async () => {
    const ticks: unknown[] = [];
    await start({
      dataDir: dataFolder(),
      tickSeconds: 0.2,
      functions: {
        'dispatch-due': {
          ...base,
          schedule: { everySeconds: 60 },
          handler: async (event: unknown) => {
            ticks.push(event);
          },
        },
      },
    });
    await vi.waitFor(() => expect(ticks.length).toBeGreaterThanOrEqual(2), { timeout: 3_000 });
    expect(ticks[0]).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events' });
  });

  it('invokes a function directly with its timeout', async () => {
    const stack = await start({
      dataDir: dataFolder(),
      functions: {
        echo: { ...base, handler: async (event: unknown) => ({ echoed: event }) },
        stuck: { ...base, timeoutSeconds: 0.2, handler: () => new Promise(() => {}) },
      },
    });
    await expect(stack.invoke('echo', { a: 1 })).resolves.toEqual({ echoed: { a: 1 } });
    await expect(stack.invoke('stuck', {})).rejects.toThrow(/timed out/);
    await expect(stack.invoke('nobody', {})).rejects.toThrow(/no function/);
  });

  it("imports a real function's entry at its first request (the editor API refuses a request without a token)", async () => {
    const stack = await start({
      dataDir: dataFolder(),
      functions: { 'editor-api': FUNCTIONS['editor-api'] },
    });
    const reply = await fetch(`${stack.url}/api/articles`);
    expect(reply.status).toBe(401);
  });

  it('answers 500 and logs why when a function entry cannot be loaded', async () => {
    const logs: LogEntry[] = [];
    const stack = await start({
      dataDir: dataFolder(),
      logSink: (entry) => logs.push(entry),
      functions: {
        ghost: { ...base, entry: 'functions/does-not-exist.ts', routes: ['GET /ghost'] },
        'no-handler': { ...base, entry: 'infra/local/local-aws.ts', routes: ['GET /no-handler'] },
      },
    });
    expect(logs.find((entry) => entry.event === 'function.entry-missing')?.function).toBe('ghost');
    expect((await fetch(`${stack.url}/ghost`)).status).toBe(500);
    expect((await fetch(`${stack.url}/no-handler`)).status).toBe(500);
    const failures = logs.filter((entry) => entry.event === 'function.load-failed');
    expect(failures.map((entry) => entry.function)).toEqual(['ghost', 'no-handler']);
    expect(String(failures[1]?.error)).toContain('does not export a function named handler');
  });

  it('keeps the table, its indexes, its items and the secrets across a stop and a restart on the same folder', async () => {
    const dataDir = dataFolder();
    const first = await start({ dataDir });
    const db = documentClient(first);
    await db.send(
      new PutCommand({
        TableName: first.tableName,
        Item: { PK: 'ART#a1', SK: 'A', title: 'kept' },
      }),
    );
    db.destroy();
    await first.stop();

    const second = await start({ dataDir });
    const again = documentClient(second);
    const { Item } = await again.send(
      new GetCommand({ TableName: second.tableName, Key: { PK: 'ART#a1', SK: 'A' } }),
    );
    const { Table } = await again.send(new DescribeTableCommand({ TableName: second.tableName }));
    again.destroy();
    expect(Item).toEqual({ PK: 'ART#a1', SK: 'A', title: 'kept' });
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      Object.values(TABLE.indexes)
        .map((index) => index.name)
        .sort(),
    );
    // Each index holds what its readers use, as the CDK stack declares it.
    expect(
      Object.fromEntries(
        (Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.Projection]),
      ),
    ).toEqual(
      Object.fromEntries(
        Object.values(TABLE.indexes).map((index) => [
          index.name,
          index.projection.type === 'INCLUDE'
            ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.attributes] }
            : { ProjectionType: index.projection.type },
        ]),
      ),
    );
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(second.secrets).toEqual(first.secrets);
  });

  it('imports the built-in channels into the table at its first start, audited, and leaves them at a restart', async () => {
    const dataDir = dataFolder();
    const first = await start({ dataDir });
    const db = documentClient(first);
    const directory = new DynamoChannelDirectory(db, first.tableName, systemClock);
    const channels = await directory.listChannels();
    expect(channels.map((c) => c.platform).sort()).toEqual([...PLATFORMS].sort());
    expect(channels.every((c) => c.siteId === 'default' && c.status === 'active')).toBe(true);
    expect(await directory.getSite('default')).toMatchObject({ name: 'Newsroom', version: 1 });
    const { entries } = await directory.listAudit({ limit: 100 });
    expect(entries).toHaveLength(PLATFORMS.length + 1);
    expect(entries.every((e) => e.who === 'crier (first start)' && e.action === 'create')).toBe(
      true,
    );
    await directory.pauseChannel('x-newsroom', { who: 'test' });
    db.destroy();
    await first.stop();

    const second = await start({ dataDir });
    const again = new DynamoChannelDirectory(documentClient(second), second.tableName, systemClock);
    expect((await again.getChannel('x-newsroom'))?.status).toBe('paused');
    expect((await again.listAudit({ limit: 100 })).entries).toHaveLength(PLATFORMS.length + 2);
  });

  it('refuses a second stack on the same data folder while the first runs, with a clear error', async () => {
    const dataDir = dataFolder();
    const first = await start({ dataDir });
    const refused = start({ dataDir });
    await expect(refused).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(refused).rejects.toThrow(`another Crier is running on ${dataDir}`);
    // The first is untouched by the attempt.
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);

    await first.stop();
    expect(existsSync(join(dataDir, 'crier.lock'))).toBe(false);
    const next = await start({ dataDir });
    expect((await fetch(`${next.url}/healthz`)).status).toBe(200);
  });

  it("runs a second stack beside the first on another folder, without taking the first one's settings for the user's", async () => {
    const first = await start({ dataDir: dataFolder() });
    const secondDir = dataFolder();
    const second = await start({ dataDir: secondDir });
    expect(second.port).not.toBe(first.port);
    expect(second.dynamoEndpoint).not.toBe(first.dynamoEndpoint);
    expect(second.secrets.webhookSecret.source).toBe(join(secondDir, 'secrets.json'));
    expect(second.secrets.webhookSecret.value).not.toBe(first.secrets.webhookSecret.value);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dataDir = dataFolder();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dataDir, 'crier.lock'), `${gone}\n`);
    const stack = await start({ dataDir });
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
  });

  it('fails at once when the port is taken, and leaves its data folder free', async () => {
    const first = await start({ dataDir: dataFolder() });
    const dataDir = dataFolder();
    await expect(start({ dataDir, port: first.port })).rejects.toThrow(/port \d+ is in use/);
    expect(existsSync(join(dataDir, 'crier.lock'))).toBe(false);
  });
});
