import twitterText from 'twitter-text';
import { describe, expect, it } from 'vitest';
import { type Article, parseGenericArticle } from '../../../shared/domain/article';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import { graphemes } from '../../../shared/domain/text';
import { PostTooLongError } from '../../../shared/platforms/compose/fit';
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
});
