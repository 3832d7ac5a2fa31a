/** Golden posts for the sample article (shared/fixtures/webhooks/generic-article.json). */
import { readFileSync } from 'node:fs';
import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelsConfigSchema, siteSchema } from '../../../shared/domain/channel';
import type { Platform } from '../../../shared/domain/platform';
import { graphemeLength, utf8Length } from '../../../shared/domain/text';
import { composeBluesky } from '../../../shared/platforms/bluesky/composer';
import { composeMastodon } from '../../../shared/platforms/mastodon/composer';
import { mastodonCountableText } from '../../../shared/platforms/mastodon/rules';
import { composeX } from '../../../shared/platforms/x/composer';
import { appPost } from '../../support/bluesky-label';

const readJson = (relative: string): unknown =>
  JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8'));

const article = parseGenericArticle(
  readJson('../../../tests/fixtures/webhooks/generic-article.json'),
);
const { channels } = channelsConfigSchema.parse(readJson('../../fixtures/golden/channels.json'));
const channelFor = (platform: Platform): Channel => {
  const channel = channels.find((c) => c.platform === platform);
  if (!channel) throw new Error(`no golden channel for ${platform}`);
  return channel;
};

describe('the sample article on X ("{title} {url} {hashtags}", UTM, 3 hashtags)', () => {
  const post = composeX(article, channelFor('x'));

  it('reads as the headline, the tagged URL and three hashtags from section and tags', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia ' +
        'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/' +
        '?utm_source=x&utm_medium=social&utm_campaign=crier-latin-america ' +
        '#LatinAmerica #Bolivia #EvoMorales',
    );
    expect(post.hashtags).toEqual(['LatinAmerica', 'Bolivia', 'EvoMorales']);
  });

  it('is a valid tweet whose 125-character URL weighs 23', () => {
    const parsed = twitterText.parseTweet(post.text);
    expect(parsed.valid).toBe(true);
    expect(parsed.weightedLength).toBe(42 + 1 + 23 + 1 + 34);
    expect(post.length).toEqual({ used: parsed.weightedLength, limit: 280, unit: 'weighted' });
  });

  it('shares the URL with the channel UTM parameters', () => {
    expect(post.url).toBe(
      'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=x&utm_medium=social&utm_campaign=crier-latin-america',
    );
    expect(post.language).toBe('en');
  });
});

describe('the sample article on Bluesky ("{title}\\n\\n{summary}\\n\\n{url}", UTM)', () => {
  const post = composeBluesky(article, channelFor('bluesky'));
  const url =
    'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=bluesky&utm_medium=social&utm_campaign=crier';

  const label = 'www.leftvoice.org/trump-declar...';

  it('keeps the whole standfirst: the link shows as its short label, as in the Bluesky app', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!\n\n' +
        label,
    );
    expect(post.url).toBe(url);
  });

  it('counts the label, not the 125-character URL, against 300 graphemes', () => {
    expect(post.length).toEqual({
      used: 42 + 2 + graphemeLength(article.summary ?? '') + 2 + 33,
      limit: 300,
      unit: 'graphemes',
    });
    expect(graphemeLength(post.text)).toBe(post.length.used);
    // With the URL in full, the standfirst would be cut after "Hands off".
    expect(graphemeLength(post.text.replace(label, url))).toBeGreaterThan(300);
  });

  it('links the label with a facet whose byte offsets slice out exactly the label, to the URL with its UTM parameters', () => {
    const start = utf8Length(post.text) - utf8Length(label);
    expect(post.facets).toEqual([
      {
        index: { byteStart: start, byteEnd: start + label.length },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: url }],
      },
    ]);
    expect(Buffer.from(post.text).subarray(start).toString()).toBe(label);
  });

  it('posts what the Bluesky app posts for the same text with the URL in full', () => {
    expect(appPost(post.text.replace(label, url))).toEqual({
      text: post.text,
      facets: post.facets,
    });
  });

  it('carries the link card with the untruncated title and standfirst', () => {
    expect(post.card).toEqual({
      url,
      title: 'Trump Declares Support for Coup in Bolivia',
      description:
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!',
      imageUrl: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      imageAlt: 'Donald Trump speaking at the White House',
    });
    expect(post.language).toBe('en');
  });
});

describe('the sample article on Bluesky with threads enabled', () => {
  const channel = { ...channelFor('bluesky'), thread: { enabled: true, max: 4 } };
  const post = composeBluesky(article, channel, {
    site: siteSchema.parse({ name: 'Left Voice' }),
    authors: {},
  });
  const url =
    'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=bluesky&utm_medium=social&utm_campaign=crier';

  it('needs no reply: the whole standfirst fits beside the label', () => {
    expect(post.thread).toBeUndefined();
    expect(
      post.text.endsWith(
        'Hands off Bolivia and Latin America!\n\nwww.leftvoice.org/trump-declar...',
      ),
    ).toBe(true);
    expect(post.facets?.[0]?.features).toEqual([
      { $type: 'app.bsky.richtext.facet#link', uri: url },
    ]);
  });
});

describe('the sample article on Mastodon ("{title}\\n\\n{summary}\\n\\n{hashtags}\\n\\n{url}")', () => {
  const post = composeMastodon(article, channelFor('mastodon'));

  it('keeps the whole standfirst and puts the newsroom tag first', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!\n\n' +
        '#LeftVoice #LatinAmerica #Bolivia\n\n' +
        'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/',
    );
    expect(post.hashtags).toEqual(['LeftVoice', 'LatinAmerica', 'Bolivia']);
    expect(post.url).toBe(article.url);
  });

  it('counts the URL as 23 characters against the 500 limit', () => {
    expect(post.length).toEqual({
      used: 42 + 2 + 152 + 2 + 33 + 2 + 23,
      limit: 500,
      unit: 'graphemes',
    });
    expect(graphemeLength(mastodonCountableText(post.text))).toBe(post.length.used);
  });
});
