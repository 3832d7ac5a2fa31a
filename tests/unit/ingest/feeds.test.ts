import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors';
import {
  FeedParseError,
  feedItemArticle,
  feedItemRevision,
  parseFeed,
  standfirst,
} from '../../../shared/ingest/feeds';

const read = (name: string) => readFileSync(`tests/fixtures/feeds/${name}`);

describe('RSS 2.0', () => {
  const feed = parseFeed(
    read('wordpress-rss2.xml'),
    'application/rss+xml; charset=UTF-8',
    'https://www.leftvoice.org/feed/',
  );

  it('reads every item, in order, with the channel language', () => {
    expect(feed.format).toBe('rss');
    expect(feed.items.map((item) => item.id)).toEqual([
      'https://www.leftvoice.org/?p=41872',
      'https://www.leftvoice.org/?p=41850',
    ]);
    expect(feed.items[0]).toMatchObject({
      url: 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/',
      title: 'Trump Declares Support for Coup in Bolivia',
      authors: ['Ana Rivera'],
      categories: ['Latin America', 'Bolivia', 'Evo Morales'],
      imageUrl: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      imageAlt: 'Donald Trump speaking at the White House',
      language: 'en-US',
      publishedAt: '2019-11-12T15:30:00.000Z',
      updatedAt: undefined,
    });
  });

  it('makes the sample item the article the generic sample describes', () => {
    const [first] = feed.items;
    if (!first) throw new Error('no item');
    expect(feedItemArticle(first, '2019-11-12T15:31:00.000Z')).toEqual({
      source: 'feed',
      sourceId: 'https://www.leftvoice.org/?p=41872',
      url: 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/',
      title: 'Trump Declares Support for Coup in Bolivia',
      // Without Yoast's "The post … appeared first on …" footer.
      summary:
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!',
      imageUrl: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      imageAlt: 'Donald Trump speaking at the White House',
      imageCredit: undefined,
      authors: [{ name: 'Ana Rivera', handles: {} }],
      section: 'Latin America',
      tags: ['Bolivia', 'Evo Morales'],
      language: 'en-US',
      revision: Date.parse('2019-11-12T15:30:00Z'),
      priority: 'normal',
      publishedAt: '2019-11-12T15:30:00.000Z',
      shareAt: undefined,
      status: 'published',
    });
  });

  it('decodes entities in titles and leaves no image when the item has none', () => {
    const [, second] = feed.items;
    expect(second).toMatchObject({
      title: 'Chile’s Students Take the Streets Again',
      imageUrl: undefined,
    });
  });
});

describe('Atom', () => {
  const feed = parseFeed(
    read('atom.xml'),
    'application/atom+xml',
    'https://news.example.org/feeds/all.atom',
  );

  it('resolves relative links against xml:base and reads HTML and XHTML text', () => {
    expect(feed.format).toBe('atom');
    const [first, second] = feed.items;
    expect(first).toMatchObject({
      id: 'tag:news.example.org,2019-11-12:/world/bolivia-interim-government',
      url: 'https://news.example.org/world/2019/11/12/bolivia-interim-government/',
      authors: ['Ana Rivera', 'Bo Li'],
      categories: ['World', 'Bolivia'],
      imageUrl: 'https://news.example.org/images/2019/11/anez.jpg',
      language: 'en',
      publishedAt: '2019-11-12T20:40:00.000Z',
      updatedAt: '2019-11-12T21:02:09.000Z',
    });
    if (!first || !second) throw new Error('missing entries');
    const article = feedItemArticle(first, '2019-11-12T21:05:00.000Z');
    expect(article).toMatchObject({
      title: 'Bolivia’s “interim” government takes office',
      summary: 'Jeanine Áñez declared herself president without a quorum.',
      section: 'World',
      revision: Date.parse('2019-11-12T21:02:09Z'),
    });
    expect(second).toMatchObject({
      url: 'https://news.example.org/es/mundo/2019/11/12/protestas-el-alto/',
      imageUrl: 'https://news.example.org/images/2019/11/el-alto.jpg',
      language: 'es',
      publishedAt: undefined,
    });
    expect(feedItemArticle(second, '2019-11-12T21:05:00.000Z')).toMatchObject({
      summary: 'Miles marcharon desde El Alto hacia La Paz.',
      // No published date: the updated one stands in.
      publishedAt: '2019-11-12T14:10:00.000Z',
    });
  });

  it('reads an Atom feed whose elements carry a prefix', () => {
    const prefixed = `<?xml version="1.0"?>
<atom:feed xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
  <atom:entry>
    <media:title>Not the title</media:title>
    <atom:title>The title</atom:title>
    <atom:id>urn:uuid:1</atom:id>
    <atom:link href="https://news.example.org/a"/>
    <atom:updated>2019-11-12T14:10:00Z</atom:updated>
  </atom:entry>
</atom:feed>`;
    expect(parseFeed(Buffer.from(prefixed), undefined, 'https://news.example.org/').items).toEqual([
      expect.objectContaining({
        id: 'urn:uuid:1',
        title: 'The title',
        url: 'https://news.example.org/a',
      }),
    ]);
  });
});

