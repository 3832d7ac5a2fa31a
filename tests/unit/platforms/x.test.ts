import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema, siteSchema } from '../../../shared/domain/channel';
import { graphemes } from '../../../shared/domain/text';
import { PostTooLongError } from '../../../shared/platforms/compose/fit';
import type { ComposeSettings } from '../../../shared/platforms/types';
import { composeX } from '../../../shared/platforms/x/composer';
import { measureX } from '../../../shared/platforms/x/rules';

const article = (overrides: Record<string, unknown> = {}): Article =>
  parseGenericArticle({
    id: 'a1',
    url: 'https://example.org/news/a',
    title: 'Headline',
    publishedAt: '2024-05-01T10:00:00Z',
    ...overrides,
  });

const channel = (template: string, extra: Record<string, unknown> = {}): Channel =>
  channelSchema.parse({ id: 'x-test', platform: 'x', account: 'newsroom', template, ...extra });

const compose = (a: Article, c: Channel) => composeX(a, c);

const settings: ComposeSettings = {
  site: siteSchema.parse({ name: 'Left Voice' }),
  authors: { 'Ana Rivera': { x: '@ana_config', bluesky: 'ana.bsky.social' } },
};

// Three sentences of about 190 weighted characters each: too long for one post.
const longSummary = [
  'Donald Trump welcomed the military coup in Bolivia on Monday, calling the resignation of Evo Morales a significant moment for democracy in the Western Hemisphere, in a statement the White House released.',
  'The statement urged similar events in Venezuela and Nicaragua, and Latin American leaders from Mexico to Argentina condemned it within hours, while Mexico offered Morales asylum and a plane to fly him out.',
  'Protests continued across La Paz and El Alto on Tuesday, where supporters of Morales clashed with police and the army; at least twenty people have died since the election, the commission on human rights said.',
].join(' ');

/** The title part of "{title} {url}" once the post is composed, without its "…". */
const keptTitle = (text: string) => text.slice(0, text.lastIndexOf(' ')).replace(/…$/u, '');

