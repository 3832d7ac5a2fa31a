/** The editor API's channel list: what the UI needs to name each share's account and place it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../shared/resources';
import { DEFAULT_CHANNELS } from '../../support/channels';
import { startTestStack, type TestStack } from '../../support/stack';
import { getJson } from '../../support/webhook';

let stack: TestStack;

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

beforeAll(async () => {
  stack = await startTestStack({
    functions: { 'editor-api': FUNCTIONS['editor-api'] },
    sandboxes: false,
  });
});

afterAll(async () => {
  await stack?.dispose();
});

describe('GET /api/channels', () => {
  it('lists every configured channel with its network, account and time zone', async () => {
    const { status, body } = await getJson(
      stack.url,
      '/api/channels',
      stack.secrets.editorToken.value,
    );
    expect(status).toBe(200);
    const { channels } = body as { channels: Record<string, unknown>[] };
    expect(channels).toEqual(
      // The directory lists its channels by id.
      [...DEFAULT_CHANNELS].sort(byId).map((channel) => ({
        id: channel.id,
        platform: channel.platform,
        name: channel.name ?? null,
        account: channel.account,
        timezone: channel.timezone,
        approval: channel.approval,
        schedule: channel.schedule,
      })),
    );
  });

  it('answers 401 without the editor token, and names no channel', async () => {
    const response = await fetch(new URL('/api/channels', stack.url));
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('newsroom');
  });
});
