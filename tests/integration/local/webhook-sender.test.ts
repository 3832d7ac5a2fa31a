/**
 * The documented sender's retries, against a real HTTP server scripted to throttle, fail
 * and drop connections: which answers are sent again, after how long, and signed how.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  backoffMs,
  DeliveryError,
  isRetryableStatus,
  retryAfterMs,
  sendWebhook,
  WEBHOOK_RETRY,
} from '../../../infra/local/webhook-sender';
import {
  signStandardWebhook,
  verifyStandardWebhook,
} from '../../../shared/ingest/standard-webhooks';

const SECRET = `whsec_${Buffer.from('a key of thirty-two bytes, exact').toString('base64')}`;
const BODY = JSON.stringify({ id: 'a1', url: 'https://news.example/a1', title: 'A1' });

type Received = { headers: IncomingMessage['headers']; body: string };
type Script = (response: ServerResponse, request: IncomingMessage) => void;

let server: Server;
let url: URL;
let script: Script[] = [];
let received: Received[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const next = script.shift() ?? accept;
      next(response, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/generic`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  script = [];
  received = [];
});

const accept: Script = (response) => {
  response.writeHead(202, { 'content-type': 'application/json' });
  response.end('{"articleId":"art_1"}');
};
const status =
  (code: number, headers: Record<string, string> = {}): Script =>
  (response) => {
    response.writeHead(code, { 'content-type': 'application/json', ...headers });
    response.end('{"message":"no"}');
  };
/** The connection drops before any answer, as a crashed or overloaded server's does. */
const hangUp: Script = (_response, request) => request.socket.destroy();

/** Signs afresh at each attempt, as the senders do: the same id, the clock's timestamp. */
let clock = 1_700_000_000;
const sign = () => {
  clock += 7;
  return {
    'webhook-id': 'msg_one-delivery',
    'webhook-timestamp': String(clock),
    'webhook-signature': signStandardWebhook(SECRET, 'msg_one-delivery', clock, BODY),
  };
};

