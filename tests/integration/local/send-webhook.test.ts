/** `npm run send-sample` with each payload kind, against a local stack's webhooks. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articleIdFor } from '../../../shared/domain/ids';
import { FUNCTIONS } from '../../../shared/resources';
import { articleKey } from '../../../shared/store/keys';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({
    sandboxes: false,
    functions: {
      'ingest-webhook': FUNCTIONS['ingest-webhook'],
      'compose-article': { ...FUNCTIONS['compose-article'], sqs: undefined },
    },
  });
});

afterAll(async () => {
  await stack?.dispose();
});

async function sendSample(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'npx',
    ['tsx', 'infra/local/send-webhook.ts', '--url', stack.url, ...args],
    // The stack's data folder holds the secrets it generated, as `npm start`'s does.
    { env: { ...process.env, CRIER_DATA_DIR: stack.dataDir } },
  );
  return stdout.trim();
}

describe('npm run send-sample', () => {
  it('sends the bundled WordPress post, signed with the webhook secret', async () => {
    expect(await sendSample('--wordpress')).toBe(
      `202 {"articleId":"${articleIdFor('wordpress', '41872')}"}`,
    );
  });

  it("sends to a site's endpoint with --site: the default site's under its id, the same article", async () => {
    expect(await sendSample('--wordpress', '--site', 'default')).toBe(
      `202 {"articleId":"${articleIdFor('wordpress', '41872')}"}`,
    );
  });

  it('sends the bundled Ghost post, signed with the Ghost secret', async () => {
    expect(await sendSample('--ghost')).toBe(
      `202 {"articleId":"${articleIdFor('ghost', '5dcaf3e1c7a8d20001a4b2f1')}"}`,
    );
  });

  it("sends the generic article's next revision with --correction, carrying the note", async () => {
    const first = await sendSample();
    const articleId = /"articleId":"([^"]+)"/.exec(first)?.[1];
    expect(articleId).toBeDefined();
    expect(await sendSample('--correction', 'The vote was 54-46, not 56-44.')).toBe(first);
    // Ingest stored the revision before it answered (compose does not run here).
    const stored = await stack.db.send(
      new GetCommand({ TableName: stack.tableName, Key: articleKey(articleId ?? '') }),
    );
    expect(stored.Item).toMatchObject({
      revision: 2,
      article: { revision: 2, correction: 'The vote was 54-46, not 56-44.' },
    });
  });

  it('refuses --correction with another payload kind, or without a note, sending nothing', async () => {
    for (const args of [
      ['--ghost', '--correction', 'x'],
      ['--correction', ' '],
    ]) {
      const failed = await sendSample(...args).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(failed?.code, args.join(' ')).toBe(1);
      expect(failed?.stderr).toMatch(/--correction/);
    }
  });
});
