/**
 * The editors' notification sender against a real loopback receiver: Slack and webhook
 * deliveries go through the SSRF-safe fetcher, which refuses a private address without
 * naming the URL; only a URL under the local sandbox's own base is posted to directly;
 * the webhook is signed per Standard Webhooks under the batch id.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationSender } from '../../../shared/http/notification-sender';
import { fetchWebhookSender } from '../../../shared/http/webhook-sender';
import { verifyStandardWebhook } from '../../../shared/ingest/standard-webhooks';
import { createSafeFetch } from '../../../shared/preview/fetch';

let server: Server;
let base: string;
const hits: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
const safe = createSafeFetch();
const KEY = `whsec_${Buffer.from('a key of at least sixteen bytes').toString('base64')}`;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      hits.push({ path: request.url ?? '', headers: request.headers, body });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await safe.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('the notification sender', () => {
  it('refuses a private address through the safe fetcher, naming no URL', async () => {
    const sender = createNotificationSender({ safe, direct: fetchWebhookSender });
    const outcome = await sender.slack(
      `${base}/services/SECRETslackTOKEN`,
      { text: 'hi' },
      'ntf_1',
    );
    expect(outcome).toEqual({ ok: false, reason: 'could not be reached: CRIER_BLOCKED_ADDRESS' });
    expect(hits).toEqual([]);
  });

  it('posts directly only under the local sandbox base', async () => {
    const sender = createNotificationSender({
      safe,
      direct: fetchWebhookSender,
      sandboxBase: `${base}/sandbox/`,
    });
    expect(await sender.slack(`${base}/sandbox/slack/desk`, { text: 'hi' }, 'ntf_2')).toEqual({
      ok: true,
    });
    // The same host outside the base is still refused.
    expect((await sender.slack(`${base}/elsewhere`, { text: 'hi' }, 'ntf_3')).ok).toBe(false);
    expect(hits.map((h) => h.path)).toEqual(['/sandbox/slack/desk']);
    expect(hits[0]?.headers['x-crier-batch-id']).toBe('ntf_2');
  });

  it('signs the webhook under the batch id', async () => {
    const sender = createNotificationSender({
      safe,
      direct: fetchWebhookSender,
      sandboxBase: `${base}/sandbox/`,
    });
    const body = JSON.stringify({ type: 'notifications.digest' });
    const at = new Date();
    expect(
      await sender.webhook({ url: `${base}/sandbox/hook`, secret: KEY }, body, 'ntf_4', at),
    ).toEqual({
      ok: true,
    });
    const hit = hits.at(-1);
    const headers = Object.fromEntries(
      Object.entries(hit?.headers ?? {}).map(([k, v]) => [k, String(v)]),
    );
    expect(verifyStandardWebhook(KEY, headers, Buffer.from(hit?.body ?? ''), at)).toMatchObject({
      deliveryId: 'ntf_4',
    });
  });
});
