/**
 * A channel's corrections policy through the editor API: the four choices per trigger
 * taken and shown, anything else refused with a 400 naming the field, and nothing
 * written by a refused request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../shared/resources';
import { DEFAULT_CHANNELS } from '../../support/channels';
import { callEditorApi } from '../../support/editor-api';
import { startTestStack, type TestStack } from '../../support/stack';

let stack: TestStack;
let admin: string;

beforeAll(async () => {
  stack = await startTestStack({
    functions: { 'editor-api': FUNCTIONS['editor-api'] },
    sandboxes: false,
  });
  admin = stack.secrets.editorToken.value;
});

afterAll(async () => {
  await stack?.dispose();
});

const call = (method: string, path: string, body?: unknown) =>
  callEditorApi(stack.url, { method, path, token: admin, body });

const fieldsOf = (body: { fields?: { field: string }[] }) =>
  (body.fields ?? []).map((f) => f.field);

describe('a channel’s corrections policy', () => {
  const { id: _id, ...template } = (DEFAULT_CHANNELS.find((c) => c.platform === 'x') ??
    {}) as Record<string, unknown>;
  const id = 'x-corrections';

  it('is refused with a 400 naming the field, and nothing is written', async () => {
    const bad = await call('POST', '/api/channels', {
      ...template,
      id,
      corrections: { onCorrection: 'delete' },
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['corrections.onCorrection']);
    const list = await call('GET', '/api/channels');
    expect((list.body.channels as { id: string }[]).some((c) => c.id === id)).toBe(false);
  });

  it('is taken, shown, changed, and refused again on a bad change', async () => {
    const created = await call('POST', '/api/channels', {
      ...template,
      id,
      corrections: { onCorrection: 'edit', onHeadline: 'reply' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // X cannot edit: the policy is kept as asked, and falls back to a reply when it runs.
    expect(created.body.channel).toMatchObject({
      corrections: { onCorrection: 'edit', onHeadline: 'reply' },
    });

    const patched = await call('PATCH', `/api/channels/${id}`, {
      corrections: { onHeadline: 'ignore' },
      version: 1,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.channel).toMatchObject({
      corrections: { onCorrection: 'edit', onHeadline: 'ignore' },
    });

    const bad = await call('PATCH', `/api/channels/${id}`, {
      corrections: { onHeadline: 'shout' },
      version: 2,
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['corrections.onHeadline']);
    const list = await call('GET', '/api/channels');
    const stored = (
      list.body.channels as { id: string; corrections?: unknown; version: number }[]
    ).find((c) => c.id === id);
    expect(stored).toMatchObject({
      version: 2,
      corrections: { onCorrection: 'edit', onHeadline: 'ignore' },
    });
  });
});
