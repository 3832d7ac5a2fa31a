/** `npm run send-sample` with each payload kind, against a local stack's webhooks. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articleIdFor } from '../../../shared/domain/ids';
import { FUNCTIONS } from '../../../shared/resources';
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
});
