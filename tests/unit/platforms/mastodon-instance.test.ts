import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadChannelsConfig } from '../../../shared/config/channels';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { instanceHost, instanceLimit } from '../../../shared/platforms/mastodon/instance';
import type { SafeFetch } from '../../../shared/preview/types';
import { PreviewFetchError } from '../../../shared/preview/types';
import { newShare } from '../../../shared/usecases/compose-article';

/** A SafeFetch that serves one instance document and counts what it was asked. */
function instanceServer(maxCharacters: number) {
  const asked: string[] = [];
  const fetch: SafeFetch = async (url) => {
    asked.push(url);
    return {
      url,
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(
        JSON.stringify({ configuration: { statuses: { max_characters: maxCharacters } } }),
      ),
    };
  };
  return { fetch, asked };
}

describe("a Mastodon instance's own limit", () => {
  it('finds the instance in the account handle', () => {
    expect(instanceHost('@newsroom@Social.Example.org')).toBe('social.example.org');
    expect(instanceHost('newsroom@mastodon.social')).toBe('mastodon.social');
    expect(instanceHost('@newsroom')).toBeUndefined();
    expect(instanceHost('@a@127.0.0.1')).toBeUndefined();
  });

  it('reads max_characters from /api/v2/instance, once an hour per host', async () => {
    const server = instanceServer(1000);
    let now = 0;
    const clock = () => now;
    expect(await instanceLimit('@desk@one.example', server.fetch, clock)).toBe(1000);
    expect(await instanceLimit('@other@one.example', server.fetch, clock)).toBe(1000);
    expect(server.asked).toEqual(['https://one.example/api/v2/instance']);
    now = 61 * 60_000;
    await instanceLimit('@desk@one.example', server.fetch, clock);
    expect(server.asked).toHaveLength(2);
  });

  it('answers undefined when the instance cannot be reached, so the configured limit stands', async () => {
    const offline: SafeFetch = async () => {
      throw new PreviewFetchError('getaddrinfo ENOTFOUND', 'network');
    };
    expect(await instanceLimit('@desk@two.example', offline)).toBeUndefined();
  });

  it('fits the Mastodon post to the instance limit when compose knows it', () => {
    const article = parseGenericArticle(
      JSON.parse(readFileSync('tests/fixtures/webhooks/generic-article.json', 'utf8')),
    );
    const channel = loadChannelsConfig(undefined).channels.find((c) => c.platform === 'mastodon');
    if (!channel) throw new Error('no Mastodon channel in the default config');
    const record = {
      articleId: 'a'.repeat(32),
      article,
      receivedAt: '2026-11-28T12:00:00.000Z',
      updatedAt: '2026-11-28T12:00:00.000Z',
    };
    const now = new Date('2026-11-28T12:00:00.000Z');
    const configured = newShare(record, channel, now);
    expect(configured.length).toMatchObject({ limit: 500 });
    expect(configured.length?.used).toBeGreaterThan(150);

    const small = newShare(record, channel, now, undefined, {
      media: {},
      limits: { [channel.id]: 150 },
    });
    expect(small.length).toMatchObject({ limit: 150 });
    expect(small.length?.used).toBeLessThanOrEqual(150);
    expect(small.text).toContain(article.title);
  });
});