describe('JSON Feed', () => {
  const feed = parseFeed(
    read('feed.json'),
    'application/feed+json',
    'https://news.example.org/feed.json',
  );

  it('reads 1.1 authors, 1.0 author, tags and the feed language, resolving relative URLs', () => {
    expect(feed.format).toBe('json');
    expect(feed.items).toHaveLength(3);
    expect(feed.items[0]).toMatchObject({
      authors: ['Ana Rivera'],
      categories: ['World', 'Bolivia', 'Jeanine Áñez'],
      language: 'en-GB',
      imageUrl: 'https://news.example.org/images/2019/11/anez.jpg',
      updatedAt: '2019-11-12T21:02:09.000Z',
    });
    expect(feed.items[1]).toMatchObject({
      url: 'https://news.example.org/world/2019/11/11/chile-students/',
      authors: ['Bo Li'],
      language: 'en',
      summary:
        'Thousands of high school students jumped the turnstiles of the Santiago metro again on Monday.',
    });
  });

  it('refuses an item without a title as an article, naming the field', () => {
    const note = feed.items[2];
    if (!note) throw new Error('no note');
    expect(() => feedItemArticle(note, '2019-11-12T00:00:00.000Z')).toThrow(ValidationError);
    try {
      feedItemArticle(note, '2019-11-12T00:00:00.000Z');
    } catch (error) {
      expect(error instanceof ValidationError && error.issues.map((i) => i.field)).toEqual([
        'title',
      ]);
    }
  });

  it('is told from XML by its first character when the server says text/plain', () => {
    expect(
      parseFeed(read('feed.json'), 'text/plain', 'https://news.example.org/feed.json').format,
    ).toBe('json');
  });
});

describe('feed parsing, whatever the format', () => {
  it('refuses a document that is not a feed', () => {
    expect(() =>
      parseFeed(
        Buffer.from('<!doctype html><html><body>Hi</body></html>'),
        'text/html',
        'https://x.example/',
      ),
    ).toThrow(FeedParseError);
    expect(() =>
      parseFeed(Buffer.from('{"items": []}'), 'application/json', 'https://x.example/'),
    ).toThrow(/JSON Feed/);
  });

  it('decodes a feed in the encoding its XML declaration names', () => {
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><item><title>Canci\u00f3n</title><link>https://x.example/a</link></item></channel></rss>`;
    const [item] = parseFeed(
      Buffer.from(xml, 'latin1'),
      'application/xml',
      'https://x.example/',
    ).items;
    expect(item?.title).toBe('Canción');
  });

  it('expands no entity a document type declares', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "BIGBIGBIG">]><rss version="2.0"><channel><item><title>&big;</title><guid>g1</guid><link>https://x.example/a</link></item></channel></rss>`;
    const [item] = parseFeed(Buffer.from(xml), 'application/rss+xml', 'https://x.example/').items;
    expect(item?.title).not.toContain('BIGBIGBIG');
  });

  it('dates a revision by the updated date, else the published one, else 1', () => {
    const base = { id: 'a', authors: [], categories: [] };
    expect(
      feedItemRevision({
        ...base,
        updatedAt: '2019-11-12T16:00:00.000Z',
        publishedAt: '2019-11-12T15:00:00.000Z',
      }),
    ).toBe(Date.parse('2019-11-12T16:00:00Z'));
    expect(feedItemRevision({ ...base, publishedAt: '2019-11-12T15:00:00.000Z' })).toBe(
      Date.parse('2019-11-12T15:00:00Z'),
    );
    expect(feedItemRevision(base)).toBe(1);
  });

  it('cuts a whole article down to a standfirst, at a sentence end when one is near', () => {
    const sentences = 'This is the first sentence of the story. '.repeat(30);
    const cut = standfirst(`<p>${sentences}</p>`);
    expect(cut.length).toBeLessThanOrEqual(500);
    expect(cut.endsWith('story.')).toBe(true);
    const words = standfirst('word '.repeat(200));
    expect(words.length).toBeLessThanOrEqual(500);
    expect(words.endsWith('word…')).toBe(true);
  });
});
