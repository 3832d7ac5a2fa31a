/**
 * fast-check arbitraries for what a newsroom's CMS sends: headlines and standfirsts in
 * every script, with emoji sequences, combining marks, entities, URLs and hashtags, and
 * generic webhook articles built from them that the contract accepts.
 */
import fc from 'fast-check';
import { cleanText } from '../../shared/domain/clean-text';

/** Pieces of real-world headline text that have broken text handling somewhere. */
const PIECES = [
  // emoji: skin tones, flags, ZWJ families and professions, variation selectors, keycaps
  '😀',
  '👍🏽',
  '🇧🇴',
  '🇺🇦',
  '👩‍👩‍👧‍👦',
  '👨🏿‍🚒',
  '🏳️‍🌈',
  '🏴‍☠️',
  '❤️',
  '☺︎',
  '1️⃣',
  '🫠',
  // CJK and other scripts
  '東京で震度5強の地震',
  '北京',
  '한국어 기사',
  'ニュース速報',
  'हिन्दी समाचार',
  'ภาษาไทย',
  // right to left, with and without direction marks
  'مرحبا بالعالم',
  'שלום עולם',
  '\u200fاليوم\u200f',
  '\u202eevil\u202c',
  // combining marks, precomposed and not
  'Café',
  'Cafe\u0301',
  'n\u0303',
  'Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a',
  'Ålesund',
  // entities and markup, as CMSs send them
  '&amp;',
  '&lt;b&gt;bold&lt;/b&gt;',
  '&#8217;',
  '&#x1F600;',
  '&nbsp;',
  '&quot;quoted&quot;',
  '<em>emphasis</em>',
  '<script>alert(1)</script>',
  '“curly” ‘quotes’',
  // URLs and things that look like them
  'https://example.org/path?q=1&r=2#frag',
  'http://例え.jp/パス?q=ü',
  'www.example.com',
  'example.org/x',
  'mailto:desk@example.org',
  '@someone',
  '@someone@mastodon.example',
  // hashtags, and things that look like them
  '#Bolivia',
  '#日本',
  '#with_underscore',
  '#123',
  '##',
  '#',
  // long words and numbers
  'Donaudampfschifffahrtsgesellschaftskapitän',
  'Pneumonoultramicroscopicsilicovolcanoconiosis',
  '3.14159',
  '1,000,000',
  // whitespace and invisible characters
  ' ',
  '  ',
  '\n',
  '\t',
  '\u00a0',
  '\u2028',
  '\u200b',
  '\u200d',
  '\ufeff',
] as const;

const word = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é', '字', '😀', 'ع'), fc.integer({ min: 20, max: 400 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

/** Headline-like text: words in every script, separated as CMSs separate them. */
export function headlineText(maxWords = 30): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(word, fc.constantFrom(' ', ' ', ' ', '', '\n', ' — ', ': ')), {
      minLength: 1,
      maxLength: maxWords,
    })
    .map((parts) => parts.map(([w, sep]) => `${w}${sep}`).join(''));
}

/** Text that is still there once markup and whitespace are cleaned away. */
const hasText = (text: string) => cleanText(text) !== '';

/** Top-level domains the networks link (fast-check's random ones are not, so X would not). */
const TLDS = ['org', 'com', 'news', 'co.uk', 'jp', 'de', 'com.br', 'xn--p1ai'] as const;

const httpsUrl = fc.oneof(
  fc
    .tuple(
      fc.webUrl({
        validSchemes: ['https', 'http'],
        withQueryParameters: true,
        withFragments: true,
      }),
      fc.constantFrom(...TLDS),
    )
    .map(([url, tld]) => {
      const parsed = new URL(url);
      parsed.hostname = `${parsed.hostname.replace(/\.[^.]+$/, '')}.${tld}`;
      return parsed.href;
    }),
  fc.constantFrom(
    'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/',
    'https://example.org/news/2024/05/01/a?utm_source=cms&id=7#comments',
    'https://xn--r8jz45g.jp/%E3%83%8B%E3%83%A5%E3%83%BC%E3%82%B9',
    'https://example.org/ünïcödé/путь?q=日本語',
    'https://example.org/(parenthesised)_path',
    'https://example.org/a.b.c/trailing.',
    'https://example.org/path;matrix=1',
    'https://sub.sub.example.co.uk:8443/x?a=b&a=c&',
    'http://example.org',
  ),
  fc
    .tuple(fc.integer({ min: 10, max: 900 }), fc.constantFrom('a', '-', '%C3%A9', 'x/y'))
    .map(([n, c]) => `https://example.org/${c.repeat(Math.ceil(n / c.length))}`),
);

/** An article URL the contract accepts: absolute http(s), at most 2048 characters. */
export const articleUrl = httpsUrl.filter((url) => url.length <= 2048);

const KNOWN_TAGS = [
  'Bolivia',
  'Latin America',
  'COVID-19',
  'C++',
  '日本',
  'élections',
  'a b c',
  '#x',
];

/** Sections and tags as newsrooms name them: a few words. */
const tag = fc.oneof(
  fc.constantFrom(...KNOWN_TAGS),
  headlineText(3).map((t) => t.slice(0, 12)),
);

/** Sections and tags up to the contract's 100 characters, which UTM values repeat in full. */
const longTag = headlineText(6).map((t) => t.slice(0, 100));
const isoInstant = fc
  .date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2099-12-31T23:59:59Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());

/** Article URLs as newsrooms publish them: at most 200 characters. */
export const everydayUrl = articleUrl.filter((url) => url.length <= 200);

/** A generic webhook article (docs/architecture.md contract) that must be accepted. */
export function genericArticleWith(
  url: fc.Arbitrary<string>,
  sections: fc.Arbitrary<string> = tag,
) {
  return fc.record(
    {
      id: fc.oneof(
        fc.uuid(),
        fc
          .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
          .filter((s) => s.trim() !== '' && s.trim().length <= 256),
        fc.nat(),
      ),
      url,
      title: headlineText(30).filter((t) => t.length <= 1000 && hasText(t)),
      publishedAt: isoInstant,
      // Cut anywhere, as a CMS's excerpt is: a surrogate pair may be split.
      summary: headlineText(40).map((t) => t.slice(0, 5000)),
      authors: fc.array(
        fc.record({
          name: headlineText(4).filter((t) => t.length <= 200 && hasText(t)),
        }),
        { maxLength: 4 },
      ),
      section: sections,
      tags: fc.array(sections, { maxLength: 12 }),
      language: fc.constantFrom('en', 'es', 'ar', 'ja', 'zh-Hant', 'pt-BR', 'he'),
      priority: fc.constantFrom('breaking', 'normal', 'evergreen'),
    },
    { requiredKeys: ['id', 'url', 'title', 'publishedAt'] },
  );
}

/** Any article the contract accepts, up to its limits. */
export const genericArticle = genericArticleWith(articleUrl, fc.oneof(tag, longTag));
