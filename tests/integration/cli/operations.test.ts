/**
 * `crier dlq redrive` and `crier share reconcile` against a running local stack, found
 * through its runtime file. The stack runs no functions, so what the commands put on
 * the queues stays there to be looked at.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../infra/cli/main';
import { RUNTIME_FILE_NAME } from '../../../infra/local/runtime-file';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { Share } from '../../../shared/domain/share';
import type { ShareStatus } from '../../../shared/domain/share-state';
import { createDocumentClient } from '../../../shared/store/client';
import { DynamoShareStore } from '../../../shared/store/share-store';
import { newShare } from '../../../shared/usecases/compose-article';
import { runCrier } from '../../support/cli';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let store: DynamoShareStore;

beforeAll(async () => {
  stack = await startTestStack({ functions: {}, sandboxes: false });
  // The stack has set AWS_ENDPOINT_URL_DYNAMODB: this client reaches its dynalite.
  store = new DynamoShareStore(createDocumentClient(), stack.tableName);
});

afterAll(async () => {
  await stack?.dispose();
});

const crier = (...argv: string[]) => runCrier(stack.dataDir, ...argv);

/** Every message now on the queue (received, so invisible for its visibility timeout). */
async function drain(queue: 'compose' | 'publish'): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const batch = await stack.receive(queue);
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

const { channels } = loadChannelsConfig(undefined);
const channel = channels.find((c) => c.platform === 'mastodon') ?? channels[0];
const article = parseGenericArticle({
  id: 'cli-test',
  url: 'https://www.example.org/news/cli',
  title: 'A share for the operators',
  publishedAt: '2024-05-01T10:00:00Z',
});

let serial = 0;
/** A share stored in `status`, with `patch`: as the worker or the sweeper would leave it. */
async function storedShare(status: ShareStatus, patch: Partial<Share> = {}): Promise<Share> {
  if (!channel) throw new Error('no channel');
  serial += 1;
  const articleId = serial.toString(16).padStart(32, 'a');
  const now = new Date();
  const share: Share = {
    ...newShare(
      { articleId, article, receivedAt: now.toISOString(), updatedAt: now.toISOString() },
      channel,
      now,
    ),
    status,
    ...patch,
  };
  expect(await store.createIfAbsent(share)).toBe(true);
  return share;
}

const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
const aMinuteAgo = () => new Date(Date.now() - 60_000).toISOString();

describe('the local stack tells tools where it is', () => {
  it('writes its endpoints, table and queues to runtime.json while it runs', () => {
    const runtime = JSON.parse(readFileSync(join(stack.dataDir, RUNTIME_FILE_NAME), 'utf8'));
    expect(runtime).toMatchObject({
      pid: process.pid,
      tableName: stack.tableName,
      dynamoEndpoint: stack.dynamoEndpoint,
      sqsEndpoint: stack.sqsEndpoint,
      queues: { publish: { url: stack.queueUrls.publish, dlqUrl: stack.dlqUrls.publish } },
    });
  });
});

describe('every command reads its arguments the same way', () => {
  for (const command of ['dlq', 'share', 'channels']) {
    it(`${command}: --help prints its help, an unknown option its usage with exit 2`, async () => {
      const help = await crier(command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`Usage: crier ${command} `));
      expect(help.stderr).toBe('');

      const wrong = await crier(command, '--no-such-option');
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/--no-such-option/);
      expect(wrong.stderr).toMatch(new RegExp(`Usage: crier ${command} `));
      expect(wrong.stdout).toBe('');
    });
  }
});

describe('crier dlq redrive', () => {
  it('moves every dead letter back to its queue, bodies unchanged, and prints the count', async () => {
    const bodies = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) =>
      JSON.stringify({ articleId: n.toString(16).padStart(32, '0'), channelId: 'x-newsroom' }),
    );
    for (const body of bodies) {
      await stack.sqs.send(
        new SendMessageCommand({ QueueUrl: stack.dlqUrls.publish, MessageBody: body }),
      );
    }
    const { code, stdout } = await crier('dlq', 'redrive', 'publish');
    expect(code).toBe(0);
    expect(stdout).toContain('the publish DLQ holds 12 message(s)');
    expect(stdout).toContain('Moved 12 message(s) back to the publish queue');
    const moved = await drain('publish');
    expect(moved.map((m) => m.Body).sort()).toEqual([...bodies].sort());
    expect(await stack.queueDepth('publish')).toBe(12);
  });

  it('says there is nothing to do when the DLQ is empty', async () => {
    const { code, stdout } = await crier('dlq', 'redrive', 'compose');
    expect(code).toBe(0);
    expect(stdout).toContain('Nothing to redrive.');
  });

  it('refuses a queue that does not exist, naming the ones that do', async () => {
    const { code, stderr } = await crier('dlq', 'redrive', 'nowhere');
    expect(code).toBe(2);
    expect(stderr).toContain('<compose|publish|syndicate>');
  });

  it('says where to look when no local stack runs in the folder', async () => {
    let stderr = '';
    const code = await main(['dlq', 'redrive', 'publish', '--local', join(stack.dataDir, 'none')], {
      stdout: { write: () => true },
      stderr: { write: (chunk: string) => (stderr += chunk) },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/No local stack is running .*--stage/);
  });
});

