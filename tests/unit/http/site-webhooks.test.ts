/** The per-site generic webhook's reader, and the merge patch channel changes use. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../../shared/domain/editor';
import { NotFoundError, UnauthorizedError } from '../../../shared/domain/errors';
import { webhookReader } from '../../../shared/http/webhooks';
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
