/**
 * A channel's `metrics` setting through the channels API: checked as the rest of the
 * channel is (400 naming the field, nothing written), kept when valid; and a bad
 * CRIER_METRICS_AFTER stops the local runtime at start, naming the variable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../../infra/local/stack';
import { FUNCTIONS } from '../../../shared/resources';
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
}, 60_000);

afterAll(async () => {
  await stack?.dispose();
});

const call = (method: string, path: string, body?: unknown) =>
  callEditorApi<{ channel?: Record<string, unknown>; message?: string }>(stack.url, {
    method,
    path,
    token: admin,
    body,
  });

const x = (id: string, metrics: unknown) => ({
  id,
  platform: 'x',
  account: 'newsroom',
  template: '{title} {url}',
  metrics,
});

describe("a channel's metrics setting", () => {
  it('refuses X readings without a monthly budget, naming the field, and writes nothing', async () => {
    const answer = await call('POST', '/api/channels', x('x-metrics-nobudget', { enabled: true }));
    expect(answer.status, answer.text).toBe(400);
    expect(answer.text).toContain('metrics.monthlyReads');
    expect(answer.text).toContain('X charges for reads');
    expect((await call('GET', '/api/channels')).text).not.toContain('x-metrics-nobudget');
  });

  it('refuses a budget that is not a positive whole number, naming the field', async () => {
    const answer = await call(
      'POST',
      '/api/channels',
      x('x-metrics-bad', { enabled: true, monthlyReads: -5 }),
    );
    expect(answer.status, answer.text).toBe(400);
    expect(answer.text).toContain('metrics.monthlyReads');
  });

  it('keeps a valid setting, and a merge patch turns readings off, keeping the budget', async () => {
    const made = await call(
      'POST',
      '/api/channels',
      x('x-metrics-on', { enabled: true, monthlyReads: 3000 }),
    );
    expect(made.status, made.text).toBe(201);
    expect(made.body.channel?.metrics).toEqual({ enabled: true, monthlyReads: 3000 });
    const patched = await call('PATCH', '/api/channels/x-metrics-on', {
      metrics: { enabled: false },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.channel?.metrics).toEqual({ enabled: false, monthlyReads: 3000 });
  });
});

describe('CRIER_METRICS_AFTER at the local start', () => {
  it('stops the start with an error naming the variable', async () => {
    await expect(
      startLocalStack({ port: 0, quiet: true, metricsAfter: '5s,soon' }),
    ).rejects.toThrow(/Invalid CRIER_METRICS_AFTER: "soon" is not an offset/);
  });
});
