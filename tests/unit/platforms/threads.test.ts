import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHANNELS } from '../../../shared/config/default-channels';
import type { Article } from '../../../shared/domain/article';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { type Channel, channelSchema } from '../../../shared/domain/channel';
import { graphemeLength } from '../../../shared/domain/text';
import { metaMention } from '../../../shared/platforms/meta/compose';
import { composeThreads } from '../../../shared/platforms/threads/composer';
import {
  measureThreads,
  THREADS_MAX_CHARACTERS,
  threadsLength,
  threadsLinks,
} from '../../../shared/platforms/threads/rules';

const sample = parseGenericArticle(
  JSON.parse(
    readFileSync(
      new URL('../../../tests/fixtures/webhooks/generic-article.json', import.meta.url),
      'utf8',
    ),
  ),
);

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
    id: 'threads-test',
    platform: 'threads',
    account: 'newsroom',
    template,
    ...extra,
  });

const defaultChannel = channelSchema.parse(DEFAULT_CHANNELS.find((c) => c.platform === 'threads'));

describe('the sample article on the default Threads channel ("{title}\\n\\n{summary}\\n\\n{url}")', () => {
  const post = composeThreads(sample, defaultChannel);
  const url =
    'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/?utm_source=threads&utm_medium=social&utm_campaign=crier';

  it('keeps headline, whole standfirst and the tagged URL', () => {
    expect(post.text).toBe(
      'Trump Declares Support for Coup in Bolivia\n\n' +
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take ' +
        'place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!\n\n' +
        url,
    );
    expect(post.url).toBe(url);
    expect(post.hashtags).toEqual([]);
  });

  it('counts the URL in full against 500 characters', () => {
    expect(post.length).toEqual({
      used: 42 + 2 + 152 + 2 + url.length,
      limit: THREADS_MAX_CHARACTERS,
      unit: 'characters',
    });
  });

  it('carries the link-preview card and no media, so the client posts TEXT with link_attachment', () => {
    expect(post.card).toEqual({
      url,
      title: 'Trump Declares Support for Coup in Bolivia',
      description: sample.summary,
      imageUrl: sample.imageUrl,
      imageAlt: sample.imageAlt,
    });
    expect(post.media).toBeUndefined();
    expect(post.language).toBe('en');
  });
});

describe('Threads counting', () => {
  it('counts a plain character 1 and an emoji its UTF-8 bytes', () => {
    expect(threadsLength('abc')).toBe(3);
    expect(threadsLength('café 東京')).toBe(7);
    expect(threadsLength('👍')).toBe(4);
    expect(threadsLength('🇧🇴')).toBe(8);
    expect(threadsLength('👨‍👩‍👧‍👦')).toBe(25);
    expect(threadsLength('1️⃣')).toBe(7);
  });

  it('takes 125 thumbs as exactly the limit and one more as over it', () => {
    expect(measureThreads('👍'.repeat(125))).toEqual({ used: 500, fits: true });
    expect(measureThreads('👍'.repeat(126)).fits).toBe(false);
    expect(graphemeLength('👍'.repeat(126))).toBeLessThan(THREADS_MAX_CHARACTERS);
  });

  it('refuses a sixth distinct link, bare domains included, and counts a repeated link once', () => {
    const five = 'a.org b.org c.com d.net https://e.org/x';
    expect(threadsLinks(`${five} https://E.org/x`)).toHaveLength(5);
    expect(measureThreads(five).fits).toBe(true);
    expect(measureThreads(`${five} f.org`).fits).toBe(false);
  });
});

describe('Threads composer', () => {
  it('shortens the standfirst until the emoji-heavy text counts 500 as Threads counts it', () => {
    const summary = `${'Ünïcode 🎉 words '.repeat(40)}end.`;
    const post = composeThreads(article({ summary }), channel('{title}\n\n{summary}\n\n{url}'));
    expect(post.text.startsWith('Headline\n\n')).toBe(true);
    expect(post.text.endsWith('…\n\nhttps://example.org/news/a')).toBe(true);
    expect(post.length.used).toBe(threadsLength(post.text));
    expect(post.length.used).toBeLessThanOrEqual(500);
    // graphemes alone would have let far more through
    expect(graphemeLength(post.text)).toBeLessThan(post.length.used - 60);
    expect(measureThreads(post.text.replace('…', ' words end.')).fits).toBe(false);
  });

  it('cuts a standfirst with too many links down to five links in all', () => {
    const summary = 'See a.org/1 b.org/2 c.org/3 d.org/4 e.org/5 for more';
    const post = composeThreads(article({ summary }), channel('{summary}\n{url}'));
    // How the shared cutter sets the "…" after a link is its own business.
    expect(post.text).toMatch(/^See a\.org\/1 b\.org\/2 c\.org\/3 d\.org\/4 ?…\n/);
    expect(post.text.endsWith('\nhttps://example.org/news/a')).toBe(true);
    expect(post.text).not.toContain('e.org/5');
    expect(threadsLinks(post.text)).toHaveLength(5);
  });

  it('continues in replies where the channel allows threads, each post within 500', () => {
    const summary = `${'A sentence of the standfirst. '.repeat(30)}End.`;
    const post = composeThreads(
      article({ summary }),
      channel('{title}\n\n{summary}\n\n{url}', { thread: { enabled: true } }),
    );
    expect(post.thread).toHaveLength(1);
    expect(post.text.endsWith(' 1/2\n\nhttps://example.org/news/a')).toBe(true);
    expect(post.thread?.[0]?.endsWith('End. 2/2')).toBe(true);
    for (const text of [post.text, ...(post.thread ?? [])]) {
      expect(threadsLength(text)).toBeLessThanOrEqual(THREADS_MAX_CHARACTERS);
    }
  });

  it('cuts rather than continues in replies where the channel does not allow threads', () => {
    const summary = `${'A sentence of the standfirst. '.repeat(30)}End.`;
    const post = composeThreads(article({ summary }), channel('{title}\n\n{summary}\n\n{url}'));
    expect(post.thread).toBeUndefined();
    expect(post.text.endsWith('…\n\nhttps://example.org/news/a')).toBe(true);
    expect(post.length.used).toBeLessThanOrEqual(THREADS_MAX_CHARACTERS);
  });

  it('adds one tag at most, whatever the channel allows: Threads makes only the first a tag', () => {
    const post = composeThreads(
      article({ section: 'Latin America', tags: ['Bolivia', 'Evo Morales'] }),
      channel('{title} {hashtags}', { hashtags: { max: 3 } }),
    );
    expect(post.text).toBe('Headline #LatinAmerica');
    expect(post.hashtags).toEqual(['LatinAmerica']);
  });

  it('skips a tag longer than 50 characters for the next one', () => {
    const long = 'Word'.repeat(13);
    const post = composeThreads(
      article({ tags: [long, 'Bolivia'] }),
      channel('{title} {hashtags}', { hashtags: { max: 1 } }),
    );
    expect(post.hashtags).toEqual(['Bolivia']);
  });

  it('writes Threads handles as @mentions and falls back to the name', () => {
    const post = composeThreads(
      article({
        authors: [
          { name: 'Ana Rivera', handles: { threads: 'https://www.threads.net/@Ana.Rivera' } },
          { name: 'Bo Li', handles: { threads: 'not a handle' } },
        ],
      }),
      channel('{title} by {handles}'),
    );
    expect(post.text).toBe('Headline by @ana.rivera and Bo Li');
    expect(metaMention('@news_room')).toBe('@news_room');
    expect(metaMention('trailing.')).toBeUndefined();
  });
});
