/** Golden posts for the sample article (shared/fixtures/webhooks/generic-article.json). */
import { readFileSync } from 'node:fs';
import { RichText } from '@atproto/api';
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

  it('cuts the standfirst on a word with "…" because the full URL counts on Bluesky', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off…\n\n' +
        url,
    );
    expect(post.url).toBe(url);
  });

  it('stays within 300 graphemes, where one more word of the standfirst would not', () => {
    expect(post.length).toEqual({ used: graphemeLength(post.text), limit: 300, unit: 'graphemes' });
    expect(post.length.used).toBeLessThanOrEqual(300);
    expect(graphemeLength(post.text.replace('Hands off…', 'Hands off Bolivia…'))).toBeGreaterThan(
      300,
    );
    expect(utf8Length(post.text)).toBeLessThanOrEqual(3000);
  });

  it('links the URL with a facet whose byte offsets slice out exactly the URL', () => {
    expect(post.facets).toEqual([
      {
        index: { byteStart: 177, byteEnd: 177 + url.length },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: url }],
      },
    ]);
    const bytes = Buffer.from(post.text);
    expect(bytes.subarray(177, 177 + url.length).toString()).toBe(url);
  });

  it('finds the same facets as @atproto/api does', () => {
    const rich = new RichText({ text: post.text });
    rich.detectFacetsWithoutResolution();
    expect(rich.facets?.map(({ index, features }) => ({ index, features }))).toEqual(post.facets);
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

  it('keeps the whole standfirst: its last sentence continues in a reply', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. 1/2\n\n' +
        url,
    );
    expect(post.thread).toEqual(['Hands off Bolivia and Latin America! 2/2']);
    expect(post.length).toEqual({ used: graphemeLength(post.text), limit: 300, unit: 'graphemes' });
  });

  it('links the URL of the first post, as @atproto/api would', () => {
    const rich = new RichText({ text: post.text });
    rich.detectFacetsWithoutResolution();
    expect(rich.facets?.map(({ index, features }) => ({ index, features }))).toEqual(post.facets);
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
