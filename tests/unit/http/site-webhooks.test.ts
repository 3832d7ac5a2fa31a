/** The per-site webhooks' reader (generic, WordPress, Ghost), and the merge patch changes use. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../../shared/domain/editor';
import { NotFoundError, UnauthorizedError } from '../../../shared/domain/errors';
import { articleIdFor } from '../../../shared/domain/ids';
import { webhookReader } from '../../../shared/http/webhooks';
import { signGhostWebhook } from '../../../shared/ingest/ghost';
import { signStandardWebhook } from '../../../shared/ingest/standard-webhooks';
import { mergePatch } from '../../../shared/usecases/sites';

const body = readFileSync('tests/fixtures/webhooks/generic-article.json', 'utf8');
const NOW = new Date('2026-05-01T12:00:00Z');
const OLD = newWebhookSecret();
const NEW = newWebhookSecret();
const OTHER = newWebhookSecret();

const event = (siteId: string, secrets: string[]) => {
  const ts = Math.floor(NOW.getTime() / 1000);
  return {
    routeKey: 'POST /webhooks/generic/{siteId}',
    rawPath: `/webhooks/generic/${siteId}`,
    pathParameters: { siteId },
    headers: {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': secrets.map((s) => signStandardWebhook(s, 'msg_1', ts, body)).join(' '),
    },
    body,
    requestContext: { requestId: 'r-1' },
  };
};

const read = webhookReader(
  { webhook: OTHER, ghost: 'ghost-secret' },
  async (siteId) => (siteId === 'north' ? [NEW, OLD] : undefined),
  { now: () => NOW },
);

describe('the per-site generic webhook', () => {
  it("takes an article signed with the site's current or previous key, tagged with the site", async () => {
    for (const key of [NEW, OLD]) {
      const delivery = await read(event('north', [key]));
      expect(delivery.source).toBe('generic');
      expect('article' in delivery.change && delivery.change.article.siteId).toBe('north');
    }
  });

  it('takes a header with several signatures, one of them good', async () => {
    await expect(read(event('north', [OTHER, NEW]))).resolves.toBeDefined();
  });

  it("refuses another site's key with 401, and an unknown site with 404", async () => {
    await expect(read(event('north', [OTHER]))).rejects.toThrow(UnauthorizedError);
    await expect(read(event('south', [NEW]))).rejects.toThrow(NotFoundError);
    await expect(read(event('North_Desk', [NEW]))).rejects.toThrow(NotFoundError);
  });
});

const wordpressPost = readFileSync('tests/fixtures/webhooks/wordpress-post.json', 'utf8');
const ghostPost = readFileSync('tests/fixtures/webhooks/ghost-post-published.json', 'utf8');
const WP_KEY = newWebhookSecret();
const GHOST_KEY = 'a'.repeat(64);

const kindEvent = (kind: 'wordpress' | 'ghost', siteId: string, key: string, payload: string) => {
  const ts = Math.floor(NOW.getTime() / 1000);
  return {
    routeKey: `POST /webhooks/${kind}/{siteId}`,
    rawPath: `/webhooks/${kind}/${siteId}`,
    pathParameters: { siteId },
    headers:
      kind === 'ghost'
        ? { 'x-ghost-signature': signGhostWebhook(key, payload, NOW.getTime()) }
        : {
            'webhook-id': 'msg_7',
            'webhook-timestamp': String(ts),
            'webhook-signature': signStandardWebhook(key, 'msg_7', ts, payload),
          },
    body: payload,
    requestContext: { requestId: 'r-2' },
  };
};

// Each site's keys by kind: north has its own; default falls back to the deployment's.
const readKinds = webhookReader(
  { webhook: OTHER, ghost: 'deployment-ghost' },
  async (siteId, kind) => {
    if (siteId === 'default') return [kind === 'ghost' ? 'deployment-ghost' : OTHER];
    if (siteId !== 'north') return undefined;
    return kind === 'wordpress' ? [WP_KEY] : kind === 'ghost' ? [GHOST_KEY] : [NEW];
  },
  { now: () => NOW },
);

describe("a site's WordPress and Ghost webhooks", () => {
  it("take a post signed with the site's key of that kind, as the site's", async () => {
    const wp = await readKinds(kindEvent('wordpress', 'north', WP_KEY, wordpressPost));
    expect(wp.source).toBe('wordpress');
    expect('article' in wp.change && wp.change.article.siteId).toBe('north');
    const ghost = await readKinds(kindEvent('ghost', 'north', GHOST_KEY, ghostPost));
    expect(ghost.source).toBe('ghost');
    expect('article' in ghost.change && ghost.change.article.siteId).toBe('north');
  });

  it("refuse another kind's key and the deployment's, with 401", async () => {
    await expect(readKinds(kindEvent('wordpress', 'north', NEW, wordpressPost))).rejects.toThrow(
      UnauthorizedError,
    );
    await expect(readKinds(kindEvent('wordpress', 'north', OTHER, wordpressPost))).rejects.toThrow(
      UnauthorizedError,
    );
    await expect(
      readKinds(kindEvent('ghost', 'north', 'deployment-ghost', ghostPost)),
    ).rejects.toThrow(UnauthorizedError);
    await expect(readKinds(kindEvent('ghost', 'south', GHOST_KEY, ghostPost))).rejects.toThrow(
      NotFoundError,
    );
  });

  it("name the site in a withdrawal and in the delivery id; the default site's stay as they were", async () => {
    const trashed = JSON.stringify({ ...JSON.parse(wordpressPost), status: 'trash' });
    const north = await readKinds(kindEvent('wordpress', 'north', WP_KEY, trashed));
    expect('withdrawal' in north.change && north.change.withdrawal).toMatchObject({
      siteId: 'north',
      status: 'deleted',
    });
    expect(north.deliveryId).toBe('north/msg_7');
    const home = await readKinds(kindEvent('wordpress', 'default', OTHER, trashed));
    expect('withdrawal' in home.change && home.change.withdrawal.siteId).toBeUndefined();
    expect(home.deliveryId).toBe('msg_7');
  });

  it("keep a site's article apart from another's with the same id, the default's id unchanged", () => {
    const plain = articleIdFor('wordpress', '41872');
    expect(articleIdFor('wordpress', '41872', 'default')).toBe(plain);
    expect(articleIdFor('wordpress', '41872', 'north')).not.toBe(plain);
    expect(articleIdFor('wordpress', '41872', 'north')).not.toBe(
      articleIdFor('wordpress', '41872', 'south'),
    );
  });
});

describe('a JSON merge patch', () => {
  it('replaces, merges objects, and removes a field given null', () => {
    expect(
      mergePatch(
        { name: 'a', schedule: { days: [1], from: '08:00' }, routing: { sections: ['x'] } },
        { name: 'b', schedule: { from: '09:00' }, routing: null },
      ),
    ).toEqual({ name: 'b', schedule: { days: [1], from: '09:00' } });
  });
});
