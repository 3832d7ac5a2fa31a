/**
 * Golden sweep over real headlines and standfirsts (tests/fixtures/pages/*): every
 * composer yields a post its network accepts, with the URL intact and the headline first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelsConfigSchema } from '../../../shared/domain/channel';
import { graphemeLength, utf8Length } from '../../../shared/domain/text';
import { ELLIPSIS } from '../../../shared/platforms/compose/shorten';
import { composerFor } from '../../../shared/platforms/composers';
import { mastodonCountableText } from '../../../shared/platforms/mastodon/rules';
import type { ComposedPost } from '../../../shared/platforms/types';
import { linkAsShown } from '../../support/bluesky-label';

const pagesDir = new URL('../../../tests/fixtures/pages/', import.meta.url);

type Expected = {
  url?: string;
  title?: string;
  description?: string;
  author?: string | null;
  date?: string | null;
  lang?: string | null;
};

const expectedOf = (name: string) =>
  JSON.parse(readFileSync(new URL(`${name}/expected.json`, pagesDir), 'utf8')) as {
    url: string;
    expected: Expected;
  };

function pageArticle(name: string): Article {
  const { url, expected } = expectedOf(name);
  return parseGenericArticle({
    id: name,
    url: expected.url ?? url,
    title: expected.title,
    summary: expected.description,
    authors: expected.author ? [{ name: expected.author }] : undefined,
    language: expected.lang ?? undefined,
    publishedAt: expected.date ?? '2020-01-01T00:00:00Z',
  });
}

/** A URL without the campaign parameters a composer adds (before any #fragment). */
function withoutUtm(value: string): string {
  const url = new URL(value);
  for (const key of [...url.searchParams.keys()])
    if (key.startsWith('utm_')) url.searchParams.delete(key);
  return url.href;
}

/** Every page with a headline (a few expect only an image). */
const pages = readdirSync(pagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .filter((name) => expectedOf(name).expected.title)
  .sort();

const { channels } = channelsConfigSchema.parse(
  JSON.parse(readFileSync(new URL('../../fixtures/golden/channels.json', import.meta.url), 'utf8')),
);

/** Each network's own verdict on the text, independent of the composer's bookkeeping. */
const accepted: Record<string, (post: ComposedPost, channel: Channel) => boolean> = {
  x: (post) => twitterText.parseTweet(post.text).valid,
  bluesky: (post) => graphemeLength(post.text) <= 300 && utf8Length(post.text) <= 3000,
  mastodon: (post, channel) =>
    graphemeLength(mastodonCountableText(post.text)) <= (channel.maxCharacters ?? 500),
};

it('reads the real pages fixture (at least 40 pages)', () => {
  expect(pages.length).toBeGreaterThanOrEqual(40);
});

describe.each(channels.map((channel) => [channel.platform, channel] as const))(
  'every real page on %s',
  (platform, channel) => {
    const compose = composerFor(platform);
    if (!compose) throw new Error(`no composer for ${platform}`);

    it.each(pages)('%s: a valid post with the URL intact and the headline first', (name) => {
      const article = pageArticle(name);
      const post = compose(article, channel);

      expect(accepted[platform]?.(post, channel)).toBe(true);
      expect(post.length.used).toBeLessThanOrEqual(post.length.limit);
      expect(withoutUtm(post.url)).toBe(withoutUtm(article.url));
      expect(post.text).toContain(linkAsShown(platform, post.url));
      const whole =
        post.text.startsWith(`${article.title}\n`) || post.text.startsWith(`${article.title} `);
      if (!whole) {
        // Only a headline too long to sit beside its (long) URL is shortened, on a whole word.
        const link = linkAsShown(platform, post.url);
        expect(graphemeLength(article.title) + graphemeLength(link)).toBeGreaterThan(
          post.length.limit - 10,
        );
        const cut = post.text.split('\n')[0] ?? '';
        expect(cut.endsWith(ELLIPSIS)).toBe(true);
        expect(article.title.startsWith(cut.slice(0, -ELLIPSIS.length))).toBe(true);
      }
      const summaryShown = channel.template.includes('{summary}');
      if (
        summaryShown &&
        whole &&
        article.summary &&
        post.text.includes(ELLIPSIS) &&
        !article.summary.includes(ELLIPSIS) &&
        !article.title.includes(ELLIPSIS)
      ) {
        // Only the standfirst was shortened, and it ends on a whole word of the original.
        const cut = post.text.split('\n\n')[1] ?? '';
        expect(cut.endsWith(ELLIPSIS)).toBe(true);
        const kept = cut.slice(0, -ELLIPSIS.length);
        expect(article.summary?.startsWith(kept)).toBe(true);
        expect(article.summary?.charAt(kept.length)).toMatch(/[\s,.;:!?–—-]/u);
      }
    });
  },
);

describe.each(channels.map((channel) => [channel.platform, channel] as const))(
  'every real page on %s with threads enabled',
  (platform, channel) => {
    const compose = composerFor(platform);
    if (!compose) throw new Error(`no composer for ${platform}`);
    const threaded: Channel = { ...channel, thread: { enabled: true, max: 4 } };

    it.each(pages)('%s: every post of the thread is valid and the standfirst whole', (name) => {
      const article = pageArticle(name);
      const post = compose(article, threaded);
      const posts = [post.text, ...(post.thread ?? [])];
      for (const part of posts)
        expect(accepted[platform]?.({ ...post, text: part }, channel)).toBe(true);
      expect(post.text).toContain(linkAsShown(platform, post.url));
      if (post.thread && !post.warnings?.length) {
        // Every word of the standfirst is in one of the posts, in order.
        const words = (article.summary ?? '').split(/\s+/u);
        const shown = posts.join(' ').split(/\s+/u);
        let at = 0;
        for (const word of shown) if (word === words[at]) at++;
        expect(at).toBe(words.length);
      }
    });
  },
);
