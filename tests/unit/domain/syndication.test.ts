import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChannelsConfig } from '../../../shared/config/channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { ShareRef } from '../../../shared/domain/ports';
import type { Share } from '../../../shared/domain/share';
import {
  syndicationEvent,
  syndicationUrlFor,
  syndicationWebhookId,
} from '../../../shared/domain/syndication';
import { announcePublished } from '../../../shared/usecases/announce-published';

const article = parseGenericArticle(
  JSON.parse(readFileSync('tests/fixtures/webhooks/generic-article.json', 'utf8')),
);
const channel = { id: 'x-desk', platform: 'x', account: 'desk', template: '{title} {url}' };

const share = (patch: Partial<Share> = {}): Share => ({
  articleId: 'a'.repeat(32),
  channelId: 'x-desk',
  platform: 'x',
  articleRevision: 1,
  status: 'published',
  text: 'Trump Declares Support for Coup in Bolivia https://www.leftvoice.org/…',
  url: article.url,
  hashtags: [],
  dueAt: '2019-11-12T15:30:00.000Z',
  attempt: 0,
  version: 4,
  idempotencyKey: 'key',
  remoteId: '1194321',
  remoteUrl: 'https://x.com/desk/status/1194321',
  createdAt: '2019-11-12T15:30:00.000Z',
  updatedAt: '2019-11-12T15:30:02.000Z',
  history: [
    {
      at: '2019-11-12T15:30:01.000Z',
      event: 'start',
      from: 'queued',
      to: 'publishing',
      by: 'publisher',
    },
    {
      at: '2019-11-12T15:30:02.000Z',
      event: 'succeed',
      from: 'publishing',
      to: 'published',
      by: 'publisher',
    },
  ],
  ...patch,
});

describe('the syndication webhook', () => {
  it('names the article, the channel, the network and the post', () => {
    const [parsed] = parseChannelsConfig(
      { channels: [{ ...channel, name: 'Desk on X' }] },
      'test',
    ).channels;
    const event = syndicationEvent({
      articleId: 'a'.repeat(32),
      article,
      share: share({ channelId: 'x-desk', round: 2 }),
      channel: parsed,
      at: new Date('2019-11-12T15:30:03.000Z'),
    });
    expect(event).toEqual({
      type: 'share.published',
      timestamp: '2019-11-12T15:30:03.000Z',
      data: {
        article: {
          id: 'a'.repeat(32),
          source: 'generic',
          sourceId: 'lv-2019-11-12-trump-bolivia',
          url: 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/',
          title: 'Trump Declares Support for Coup in Bolivia',
        },
        // An evergreen round names its channel and its round apart.
        channel: { id: 'x-desk', name: 'Desk on X', account: 'desk', round: 2 },
        network: 'x',
        post: {
          id: '1194321',
          url: 'https://x.com/desk/status/1194321',
          publishedAt: '2019-11-12T15:30:02.000Z',
        },
      },
    });
  });

  it('keeps one webhook-id for every retry of a share, and another for another share', () => {
    expect(syndicationWebhookId(share())).toBe(syndicationWebhookId(share({ version: 9 })));
    expect(syndicationWebhookId(share())).not.toBe(
      syndicationWebhookId(share({ channelId: 'x-other' })),
    );
    expect(syndicationWebhookId(share())).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('goes to the URL of the article source when one is set, else to the common one', () => {
    const { syndication } = parseChannelsConfig(
      {
        channels: [channel],
        syndication: {
          url: 'https://cms.example/hooks/crier',
          sources: { ghost: 'https://ghost.example/hook' },
        },
      },
      'test',
    );
    expect(syndication?.timeoutSeconds).toBe(10);
    expect(syndicationUrlFor(syndication, 'ghost')).toBe('https://ghost.example/hook');
    expect(syndicationUrlFor(syndication, 'wordpress')).toBe('https://cms.example/hooks/crier');
    expect(syndicationUrlFor(undefined, 'ghost')).toBeUndefined();
  });

  it('refuses a syndication block without any URL, or with one that is not http(s)', () => {
    expect(() => parseChannelsConfig({ channels: [channel], syndication: {} }, 'c.json')).toThrow(
      /syndication: needs a url/,
    );
    expect(() =>
      parseChannelsConfig(
        { channels: [channel], syndication: { url: 'ftp://cms.example/' } },
        'c.json',
      ),
    ).toThrow(/syndication\.url/);
  });
});

describe('announcing a published share', () => {
  const sent: ShareRef[] = [];
  const queue = { send: async (ref: ShareRef) => void sent.push(ref) };

  it('queues the notification for a share recorded published, and for nothing else', async () => {
    sent.length = 0;
    await announcePublished(queue, { outcome: 'published', share: share() });
    await announcePublished(queue, { outcome: 'failed', share: share({ status: 'failed' }) });
    await announcePublished(queue, { outcome: 'skipped', reason: 'share is queued' });
    await announcePublished(queue, {
      outcome: 'published',
      share: share({ syndicatedAt: '2019-11-12T15:31:00.000Z' }),
    });
    await announcePublished(undefined, { outcome: 'published', share: share() });
    expect(sent).toEqual([{ articleId: 'a'.repeat(32), channelId: 'x-desk' }]);
  });
});