function recorder() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('sendWebhook', () => {
  it('sends again after a 429, never before its Retry-After, with the same webhook-id signed afresh', async () => {
    script = [status(429, { 'retry-after': '3' }), status(429, { 'retry-after': '1' }), accept];
    const { waits, sleep } = recorder();
    const delivery = await sendWebhook({ url, body: BODY, sign, sleep, random: () => 0.5 });
    expect(delivery).toEqual({ status: 202, body: '{"articleId":"art_1"}', attempts: 3 });
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(3_000);
    expect(waits[0]).toBeLessThanOrEqual(3_000 + WEBHOOK_RETRY.baseMs);
    expect(waits[1]).toBeGreaterThanOrEqual(1_000);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(Array(3).fill('msg_one-delivery'));
    expect(new Set(received.map((r) => r.headers['webhook-timestamp'])).size).toBe(3);
    for (const { headers, body } of received) {
      expect(body).toBe(BODY);
      const timestamp = Number(headers['webhook-timestamp']);
      expect(() =>
        verifyStandardWebhook(
          SECRET,
          {
            'webhook-id': String(headers['webhook-id']),
            'webhook-timestamp': String(headers['webhook-timestamp']),
            'webhook-signature': String(headers['webhook-signature']),
          },
          Buffer.from(body),
          new Date(timestamp * 1000),
        ),
      ).not.toThrow();
    }
  });

  it('backs off exponentially, with jitter, on 5xx answers and dropped connections', async () => {
    script = [status(500), hangUp, status(503), status(502), accept];
    const { waits, sleep } = recorder();
    const delivery = await sendWebhook({ url, body: BODY, sign, sleep, random: () => 1 });
    expect(delivery.status).toBe(202);
    expect(delivery.attempts).toBe(5);
    // At most the doubled delay: 1 s, 2 s, 4 s, 8 s.
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000]);
    const low = recorder();
    script = [status(500), status(500), accept];
    await sendWebhook({ url, body: BODY, sign, sleep: low.sleep, random: () => 0 });
    // ...and at least half of it.
    expect(low.waits).toEqual([500, 1_000]);
  });

  it('caps the backoff at the policy maximum', () => {
    const policy = { ...WEBHOOK_RETRY, baseMs: 1_000, maxMs: 5_000 };
    expect(backoffMs(10, policy, () => 1)).toBe(5_000);
    expect(backoffMs(10, policy, () => 0)).toBe(2_500);
  });

  it('does not send again what Crier refused for good: 400, 401, 404, 413', async () => {
    for (const code of [400, 401, 404, 413]) {
      script = [status(code)];
      received = [];
      const { waits, sleep } = recorder();
      const delivery = await sendWebhook({ url, body: BODY, sign, sleep });
      expect(delivery.status).toBe(code);
      expect(delivery.attempts).toBe(1);
      expect(waits).toEqual([]);
      expect(received).toHaveLength(1);
    }
  });

  it('returns the last answer when the attempts run out, and throws when none came', async () => {
    script = [status(429), status(429), status(429)];
    const { sleep } = recorder();
    const delivery = await sendWebhook({ url, body: BODY, sign, sleep, policy: { attempts: 3 } });
    expect(delivery).toMatchObject({ status: 429, attempts: 3 });
    script = [hangUp, hangUp];
    await expect(
      sendWebhook({ url, body: BODY, sign, sleep, policy: { attempts: 2 } }),
    ).rejects.toBeInstanceOf(DeliveryError);
  });

  it('gives up at once, with the answer, when Retry-After asks for longer than it would wait', async () => {
    script = [status(429, { 'retry-after': '3600' })];
    const { waits, sleep } = recorder();
    const delivery = await sendWebhook({ url, body: BODY, sign, sleep });
    expect(delivery).toMatchObject({ status: 429, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('tells of each retry, with the answer or its absence, and the wait', async () => {
    script = [status(503), hangUp, accept];
    const told: unknown[] = [];
    const { sleep } = recorder();
    await sendWebhook({
      url,
      body: BODY,
      sign,
      sleep,
      random: () => 1,
      onRetry: ({ attempt, status, error, waitMs }) =>
        told.push({ attempt, status, failed: error !== undefined, waitMs }),
    });
    expect(told).toEqual([
      { attempt: 1, status: 503, failed: false, waitMs: 1_000 },
      { attempt: 2, status: undefined, failed: true, waitMs: 2_000 },
    ]);
  });

  it('gives up on an attempt that gets no answer in time and sends again', async () => {
    script = [() => undefined, accept];
    const { waits, sleep } = recorder();
    const delivery = await sendWebhook({
      url,
      body: BODY,
      sign,
      sleep,
      policy: { timeoutMs: 300 },
    });
    expect(delivery).toMatchObject({ status: 202, attempts: 2 });
    expect(waits).toHaveLength(1);
  });
});

describe('npm run send-sample', () => {
  it('sends a throttled webhook again after Retry-After, with the same webhook-id, saying so', async () => {
    script = [status(429, { 'retry-after': '1' }), status(503), accept];
    const started = Date.now();
    const { stdout, stderr } = await promisify(execFile)(
      'npx',
      ['tsx', 'infra/local/send-webhook.ts', '--url', url.origin, '--attempts', '4'],
      { env: { ...process.env, CRIER_WEBHOOK_SECRET: SECRET } },
    );
    expect(stdout.trim()).toBe('202 {"articleId":"art_1"}');
    expect(stderr).toMatch(
      /^429: sending again in \d\.\d s \(attempt 2 of 4\)\n503: sending again in \d\.\d s \(attempt 3 of 4\)\n$/,
    );
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // Never before the Retry-After second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  }, 60_000);

  it('stops at once on a refusal that would be refused again, exiting 1', async () => {
    script = [status(401)];
    const run = promisify(execFile)(
      'npx',
      ['tsx', 'infra/local/send-webhook.ts', '--url', url.origin],
      { env: { ...process.env, CRIER_WEBHOOK_SECRET: SECRET } },
    );
    await expect(run).rejects.toMatchObject({ code: 1, stdout: '401 {"message":"no"}\n' });
    expect(received).toHaveLength(1);
  }, 60_000);
});

describe('what is worth retrying', () => {
  it('retries throttling, timeouts and server faults only', () => {
    expect([429, 408, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 202, 400, 401, 403, 404, 409, 413].some(isRetryableStatus)).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-07T06:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 06:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 05:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
  });
});
