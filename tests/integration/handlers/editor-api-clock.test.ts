/**
 * The editor API reads the stack's clock, as the other functions do: on a stack set 30
 * days ahead (as tests/e2e/posting-schedules.test.ts sets one), an editor's dueAt is
 * checked against that time, not the system's, so a dueAt the composer would call past
 * is refused and one in the stack's near future is taken.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelConfigForFile } from '../../support/channel-config';
import { callEditorApi } from '../../support/editor-api';
import { EDITOR_API_FUNCTIONS, ingestAndCompose } from '../../support/handler-stack';
import { startTestStack, type TestStack } from '../../support/stack';

const CONFIG = fileURLToPath(new URL('../../fixtures/channels/editor-api.json', import.meta.url));

const AHEAD = 30 * 24 * 3600_000;
const clock = { now: () => new Date(Date.now() + AHEAD) };

let stack: TestStack;

channelConfigForFile(CONFIG);

beforeAll(async () => {
  stack = await startTestStack({
    sandboxes: false,
    clock,
    functions: EDITOR_API_FUNCTIONS,
  });
});

afterAll(async () => {
  await stack?.dispose();
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
    const articleId = await ingestAndCompose(stack, { id: 'clock-1' });

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