describe('crier share reconcile', () => {
  it('sends an unknown share to the publish worker and moves its lease so the sweeper waits', async () => {
    await drain('publish');
    const share = await storedShare('unknown', { leaseUntil: aMinuteAgo(), attempt: 1 });
    const { code, stdout } = await crier('share', 'reconcile', share.articleId, share.channelId);
    expect(code).toBe(0);
    expect(stdout).toContain('to the publish worker to reconcile');
    const messages = await drain('publish');
    expect(messages.map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([
      { articleId: share.articleId, channelId: share.channelId },
    ]);
    const stored = await store.get(share);
    expect(stored?.status).toBe('unknown');
    expect(stored?.version).toBe(share.version + 1);
    expect(stored?.leaseUntil && stored.leaseUntil > new Date().toISOString()).toBe(true);
  });

  it('turns a share stuck publishing past its lease into unknown, recorded, and sends it', async () => {
    await drain('publish');
    const share = await storedShare('publishing', { leaseUntil: aMinuteAgo() });
    const { code } = await crier('share', 'reconcile', share.articleId, share.channelId);
    expect(code).toBe(0);
    expect(await drain('publish')).toHaveLength(1);
    const stored = await store.get(share);
    expect(stored?.status).toBe('unknown');
    expect(stored?.history.at(-1)).toMatchObject({
      event: 'expire',
      from: 'publishing',
      to: 'unknown',
      by: expect.stringMatching(/^operator /),
    });
  });

  it.each([
    ['publishing', { leaseUntil: inAMinute() }, /being published: a worker holds its lease/],
    [
      'published',
      { remoteUrl: 'https://mastodon.example/@newsroom/1' },
      /already published as https:\/\/mastodon/,
    ],
    ['failed', { lastError: 'rejected: too long' }, /nothing was posted/],
    ['queued', { leaseUntil: inAMinute() }, /queued and not posted yet/],
    ['scheduled', {}, /scheduled and not posted yet/],
    ['cancelled', {}, /cancelled/],
  ] as const)('refuses a %s share, says why, and changes nothing', async (status, patch, why) => {
    await drain('publish');
    const share = await storedShare(status, patch);
    const { code, stderr } = await crier('share', 'reconcile', share.articleId, share.channelId);
    expect(code).toBe(1);
    expect(stderr).toContain(`Not reconciling share ${share.articleId}/${share.channelId}`);
    expect(stderr).toMatch(why);
    expect(await drain('publish')).toEqual([]);
    expect(await store.get(share)).toEqual(share);
  });

  it('says so when there is no such share, and refuses a malformed article id', async () => {
    const missing = await crier('share', 'reconcile', 'f'.repeat(32), 'x-newsroom');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No share');
    const malformed = await crier('share', 'reconcile', 'not-an-id', 'x-newsroom');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('articleId');
  });
});

describe('crier channels', () => {
  const file = (name: string, content: unknown) => {
    const path = join(stack.dataDir, name);
    writeFileSync(path, JSON.stringify(content, null, 2));
    return path;
  };
  const channel = (id: string, platform: string, extra: Record<string, unknown> = {}) => ({
    id,
    platform,
    account: `desk-${id}`,
    template: '{title} {url}',
    ...extra,
  });
  const first = {
    site: { name: 'CLI Daily' },
    channels: [channel('cli-x', 'x'), channel('cli-masto', 'mastodon')],
  };
  const auditOf = async () =>
    (await crier('channels', 'audit', '--site', 'cli', '--limit', '100')).stdout;

  it('shows the difference first, writes it only with --yes, and a second time changes nothing', async () => {
    const path = file('first.json', first);
    const dry = await crier('channels', 'import', path, '--site', 'cli');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+ site cli');
    expect(dry.stdout).toContain('+ channel cli-x');
    expect(dry.stdout).toContain('+ channel cli-masto');
    expect(dry.stdout).toContain('Nothing written');
    expect(await auditOf()).toBe('');

    const applied = await crier('channels', 'import', path, '--site', 'cli', '--yes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Applied');
    const audit = await auditOf();
    expect(audit.trim().split('\n')).toHaveLength(3);
    expect(audit).toMatch(/operator \S+ {2}create {2}channel:cli-x {2}v1/);

    const again = await crier('channels', 'import', path, '--site', 'cli', '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes (0 added, 0 changed, 0 archived, 2 unchanged)');
    expect(await auditOf()).toBe(audit);
  });

  it('names the changed fields and archives what the file no longer has', async () => {
    const path = file('second.json', {
      site: { name: 'CLI Daily' },
      channels: [
        channel('cli-x', 'x', { template: '{title}', hashtags: { max: 1 } }),
        channel('cli-bsky', 'bluesky'),
      ],
    });
    const dry = await crier('channels', 'import', path, '--site', 'cli');
    expect(dry.stdout).toContain('~ channel cli-x: hashtags, template');
    expect(dry.stdout).toContain('+ channel cli-bsky');
    expect(dry.stdout).toContain('- channel cli-masto (archived)');
    expect(dry.stdout).toContain('1 added, 1 changed, 1 archived, 0 unchanged');
    expect((await crier('channels', 'import', path, '--site', 'cli', '--yes')).code).toBe(0);
    const list = await crier('channels', 'list', '--site', 'cli', '--archived');
    expect(list.stdout).toMatch(/cli-masto .*archived {2}v2/);
    expect(list.stdout).toMatch(/cli-x .*active {2}v2/);
  });

  it('exports a site as a channels file that imports back with no change, paused or not', async () => {
    expect((await crier('channels', 'pause', 'cli-bsky')).stdout).toContain(
      'Channel cli-bsky is paused',
    );
    const exported = await crier('channels', 'export', '--site', 'cli');
    expect(exported.code).toBe(0);
    const config = JSON.parse(exported.stdout);
    expect(config.site.name).toBe('CLI Daily');
    expect(config.channels.map((c: { id: string }) => c.id)).toEqual(['cli-bsky', 'cli-x']);
    const path = file('exported.json', config);
    const back = await crier('channels', 'import', path, '--site', 'cli', '--yes');
    expect(back.stdout).toContain('No changes');
    expect((await crier('channels', 'list', '--site', 'cli')).stdout).toMatch(/cli-bsky .*paused/);
    // the file's channels are as the first file wrote them: cli-masto comes back, restored
    const restore = await crier(
      'channels',
      'import',
      file('first-again.json', first),
      '--site',
      'cli',
    );
    expect(restore.stdout).toContain('~ channel cli-masto: status');
  });

  it('pauses and resumes a whole site, and refuses a file that fails the checks', async () => {
    expect((await crier('channels', 'pause', '--site', 'cli')).stdout).toContain(
      'Site cli is paused',
    );
    expect((await crier('channels', 'list', '--site', 'cli')).stdout).toMatch(/cli-x .*paused/);
    expect((await crier('channels', 'resume', '--site', 'cli')).code).toBe(0);
    const bad = file('bad.json', {
      channels: [channel('cli-li', 'linkedin', { thread: { enabled: true } })],
    });
    const refused = await crier('channels', 'import', bad, '--site', 'cli', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('channels.0.thread.enabled: linkedin takes no threads');
    const wrong = await crier('channels', 'frobnicate');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Usage: crier channels import');
  });

  it('archives a channel, saying how many pending shares it cancelled', async () => {
    const archived = await crier('channels', 'archive', 'cli-x');
    expect(archived.code).toBe(0);
    expect(archived.stdout).toContain('Channel cli-x is archived');
    expect(archived.stdout).toContain('0 pending share(s) cancelled');
    const list = await crier('channels', 'list', '--site', 'cli', '--archived');
    expect(list.stdout).toMatch(/cli-x .*archived/);
    expect(await auditOf()).toMatch(/archive {2}channel:cli-x/);
    expect((await crier('channels', 'archive')).code).toBe(2);
  });
});

describe('after the stack stops', () => {
  it('removes runtime.json, so tools no longer find a stack there', async () => {
    const file = join(stack.dataDir, RUNTIME_FILE_NAME);
    expect(existsSync(file)).toBe(true);
    await stack.stop();
    expect(existsSync(file)).toBe(false);
  });
});
