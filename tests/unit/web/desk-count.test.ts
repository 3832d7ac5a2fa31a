/**
 * The New post page's count per channel equals the server's, to the character: the same
 * text (the link placed and tagged with the channel's UTM parameters) counted by the same
 * counters, within the limit and over it.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors';
import { createDeskPost } from '../../../shared/usecases/desk-post';
import { deskCount } from '../../../web/src/desk-count';
import { channelOf } from '../../support/in-memory/fixtures';
import { inMemoryWorld } from '../../support/in-memory/index';

const UTM = { source: '{platform}', medium: 'social', campaign: 'desk-{sourceId}-{channel}' };
const CHANNELS = [
  channelOf({ id: 'x-desk', platform: 'x', account: 'desk', utm: UTM }),
  channelOf({ id: 'bluesky-desk', platform: 'bluesky', account: 'desk.bsky.social', utm: UTM }),
  channelOf({ id: 'masto-desk', platform: 'mastodon', maxCharacters: 400, utm: UTM }),
  channelOf({ id: 'telegram-desk', platform: 'telegram', account: '@desk', utm: UTM }),
  channelOf({
    id: 'linkedin-desk',
    platform: 'linkedin',
    account: 'urn:li:organization:1',
    utm: UTM,
  }),
];
const LINK = 'https://news.example.org/live/election-night?ref=home';
const EDITOR = { by: 'ada', role: 'editor', sites: 'all' } as const;

async function serverCounts(text: string) {
  const world = inMemoryWorld('2026-03-02T09:00:00.000Z');
  const { shares } = await createDeskPost(
    {
      articles: world.articles,
      shares: world.shares,
      clock: world.clock,
      channels: CHANNELS,
      hasSite: () => true,
      enqueueIfDue: async (share) => share,
    },
    { text, link: LINK, channels: CHANNELS.map((c) => c.id) },
    EDITOR,
  );
  return Object.fromEntries(shares.map((s) => [s.channelId, s.length?.used]));
}

describe('the New post page’s count', () => {
  it('is the server’s count on every network, emoji, CJK and a tagged link included', async () => {
    const text = '  Polls close at 8pm 🗳️ 投票は午後8時に締め切り。\nFollow the count live.  ';
    const server = await serverCounts(text);
    for (const channel of CHANNELS) {
      expect(deskCount(channel, text, LINK).used, channel.id).toBe(server[channel.id]);
    }
  });

  it('says the count the server refuses with when the text is over a limit', async () => {
    const text = `Live: ${'the count goes on '.repeat(14)}`;
    const refused = await serverCounts(text).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    const issue = (refused as ValidationError).issues.find((i) => i.message.startsWith('x-desk'));
    const x = CHANNELS[0];
    if (!x) throw new Error('no channel');
    const count = deskCount(x, text, LINK);
    expect(count.fits).toBe(false);
    expect(issue?.message).toContain(`text is ${count.used} characters as X weighs them`);
  });
});