describe('X composer', () => {
  it('counts any URL as 23, however long', () => {
    const url = `https://example.org/${'long-path-'.repeat(20)}`;
    const post = compose(article({ url }), channel('{title} {url}'));
    expect(post.text).toBe(`Headline ${url}`);
    expect(post.length).toEqual({ used: 8 + 1 + 23, limit: 280, unit: 'weighted' });
  });

  it('weighs CJK 2 and cuts a long Japanese headline to a valid 280', () => {
    const sentence = '東京オリンピックの開催は新型コロナウイルスの影響で延期された。';
    expect(measureX(sentence).used).toBe(2 * [...sentence].length);
    const title = sentence.repeat(6);
    const post = compose(article({ title, language: 'ja' }), channel('{title} {url}'));
    const parsed = twitterText.parseTweet(post.text);
    expect(parsed.valid).toBe(true);
    expect(parsed.weightedLength).toBeLessThanOrEqual(280);
    expect(parsed.weightedLength).toBeGreaterThan(250);
    expect(post.text.endsWith(' https://example.org/news/a')).toBe(true);
    expect(title.startsWith(keptTitle(post.text))).toBe(true);
  });

  it('cuts a single 400-character word at a grapheme and keeps the URL whole', () => {
    const title = 'A'.repeat(400);
    const post = compose(article({ title }), channel('{title} {url}'));
    expect(twitterText.parseTweet(post.text).valid).toBe(true);
    // 280 - URL 23 - space 1 - "…" (weight 2) = 254 letters
    expect(post.text).toBe(`${'A'.repeat(254)}… https://example.org/news/a`);
  });

  it('never splits an emoji ZWJ sequence or a flag', () => {
    const unit = '👨‍👩‍👧‍👦🇧🇴';
    const title = unit.repeat(66);
    const post = compose(article({ title }), channel('{title} {url}'));
    expect(twitterText.parseTweet(post.text).valid).toBe(true);
    const kept = graphemes(keptTitle(post.text));
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.every((g, i) => g === (i % 2 === 0 ? '👨‍👩‍👧‍👦' : '🇧🇴'))).toBe(true);
  });

  it('keeps Cyrillic text and hashtags as they are', () => {
    const post = compose(
      article({ title: 'Москва — столица России', section: 'Новости Москвы', tags: ['Россия'] }),
      channel('{title} {url} {hashtags}', { hashtags: { max: 2 } }),
    );
    expect(post.text).toBe(
      'Москва — столица России https://example.org/news/a #НовостиМосквы #Россия',
    );
    expect(twitterText.extractHashtags(post.text)).toEqual(['НовостиМосквы', 'Россия']);
  });

  it('drops hashtags from the end before it cuts the headline', () => {
    const title = `${'Word '.repeat(48)}End`;
    const post = compose(
      article({ title, tags: ['Alpha', 'Beta', 'Gamma'] }),
      channel('{title} {url} {hashtags}', { hashtags: { max: 3 } }),
    );
    expect(post.text).toBe(`${title} https://example.org/news/a #Alpha #Beta`);
    expect(post.hashtags).toEqual(['Alpha', 'Beta']);
    expect(post.length.used).toBe(243 + 24 + 13);
  });

  it('mentions authors by handle where they have one', () => {
    const post = compose(
      article({
        authors: [{ name: 'Ana Rivera', handles: { x: 'anarivera' } }, { name: 'Bo Li' }],
      }),
      channel('{title} by {handles} {url}'),
    );
    expect(post.text).toBe('Headline by @anarivera and Bo Li https://example.org/news/a');
  });

  it('keeps decoded entities verbatim and escapes nothing', () => {
    const post = compose(
      article({ title: 'AT&amp;T&#8217;s &ldquo;deal&rdquo; &amp;amp; more' }),
      channel('{title} {url}'),
    );
    expect(post.text).toBe('AT&T’s “deal” &amp; more https://example.org/news/a');
  });

  it('throws when the template literal alone is over the limit', () => {
    const template = `${'Our newsroom brings you the latest. '.repeat(9)}{title} {url}`;
    expect(() => compose(article(), channel(template))).toThrow(PostTooLongError);
    expect(() => compose(article(), channel(template))).toThrow(/channel x-test \(x\)/);
  });

  it("mentions an author by the directory's handle where the payload has none", () => {
    const post = composeX(
      article({ authors: [{ name: 'Ana Rivera' }, { name: 'Bo Li', handles: { x: 'boli' } }] }),
      channel('{title} by {handles} {url}'),
      settings,
    );
    expect(post.text).toBe('Headline by @ana_config and @boli https://example.org/news/a');
  });

  it('names the site for {site} and the first author for {author}', () => {
    const post = composeX(
      article({ authors: [{ name: 'Ana Rivera' }, { name: 'Bo Li' }] }),
      channel('{title} ({author}, {site}) {url}'),
      settings,
    );
    expect(post.text).toBe('Headline (Ana Rivera, Left Voice) https://example.org/news/a');
    expect(composeX(article(), channel('{title} — {site} {url}')).text).toBe(
      'Headline — https://example.org/news/a',
    );
  });

  it('makes no hashtag of a stop-listed section', () => {
    const post = compose(
      article({ section: 'News', tags: ['Bolivia'] }),
      channel('{title} {url} {hashtags}', { hashtags: { max: 2 } }),
    );
    expect(post.hashtags).toEqual(['Bolivia']);
    expect(post.text).toBe('Headline https://example.org/news/a #Bolivia');
  });

  it('cuts the summary without a thread, as before, unless the channel enables threads', () => {
    const post = compose(
      article({ summary: longSummary }),
      channel('{title}\n\n{summary}\n\n{url} {hashtags}'),
    );
    expect(post.thread).toBeUndefined();
    expect(post.text).toContain('…');
  });

  describe('with threads enabled', () => {
    const post = compose(
      article({
        title: 'Trump Declares Support for Coup in Bolivia',
        summary: longSummary,
        section: 'Latin America',
        tags: ['Bolivia'],
      }),
      channel('{title}\n\n{summary}\n\n{url} {hashtags}', {
        hashtags: { max: 2 },
        thread: { enabled: true },
      }),
    );
    const posts = [post.text, ...(post.thread ?? [])];
    const sentences = longSummary.split(/(?<=\.) /u);

    it('splits a long summary into a thread of 3, one sentence each', () => {
      expect(posts).toEqual([
        `Trump Declares Support for Coup in Bolivia\n\n${sentences[0]} 1/3\n\nhttps://example.org/news/a`,
        `${sentences[1]} 2/3`,
        `${sentences[2]} 3/3\n\n#LatinAmerica #Bolivia`,
      ]);
    });

    it('makes every part a valid post by twitter-text', () => {
      for (const part of posts) {
        const parsed = twitterText.parseTweet(part);
        expect(parsed.valid).toBe(true);
        expect(parsed.weightedLength).toBeLessThanOrEqual(280);
      }
      expect(post.length.used).toBe(twitterText.parseTweet(post.text).weightedLength);
    });

    it('numbers the parts 1/3, 2/3, 3/3 and puts the hashtags on the last', () => {
      expect(posts.map((part) => / (\d+\/\d+)(?:\n|$)/u.exec(part)?.[1])).toEqual([
        '1/3',
        '2/3',
        '3/3',
      ]);
      expect(posts.map((part) => twitterText.extractHashtags(part))).toEqual([
        [],
        [],
        ['LatinAmerica', 'Bolivia'],
      ]);
      expect(post.hashtags).toEqual(['LatinAmerica', 'Bolivia']);
    });

    it('keeps the first post with the headline and the URL where the template puts them', () => {
      expect(twitterText.extractUrls(post.text)).toEqual(['https://example.org/news/a']);
      expect(post.thread?.some((part) => part.includes('https://'))).toBe(false);
    });
  });
});
