/**
 * `POST /sandbox/faults` through the local gateway: the fault string (or JSON holding it)
 * from the stack's own pages and non-browser clients sets the faults; a browser's request
 * from another origin or site is refused, so a web page open in the developer's browser
 * cannot reach the running stack's sandboxes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpGateway, startHttpGateway } from '../../../infra/local/http-gateway';
import { createLogger } from '../../../infra/local/logger';
import { FaultInjector } from '../../../infra/local/sandbox/faults';
import { faultsRoute } from '../../../infra/local/sandbox/faults-route';
import { rawRequest } from '../../support/raw-http';

let gateway: HttpGateway;
const faults = new FaultInjector(undefined);

beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0, log: createLogger({ quiet: true }), functions: [] });
  gateway.addRoute(
    'POST',
    '/sandbox/faults',
    faultsRoute(faults, () => gateway.url),
  );
});

afterAll(async () => {
  await gateway.stop();
});

const JSON_TYPE = ['content-type', 'application/json'] as const;
const body = (spec: string) => JSON.stringify({ faults: spec });

describe('POST /sandbox/faults', () => {
  it('sets the faults from a JSON body sent without an Origin, as curl and the tests do', async () => {
    const answer = await rawRequest(
      gateway.url,
      'POST',
      '/sandbox/faults',
      [JSON_TYPE],
      body('mastodon:503:1:2'),
    );
    expect(answer.status).toBe(200);
    expect(faults.describe()).toBe('mastodon:503:1:2');
    faults.set('');
  });

  it("accepts the stack's own origin on any loopback name", async () => {
    const port = new URL(gateway.url).port;
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const answer = await rawRequest(
        gateway.url,
        'POST',
        '/sandbox/faults',
        [JSON_TYPE, ['origin', `http://${host}:${port}`]],
        body('bluesky:500:1'),
      );
      expect(answer.status).toBe(200);
    }
    faults.set('');
  });

  it('refuses another origin with 403 and leaves the faults as they were', async () => {
    const port = new URL(gateway.url).port;
    for (const origin of ['https://evil.example', `http://localhost:${Number(port) + 1}`, 'null']) {
      const answer = await rawRequest(
        gateway.url,
        'POST',
        '/sandbox/faults',
        [JSON_TYPE, ['origin', origin]],
        body('*:500:1'),
      );
      expect(answer.status).toBe(403);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(faults.describe()).toBe('');
  });

  it('takes the fault string itself as the body, as CRIER_SANDBOX_FAULTS takes it', async () => {
    const answer = await rawRequest(
      gateway.url,
      'POST',
      '/sandbox/faults',
      [['content-type', 'application/x-www-form-urlencoded']],
      'mastodon:503:1:2',
    );
    expect(answer.status).toBe(200);
    expect(faults.describe()).toBe('mastodon:503:1:2');
    const cleared = await rawRequest(gateway.url, 'POST', '/sandbox/faults', [], '');
    expect(cleared.status).toBe(200);
    expect(faults.describe()).toBe('');
  });

  it('refuses what a cross-origin form or page could send with 403, setting nothing', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const answer = await rawRequest(
        gateway.url,
        'POST',
        '/sandbox/faults',
        [
          ['content-type', type],
          ['origin', 'https://evil.example'],
        ],
        '*:500:1',
      );
      expect(answer.status).toBe(403);
    }
    // A browser that sends no Origin still says where the request comes from.
    for (const site of ['cross-site', 'same-site']) {
      const answer = await rawRequest(
        gateway.url,
        'POST',
        '/sandbox/faults',
        [['sec-fetch-site', site]],
        '*:500:1',
      );
      expect(answer.status).toBe(403);
    }
    expect(faults.describe()).toBe('');
  });

  it('answers 400 to a JSON body without a fault string, or a string it cannot read', async () => {
    for (const sent of ['"*:500:1"', '{"faults":5}', '{', body('mastodon:nonsense:1')]) {
      const answer = await rawRequest(gateway.url, 'POST', '/sandbox/faults', [JSON_TYPE], sent);
      expect(answer.status).toBe(400);
    }
    expect(faults.describe()).toBe('');
  });
});
