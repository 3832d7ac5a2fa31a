import { describe, expect, it } from 'vitest';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import { graphemeLength } from '../../../shared/domain/text';
import { composeMastodon } from '../../../shared/platforms/mastodon/composer';
import { mastodonCountableText, measureMastodon } from '../../../shared/platforms/mastodon/rules';

const article = (overrides: Record<string, unknown> = {}): Article =>
  parseGenericArticle({
    id: 'a1',
    url: 'https://example.org/news/a',
    title: 'Headline',
    publishedAt: '2024-05-01T10:00:00Z',
    ...overrides,
  });

const channel = (template: string, extra: Record<string, unknown> = {}): Channel =>
  channelSchema.parse({
    id: 'masto-test',
    platform: 'mastodon',
    account: '@newsroom@mastodon.example',
    template,
    ...extra,
  });

const compose = (a: Article, c: Channel) => composeMastodon(a, c);

describe('Mastodon counting', () => {
  it('counts a URL with a scheme as 23, whatever its length', () => {
    const url = `https://example.org/${'p'.repeat(150)}?utm_source=mastodon`;
    expect(measureMastodon(`Read ${url}`).used).toBe(5 + 23);
    expect(measureMastodon('Read http://example.org').used).toBe(5 + 23);
  });

  it('counts a URL without a scheme in full', () => {
    expect(measureMastodon('Read example.org/a').used).toBe('Read example.org/a'.length);
  });

  it('counts @user@remote.host as @user', () => {
    expect(mastodonCountableText('By @ana@social.example and @bo')).toBe('By @ana and @bo');
    expect(measureMastodon('By @ana@social.example').used).toBe('By @ana'.length);
  });

  it('does not take an e-mail address or a URL path for a mention', () => {
    expect(mastodonCountableText('mail ana@social.example')).toBe('mail ana@social.example');
    expect(measureMastodon('https://mastodon.social/@ana@other.org').used).toBe(23);
  });

  it('counts graphemes, so an emoji sequence is one', () => {
    expect(measureMastodon('👨‍👩‍👧‍👦🇧🇴').used).toBe(2);
  });
});

describe('Mastodon composer', () => {
  it("fits the channel's maxCharacters, with mentions counted by their local part", () => {
    const summary =
      'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take place in Venezuela and Nicaragua.';
    const post = compose(
      article({
        summary,
        authors: [
          { name: 'Ana Rivera', handles: { mastodon: 'ana@a-very-long-instance.example' } },
        ],
      }),
      channel('{title} by {handles}\n\n{summary}\n\n{url}', { maxCharacters: 100 }),
    );
    expect(post.text).toBe(
      'Headline by @ana@a-very-long-instance.example\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and…\n\n' +
        'https://example.org/news/a',
    );
    // "@ana" 4 of the mention's 37, and 23 for the URL; one more word ("urges") is 6 over
    expect(post.length).toEqual({ used: 16 + 2 + 53 + 2 + 23, limit: 100, unit: 'graphemes' });
    expect(graphemeLength(post.text)).toBeGreaterThan(100);
  });

  it('defaults to 500 characters', () => {
    const post = compose(article(), channel('{title} {url}'));
    expect(post.length).toEqual({ used: 8 + 1 + 23, limit: 500, unit: 'graphemes' });
  });

  it('drops the hashtags before it touches the standfirst', () => {
    // 464 + "#Alpha #Beta" would be 501 with the URL; without #Beta it is 495
    const summary = `${'Word '.repeat(92)}end.`;
    const post = compose(
      article({ summary, tags: ['Alpha', 'Beta'] }),
      channel('{summary}\n{hashtags}\n{url}', { hashtags: { max: 2 } }),
    );
    expect(post.text).toBe(`${summary}\n#Alpha\nhttps://example.org/news/a`);
    expect(post.hashtags).toEqual(['Alpha']);
  });

  it('keeps the URL with its query string and fragment, UTM inserted before the fragment', () => {
    const post = compose(
      article({ url: 'https://example.org/a?id=7&x=%20y#comments' }),
      channel('{title}\n{url}', {
        utm: { source: '{platform}', medium: 'social', campaign: '{channel}' },
      }),
    );
    const url =
      'https://example.org/a?id=7&x=%20y&utm_source=mastodon&utm_medium=social&utm_campaign=masto-test#comments';
    expect(post.url).toBe(url);
    expect(post.text).toBe(`Headline\n${url}`);
  });
});

describe('Mastodon authors and threads', () => {
  it("mentions an author by the directory's handle, counted by its local part", () => {
    const post = composeMastodon(
      article({ authors: [{ name: 'Ana Rivera' }, { name: 'Bo Li' }] }),
      channel('{title} by {handles}\n{url}'),
      { authors: { 'Ana Rivera': { mastodon: 'https://social.example/@ana' } } },
    );
    expect(post.text).toBe('Headline by @ana@social.example and Bo Li\nhttps://example.org/news/a');
    expect(post.length.used).toBe('Headline by @ana and Bo Li\n'.length + 23);
  });

  it("continues a standfirst too long for the instance's limit in replies", () => {
    const summary = Array.from(
      { length: 9 },
      (_, i) =>
        `Sentence ${i + 1} of a standfirst, with https://example.org/${'p'.repeat(60)}/${i} in it.`,
    ).join(' ');
    const post = compose(
      article({ summary }),
      channel('{title}\n\n{summary}\n\n{url}', {
        maxCharacters: 200,
        thread: { enabled: true, max: 6 },
      }),
    );
    const posts = [post.text, ...(post.thread ?? [])];
    expect(posts.length).toBeGreaterThan(2);
    for (const [i, part] of posts.entries()) {
      expect(measureMastodon(part, 200).fits).toBe(true);
      expect(part).toMatch(new RegExp(` ${i + 1}/${posts.length}(?:\\n|$)`, 'u'));
    }
    // Each link goes whole into one part: 200 graphemes hold it only because it counts 23.
    const links = posts.flatMap((part) => part.match(/https:\/\/\S+/gu) ?? []);
    expect(links.filter((link) => link !== 'https://example.org/news/a')).toHaveLength(9);
  });
});
