/**
 * The editor's live count is the composer's own: on every network it agrees with the
 * count the server recorded for the sample article, and with what the server refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { PLATFORMS } from '../../../shared/domain/platform';
import { blueskyRules, measureBlueskyText } from '../../../shared/platforms/bluesky/rules';
import { composerFor } from '../../../shared/platforms/composers';
import { facebookRules } from '../../../shared/platforms/facebook/rules';
import { instagramRules } from '../../../shared/platforms/instagram/rules';
import { keptText } from '../../../shared/platforms/kept-text';
import { linkedinRules } from '../../../shared/platforms/linkedin/rules';
import { mastodonRules } from '../../../shared/platforms/mastodon/rules';
import { telegramRules } from '../../../shared/platforms/telegram/rules';
import { threadsRules } from '../../../shared/platforms/threads/rules';
import { xRules } from '../../../shared/platforms/x/rules';
import { countFor } from '../../../web/src/count';
import { DEFAULT_CHANNELS } from '../../support/channels';
import { sampleArticle } from '../../support/webhook';

const RULES = {
  x: xRules,
  bluesky: blueskyRules,
  mastodon: mastodonRules,
  threads: threadsRules,
  linkedin: linkedinRules,
  facebook: facebookRules,
  instagram: instagramRules,
  telegram: telegramRules,
} as const;

describe('countFor', () => {
  const article = parseGenericArticle(sampleArticle());

  it.each(DEFAULT_CHANNELS)(
    'counts the sample post on $platform exactly as its composer did',
    (channel) => {
      const compose = composerFor(channel.platform);
      if (!compose) throw new Error(`no composer for ${channel.platform}`);
      const post = compose(article, channel);
      expect(countFor(channel.platform, post.text, post.length.limit)).toEqual({
        used: post.length.used,
        limit: post.length.limit,
        unit: post.length.unit,
        fits: true,
      });
    },
  );

  it('agrees with each network rule on whether any text fits, and on its count within the limit', () => {
    const texts = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 400 }),
      fc
        .tuple(
          fc.string({ maxLength: 200 }),
          fc.webUrl(),
          fc.string({ unit: 'grapheme', maxLength: 120 }),
        )
        .map((parts) => parts.join(' ')),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...PLATFORMS),
        texts,
        fc.integer({ min: 20, max: 600 }),
        (platform, text, limit) => {
          // The rules count the text the server keeps: trimmed, NFC, Bluesky links as labels.
          const kept = keptText(platform, text);
          if (kept === '') return;
          const verdict =
            platform === 'bluesky'
              ? measureBlueskyText(kept, limit)
              : RULES[platform].measure(kept, limit);
          const count = countFor(platform, text, limit);
          expect(count.fits).toBe(verdict.fits);
          if (verdict.used <= limit) expect(count.used).toBe(verdict.used);
          else expect(count.used).toBeGreaterThan(limit);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('says by how much a text is over, where the rules stop counting at limit + 1', () => {
    expect(countFor('bluesky', 'a'.repeat(350))).toMatchObject({
      used: 350,
      limit: 300,
      fits: false,
      problem: '50 over the limit',
    });
    expect(countFor('mastodon', 'ü'.repeat(520), 500)).toMatchObject({ used: 520, fits: false });
    // X weighs a URL 23 and a CJK character 2, whatever the text's length in code units.
    expect(
      countFor('x', `${'字'.repeat(130)} https://example.org/${'a'.repeat(200)}`),
    ).toMatchObject({
      used: 284,
      fits: false,
      problem: '4 over the limit',
    });
  });

  it('names what else stops a text that is within the count', () => {
    // 150 family emoji: 150 graphemes, 3,750 bytes.
    expect(countFor('bluesky', '👨‍👩‍👧‍👦'.repeat(150)).problem).toBe(
      `${(3750).toLocaleString()} bytes: Bluesky takes at most ${(3000).toLocaleString()}`,
    );
    const links = Array.from({ length: 6 }, (_, i) => `https://example.org/${i}`).join(' ');
    expect(countFor('threads', links).problem).toBe('6 links: Threads takes at most 5');
    const tags = Array.from({ length: 31 }, (_, i) => `#tag${i}`).join(' ');
    expect(countFor('instagram', tags).problem).toBe('31 hashtags: Instagram takes at most 30');
    // Nothing but spaces is an empty text once trimmed, refused on every network.
    expect(countFor('telegram', '   ')).toMatchObject({ used: 0, fits: false });
    expect(countFor('x', ' \n ').problem).toBe('an empty text is not a post');
  });
});
