/**
 * Channels in the table are the live configuration: a template changed in the channel
 * directory composes the next article within the TTL (CRIER_DIRECTORY_TTL_SECONDS, one
 * second here), without a restart; an archived channel takes no new article. On the
 * local stack, compose-article invoked as SQS would.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/domain/ports';
import { FUNCTIONS } from '../../../shared/resources';
import { DynamoChannelDirectory } from '../../../shared/store/channel-directory';
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';
import { postWebhook, sampleArticle } from '../../support/webhook';

const config = {
  channels: [
    { id: 'x-desk', platform: 'x', account: 'desk', template: '{title} {url}' },
    { id: 'tg-desk', platform: 'telegram', account: '@desk', template: '{title} {url}' },
  ],
};

let stack: TestStack;
let secret: string;
let directory: DynamoChannelDirectory;
const previous = {
  CRIER_CONFIG: process.env.CRIER_CONFIG,
  CRIER_DIRECTORY_TTL_SECONDS: process.env.CRIER_DIRECTORY_TTL_SECONDS,
};

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'crier-config-')), 'channels.json');
  writeFileSync(file, JSON.stringify(config));
  process.env.CRIER_CONFIG = file;
  process.env.CRIER_DIRECTORY_TTL_SECONDS = '1';
  // The compose queue has no consumer: the test invokes compose-article itself.
  stack = await startTestStack({
    functions: {
      'ingest-webhook': FUNCTIONS['ingest-webhook'],
      'compose-article': { ...FUNCTIONS['compose-article'], sqs: undefined },
    },
  });
  secret = stack.secrets.webhookSecret.value;
  directory = new DynamoChannelDirectory(stack.db, stack.tableName, systemClock);
});

afterAll(async () => {
  await stack?.dispose();
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function ingestAndCompose(id: string): Promise<string> {
  const response = await postWebhook(
    stack.url,
    secret,
    JSON.stringify({ ...sampleArticle(), id, title: `Story ${id}` }),
  );
  expect(response.status).toBe(202);
  const { articleId } = response.body as { articleId: string };
  const body = JSON.stringify({ articleId, revision: 1 });
  expect(await stack.invoke('compose-article', sqsEvent([body]))).toEqual({
    batchItemFailures: [],
  });
  return articleId;
}

const shareOf = async (articleId: string, channelId: string) =>
  (await stack.items()).find((i) => i.PK === `ART#${articleId}` && i.SK === `S#${channelId}`);

const pastTtl = () => new Promise((resolve) => setTimeout(resolve, 1_200));

describe('channels in the table, live', () => {
  it('composes the next article with a template changed in the table, within the TTL', async () => {
    const first = await ingestAndCompose('live-1');
    expect(String((await shareOf(first, 'x-desk'))?.text)).toMatch(/^Story live-1 /);

    const channel = await directory.getChannel('x-desk');
    if (!channel) throw new Error('x-desk is not in the table: the first start imports it');
    await directory.putChannel(
      { ...channel, template: 'LIVE {title} {url}' },
      { who: 'test', expectedVersion: channel.version },
    );
    await pastTtl();

    const second = await ingestAndCompose('live-2');
    expect(String((await shareOf(second, 'x-desk'))?.text)).toMatch(/^LIVE Story live-2 /);
    // The share composed before the change keeps its text.
    expect(String((await shareOf(first, 'x-desk'))?.text)).toMatch(/^Story live-1 /);
  });

  it('gives an archived channel no share of the next article', async () => {
    await directory.archiveChannel('tg-desk', { who: 'test' });
    await pastTtl();

    const articleId = await ingestAndCompose('live-3');

    expect(await shareOf(articleId, 'tg-desk')).toBeUndefined();
    expect(await shareOf(articleId, 'x-desk')).toBeDefined();
  });
});
