/**
 * The editor API reads the stack's clock, as the other functions do: on a stack set 30
 * days ahead (as tests/e2e/posting-schedules.test.ts sets one), an editor's dueAt is
 * checked against that time, not the system's, so a dueAt the composer would call past
 * is refused and one in the stack's near future is taken.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../shared/resources';
import { callEditorApi } from '../../support/editor-api';
import { sqsEvent, startTestStack, type TestStack } from '../../support/stack';
import { postWebhook, sampleArticle } from '../../support/webhook';

const CONFIG = fileURLToPath(new URL('../../fixtures/channels/editor-api.json', import.meta.url));

const AHEAD = 30 * 24 * 3600_000;
const clock = { now: () => new Date(Date.now() + AHEAD) };

let stack: TestStack;
const savedConfig = process.env.CRIER_CONFIG;

beforeAll(async () => {
  process.env.CRIER_CONFIG = CONFIG;
  stack = await startTestStack({
    sandboxes: false,
    clock,
    functions: {
      'ingest-webhook': FUNCTIONS['ingest-webhook'],
      'compose-article': { ...FUNCTIONS['compose-article'], sqs: undefined },
      'editor-api': FUNCTIONS['editor-api'],
    },
  });
});

afterAll(async () => {
  await stack?.dispose();
  if (savedConfig === undefined) delete process.env.CRIER_CONFIG;
  else process.env.CRIER_CONFIG = savedConfig;
});

const patch = (articleId: string, key: string, body: unknown) =>
  callEditorApi(stack.url, {
    method: 'PATCH',
    path: `/api/articles/${articleId}/shares/${key}`,
    token: stack.secrets.editorToken.value,
    body,
  });

describe('the editor API on a stack with a clock of its own', () => {
  it('checks a dueAt against the stack’s time', async () => {
    const response = await postWebhook(
      stack.url,
      stack.secrets.webhookSecret.value,
      JSON.stringify({ ...sampleArticle(), id: 'clock-1' }),
    );
    expect(response.status).toBe(202);
    const { articleId } = response.body as { articleId: string };
    await stack.invoke('compose-article', sqsEvent([JSON.stringify({ articleId, revision: 1 })]));

    // An hour from now on the system's clock is 30 days ago on the stack's.
    const systemSoon = new Date(Date.now() + 3600_000).toISOString();
    expect(await patch(articleId, 'x-newsroom', { dueAt: systemSoon })).toMatchObject({
      status: 400,
      body: { fields: [{ field: 'dueAt', message: expect.stringContaining('past') }] },
    });

    const stackSoon = new Date(clock.now().getTime() + 3600_000).toISOString();
    const answer = await patch(articleId, 'x-newsroom', { dueAt: stackSoon });
    expect(answer.status).toBe(200);
    expect(answer.body.share).toMatchObject({ dueAt: stackSoon, status: 'scheduled' });
  });
});
