/**
 * The whole local stack, ticking every second: a site's editors set Slack and a webhook
 * as targets, a network refuses the channel's credentials, and the failed share reaches
 * the sandbox receiver once per target, as one digest with a link to the article, while
 * the other channels publish.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';
import { getJson, postWebhook, sampleArticle } from '../support/webhook';

let stack: TestStack;
let token: string;
const saved = process.env.CRIER_SANDBOX_FAULTS;

beforeAll(async () => {
  // Mastodon refuses the credentials on every post: its share fails at once.
  process.env.CRIER_SANDBOX_FAULTS = 'mastodon:auth:1';
  stack = await startTestStack({ tickSeconds: 1 });
  token = stack.secrets.editorToken.value;
}, 120_000);

afterAll(async () => {
  await stack?.dispose();
  if (saved === undefined) delete process.env.CRIER_SANDBOX_FAULTS;
  else process.env.CRIER_SANDBOX_FAULTS = saved;
});

type Received = { target: string; batchId: string; body: unknown };

describe("the editors' notifications", () => {
  it('tell of a failed share at each target, once, as a digest with a link', async () => {
    const put = await fetch(new URL('/api/sites/default/notifications', stack.url), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        slackWebhookUrl: `${stack.url}/sandbox/slack/desk`,
        webhook: { url: `${stack.url}/sandbox/notify-webhook` },
      }),
    });
    expect(put.status).toBe(200);

    const article = { ...sampleArticle(), id: 'notify-e2e', title: 'Harbour bridge reopens' };
    const sent = await postWebhook(
      stack.url,
      stack.secrets.webhookSecret.value,
      JSON.stringify(article),
    );
    expect(sent.status).toBe(202);
    const { articleId } = sent.body as { articleId: string };

    await vi.waitFor(
      async () => {
        const { body } = await getJson(stack.url, `/api/articles/${articleId}`, token);
        const shares = (body as { shares: { channelId: string; status: string }[] }).shares;
        const mastodon = shares.filter((s) => s.channelId.startsWith('mastodon'));
        expect(mastodon.length).toBeGreaterThan(0);
        for (const share of mastodon) expect(share.status).toBe('failed');
      },
      { timeout: 60_000, interval: 500 },
    );

    const arrived = await vi.waitFor(
      async () => {
        const response = await fetch(new URL('/sandbox/notifications', stack.url));
        const { notifications } = (await response.json()) as { notifications: Received[] };
        const failed = notifications.filter((n) =>
          JSON.stringify(n.body).includes('Harbour bridge reopens'),
        );
        expect(failed.map((n) => n.target).sort()).toEqual(['slack', 'webhook']);
        return failed;
      },
      { timeout: 30_000, interval: 500 },
    );
    const slack = arrived.find((n) => n.target === 'slack')?.body as { text: string };
    expect(slack.text).toContain('share failed');
    expect(slack.text).toContain(`/#/articles/${articleId}`);
    // The reason names the refusal, never the credentials it refused.
    const credentials = JSON.parse(process.env.CRIER_SANDBOX_CREDENTIALS_MASTODON ?? '{}') as {
      accessToken?: string;
    };
    expect(credentials.accessToken?.length).toBeGreaterThan(8);
    expect(JSON.stringify(arrived)).not.toContain(String(credentials.accessToken));

    // Later ticks send nothing more for it.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const response = await fetch(new URL('/sandbox/notifications', stack.url));
    const { notifications } = (await response.json()) as { notifications: Received[] };
    expect(
      notifications.filter((n) => JSON.stringify(n.body).includes('Harbour bridge reopens')),
    ).toHaveLength(2);
  }, 120_000);
});
