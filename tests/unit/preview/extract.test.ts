import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanText, extractCard, sameUrl } from '../../../shared/preview/extract';
import {
  agrees,
  FIELDS,
  type Field,
  hostNames,
  readFixturePages,
} from '../../support/page-agreement';

const SEED = join(import.meta.dirname, '../../../tests/fixtures/seed-article.html');

/**
 * Real pages with what other extractors' test suites expect of them: metascraper's
 * (everything its rules find), Postlight Parser's (the headline and lead image it asserts),
 * newspaper4k's (title, description, image and canonical link) and goose3's (title).
 */
const pages = readFixturePages();

type Tally = Record<Field, [agreed: number, expected: number]>;
const emptyTally = (): Tally => ({
  title: [0, 0],
  description: [0, 0],
  image: [0, 0],
  url: [0, 0],
});
const total = (table: Tally): [number, number] =>
  FIELDS.reduce<[number, number]>(([n, d], f) => [n + table[f][0], d + table[f][1]], [0, 0]);
const pct = ([n, d]: [number, number]) => (d ? (100 * n) / d : 100).toFixed(1).padStart(5);

describe('agreement with the fixture pages', () => {
  const strict = emptyTally();
  const lenient = emptyTally();
  const bySuite = new Map<string, Tally>();
  const rows: string[] = [];
  const misses: string[] = [];
  const skipped: string[] = [];
  for (const page of pages) {
    const { name, html, suite } = page;
    const card = extractCard(html, page.url);
    const got: Record<Field, string | undefined> = {
      title: card.title,
      description: card.description,
      image: card.image,
      url: card.canonicalUrl ?? card.url,
    };
    const suiteTally = bySuite.get(suite) ?? emptyTally();
    bySuite.set(suite, suiteTally);
    const cells = FIELDS.map((field) => {
      const want = page.expected[field];
      if (want === null || want === undefined) return '  -  ';
      const reason = page.notCompared?.[field];
      if (reason) {
        skipped.push(`${name}.${field}: ${reason}\n      suite ${want}\n      page  ${got[field]}`);
        return '  /  ';
      }
      const exact = agrees(field, got[field], want, false);
      const siteNames = [...(card.siteName ? [card.siteName] : []), ...hostNames(page.url)];
      const close = agrees(field, got[field], want, true, siteNames);
      for (const table of [strict, lenient, suiteTally]) table[field][1]++;
      if (exact) strict[field][0]++;
      if (close) {
        lenient[field][0]++;
        suiteTally[field][0]++;
      }
      if (!close) misses.push(`${name}.${field}: expected ${want}\n      got ${got[field]}`);
      return exact ? ' ok  ' : close ? ' ~ok ' : ' MISS';
    });
    rows.push(`${name.padEnd(32)}${cells.join(' ')}`);
  }
  const overallStrict = total(strict);
  const overall = total(lenient);
  console.log(
    [
      `${'page'.padEnd(32)}${FIELDS.map((f) => f.slice(0, 5).padEnd(5)).join(' ')}`,
      ...rows,
      '',
      'ok: equal after whitespace and entity normalization; ~ok: equal once typography (curly',
      'quotes, dashes, …), URL percent-encoding and a site name added to a title are also',
      'normalized; MISS: different;',
      '-: no expectation; /: the suite expects something other than a preview field (below)',
      '',
      `${'field'.padEnd(14)}${'strict'.padStart(8)}${'normalized'.padStart(12)}`,
      ...FIELDS.map(
        (f) =>
          `${f.padEnd(14)}${`${pct(strict[f])}%`.padStart(8)}${`${pct(lenient[f])}%`.padStart(12)}  (${lenient[f][0]}/${lenient[f][1]})`,
      ),
      `${'overall'.padEnd(14)}${`${pct(overallStrict)}%`.padStart(8)}${`${pct(overall)}%`.padStart(12)}  (${overall[0]}/${overall[1]})`,
      '',
      ...[...bySuite].map(([suite, table]) => {
        const sum = total(table);
        const fields = FIELDS.filter((f) => table[f][1] > 0)
          .map((f) => `${f} ${table[f][0]}/${table[f][1]}`)
          .join(', ');
        return `${suite.padEnd(18)}${`${pct(sum)}%`.padStart(6)}  (${sum[0]}/${sum[1]}: ${fields})`;
      }),
      '',
      'misses:',
      ...misses.map((m) => `  ${m}`),
      '',
      'not compared:',
      ...skipped.map((m) => `  ${m}`),
    ].join('\n'),
  );

  it("reads the real pages of four suites, at least 40 beyond metascraper's", () => {
    expect([...bySuite.keys()].sort()).toEqual([
      'goose3',
      'metascraper',
      'newspaper4k',
      'postlight/parser',
    ]);
    expect(pages.filter((page) => page.suite !== 'metascraper').length).toBeGreaterThanOrEqual(40);
  });

  it('leaves out of the comparison no more than one field in ten that the suites assert', () => {
    expect(skipped.length / (skipped.length + overall[1])).toBeLessThanOrEqual(0.1);
  });

  it('matches what the reference suites expect on at least 95% of the fields', () => {
    expect(overall[0] / overall[1]).toBeGreaterThanOrEqual(0.95);
    // The strict measure differs only by the references' own rewriting; a drop below this
    // means the extractor lost something real.
    expect(overallStrict[0] / overallStrict[1]).toBeGreaterThanOrEqual(0.83);
  });

  it.each([...bySuite])('matches %s on at least 95% of its fields', (_suite, table) => {
    const [agreed, expected] = total(table);
    expect(agreed / expected).toBeGreaterThanOrEqual(0.95);
  });
});

describe('extractCard', () => {
  const url = 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/';

  it('reads the seed article: og tags, entities, relative image, JSON-LD author', () => {
    const card = extractCard(readFileSync(SEED), url);
    expect(card).toEqual({
      url,
      canonicalUrl: url,
      title: 'Trump Declares Support for Coup in Bolivia',
      description:
        'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!',
      image: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      imageAlt: 'Donald Trump speaking at the White House',
      imageWidth: 1200,
      imageHeight: 800,
      siteName: 'Left Voice',
      publishedAt: '2019-11-12T15:30:00.000Z',
      author: 'Ana Rivera',
      language: 'en-US',
      twitterCard: 'summary_large_image',
      warnings: [],
    });
  });

  it('decodes double-encoded entities as real pages have them', () => {
    const html = `<head>
      <meta property="og:title" content="Biden&amp;#8217;s &amp;quot;plan&amp;quot; &amp;amp; more">
      <meta property="og:description" content="Caf&amp;eacute; &#8212; &amp;#x2019;90s">
      <title>ignored</title></head>`;
    const card = extractCard(html, 'https://example.org/a');
    expect(card.title).toBe('Biden’s "plan" & more');
    expect(card.description).toBe('Café — ’90s');
  });

  it('folds whitespace but keeps an ideographic space', () => {
    expect(cleanText('  a \n\t b\u00a0 c  ')).toBe('a b c');
    expect(cleanText('東京\u3000大阪')).toBe('東京\u3000大阪');
    expect(cleanText('   ')).toBeUndefined();
  });

  it('resolves relative URLs against <base href> and the page', () => {
    const html = `<html><head><base href="https://cdn.example.org/assets/">
      <meta property="og:image" content="img/lead.jpg">
      <meta property="og:url" content="/story">
      <link rel="canonical" href="//example.org/story"></head><body></body></html>`;
    const card = extractCard(html, 'https://example.org/story?utm_source=x');
    expect(card.image).toBe('https://cdn.example.org/assets/img/lead.jpg');
    expect(card.canonicalUrl).toBe('https://cdn.example.org/story');
    const noBase = extractCard(
      '<meta property="og:image" content="../img/a.png">',
      'https://example.org/news/2024/story.html',
    );
    expect(noBase.image).toBe('https://example.org/news/img/a.png');
  });

  it('refuses image URLs that are not http(s)', () => {
    const card = extractCard(
      '<meta property="og:image" content="javascript:alert(1)"><meta name="twitter:image" content="data:image/png;base64,AAAA">',
      'https://example.org/',
    );
    expect(card.image).toBeUndefined();
  });

  it('prefers Open Graph, then Twitter, then JSON-LD, then plain HTML', () => {
    const jsonLd = `<script type="application/ld+json">{"@type":"NewsArticle","headline":"LD title","description":"LD description","image":"https://example.org/ld.jpg"}</script>`;
    const plainTags = `<title>HTML title</title><meta name="description" content="HTML description">`;
    const twitter = `<meta name="twitter:title" content="TW title"><meta name="twitter:description" content="TW description"><meta name="twitter:image" content="https://example.org/tw.jpg">`;
    const og = `<meta property="og:title" content="OG title"><meta property="og:description" content="OG description"><meta property="og:image" content="https://example.org/og.jpg">`;
    const read = (head: string) => {
      const c = extractCard(`<head>${head}</head><body></body>`, 'https://example.org/');
      return [c.title, c.description, c.image];
    };
    expect(read(plainTags + jsonLd + twitter + og)).toEqual([
      'OG title',
      'OG description',
      'https://example.org/og.jpg',
    ]);
    expect(read(plainTags + jsonLd + twitter)).toEqual([
      'TW title',
      'TW description',
      'https://example.org/tw.jpg',
    ]);
    expect(read(plainTags + jsonLd)).toEqual([
      'LD title',
      'LD description',
      'https://example.org/ld.jpg',
    ]);
    expect(read(plainTags)[0]).toBe('HTML title');
    expect(read(plainTags)[1]).toBe('HTML description');
  });

  it('reads JSON-LD in an @graph, in the body, with image objects and several authors', () => {
    const html = `<html lang="fr"><head><title>Site</title></head><body><h1>x</h1>
      <script type="application/ld+json">
      {"@context":"https://schema.org","@graph":[
        {"@type":"WebSite","name":"Le Site"},
        {"@type":["ReportageNewsArticle"],"headline":"L&#8217;enquête",
         "description":"Un r\u00e9cit","datePublished":"2024-03-01T08:00:00+01:00",
         "image":[{"@type":"ImageObject","url":"/img/a.jpg","width":1600,"height":900}],
         "author":[{"@type":"Person","name":"Ana"},{"@type":"Person","name":"Bo"}],
         "publisher":{"@type":"Organization","name":"Le Journal"},
         "mainEntityOfPage":{"@id":"https://example.fr/enquete"}}]}
      </script></body></html>`;
    const card = extractCard(html, 'https://example.fr/enquete?ref=home');
    expect(card).toMatchObject({
      title: 'L’enquête',
      description: 'Un récit',
      image: 'https://example.fr/img/a.jpg',
      imageWidth: 1600,
      imageHeight: 900,
      author: 'Ana, Bo',
      siteName: 'Le Journal',
      publishedAt: '2024-03-01T07:00:00.000Z',
      canonicalUrl: 'https://example.fr/enquete',
      language: 'fr',
    });
  });

  it('survives broken and hostile JSON-LD', () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const many = '<script type="application/ld+json">{}</script>'.repeat(5000);
    const html = `<head><script type="application/ld+json">{not json</script>
      <script type="application/ld+json">${deep}</script>${many}<title>Still here</title></head>`;
    expect(extractCard(html, 'https://example.org/').title).toBe('Still here');
  });

  it('warns of duplicate and conflicting og:title, og:image and og:url', () => {
    const html = `<head>
      <meta property="og:title" content="One"><meta property="og:title" content="One">
      <meta property="og:image" content="https://example.org/a.jpg">
      <meta property="og:image" content="https://example.org/b.jpg">
      <meta property="og:url" content="https://example.org/story">
      <meta property="og:url" content="https://example.org/other"></head>`;
    const { warnings, title, image } = extractCard(html, 'https://example.org/story');
    expect(title).toBe('One');
    expect(image).toBe('https://example.org/a.jpg');
    expect(warnings).toEqual([
      'og:title appears 2 times (duplicate tags)',
      'og:image appears 2 times with 2 different values; networks take the first ("https://example.org/a.jpg")',
      'og:url appears 2 times with 2 different values; networks take the first ("https://example.org/story")',
    ]);
  });

  it('warns when og:url or the canonical URL differ from the fetched URL, not for UTM or a slash', () => {
    const page = (og: string, canonical: string) =>
      `<meta property="og:url" content="${og}"><link rel="canonical" href="${canonical}">`;
    const fetched = 'https://example.org/story?utm_source=x&utm_medium=social';
    expect(
      extractCard(page('https://example.org/story/', 'https://example.org:443/story'), fetched)
        .warnings,
    ).toEqual([]);
    expect(
      extractCard(page('https://example.org/amp/story', 'https://example.org/story'), fetched)
        .warnings,
    ).toEqual([
      `og:url https://example.org/amp/story differs from the page's URL ${fetched}`,
      'og:url https://example.org/amp/story and the canonical URL https://example.org/story disagree',
    ]);
  });

  it('takes the first og:image group with its own width, height and alt', () => {
    const html = `<meta property="og:image" content="https://example.org/a.jpg">
      <meta property="og:image:secure_url" content="https://example.org/a.jpg">
      <meta property="og:image:width" content="600"><meta property="og:image:height" content="315">
      <meta property="og:image:alt" content="A">
      <meta property="og:image" content="https://example.org/b.jpg">
      <meta property="og:image:width" content="1200">`;
    expect(extractCard(html, 'https://example.org/')).toMatchObject({
      image: 'https://example.org/a.jpg',
      imageWidth: 600,
      imageHeight: 315,
      imageAlt: 'A',
    });
  });

  it('stops at <body> when the head has the card, and reads meta tags a page put in its body', () => {
    const head = `<head><meta property="og:title" content="Head title">
      <meta property="og:description" content="d"><meta property="og:image" content="https://example.org/a.jpg"></head>`;
    const late = '<body><meta property="og:title" content="Body title"></body>';
    expect(extractCard(head + late, 'https://example.org/').title).toBe('Head title');
    expect(
      extractCard(
        '<head></head><body><meta property="og:title" content="Body title"></body>',
        'https://example.org/',
      ).title,
    ).toBe('Body title');
  });

  it('reads on past a long head without counting its tags twice', () => {
    // the head spans several of the pieces the page is decoded in
    const head = `<html><head><meta property="og:title" content="Head title">
      <script>${'var a = 1 < 2;\n'.repeat(8000)}</script></head>`;
    const body = `<body>${'<div>filler</div>'.repeat(3000)}
      <meta property="og:image" content="/late.jpg"></body></html>`;
    for (const html of [head + body, Buffer.from(head + body)]) {
      const card = extractCard(html, 'https://example.org/a');
      expect(card.title).toBe('Head title');
      expect(card.image).toBe('https://example.org/late.jpg');
      expect(card.warnings).toEqual([]);
    }
  });

  it('ignores an <svg> title and reads a page with no metadata from its body', () => {
    const html = `<html><head><svg><title>icon</title></svg></head><body>
      <nav><p>Menu</p></nav><header><h1>The &amp; headline</h1></header>
      <img src="/pixel.gif" width="1" height="1"><img src="/logo.svg">
      <p> </p><p>The first real paragraph.</p><video poster="/poster.jpg"></video></body></html>`;
    expect(extractCard(html, 'https://example.org/a/b')).toMatchObject({
      title: 'The & headline',
      description: 'The first real paragraph.',
      image: 'https://example.org/poster.jpg',
    });
  });

  it("takes the story's picture from the body, not an icon, an avatar or a placeholder", () => {
    const html = `<html><head><title>t</title><meta name="description" content="d"></head><body>
      <div class="drawer"><img class="cover" data-src="/covers/issue.jpg"></div>
      <header><img alt="Subreddit Icon" src="/styles/communityIcon_1.png">
        <a class="avatar"><img src="/images/missing_face.png"></a></header>
      <article><img src="/awards/icon/silver_32.png"><img src="/img/renderTimingPixel.png">
        <img src="data:image/gif;base64,R0lGOD" data-src="/uploads/lead.jpg"></article></body></html>`;
    expect(extractCard(html, 'https://example.org/a').image).toBe(
      'https://example.org/uploads/lead.jpg',
    );
    // with no <article> or <main>, the first usable picture anywhere
    const loose = html.replace(/<\/?article>/g, '');
    expect(extractCard(loose, 'https://example.org/a').image).toBe(
      'https://example.org/covers/issue.jpg',
    );
  });

  it('reads the first address of a srcset list written into src', () => {
    const html = `<head><title>t</title></head><body><main>
      <img src="https://example.org/a.jpg%203500w,%20https://example.org/a.jpg?width=768%20768w"></main></body>`;
    expect(extractCard(html, 'https://example.org/').image).toBe('https://example.org/a.jpg');
  });

  it('bounds what a hostile page can put in a card', () => {
    const html = `<meta property="og:description" content="${'word '.repeat(5000)}">
      <meta property="og:image" content="https://example.org/${'a'.repeat(3000)}.jpg">
      ${'<meta property="og:title" content="t">'.repeat(50)}`;
    const card = extractCard(html, 'https://example.org/');
    expect(card.description?.length).toBeLessThanOrEqual(5000);
    expect(card.description?.endsWith('…')).toBe(true);
    expect(card.image).toBeUndefined();
    expect(card.warnings.length).toBeLessThanOrEqual(20);
  });

  it('normalizes the language, the date and a byline', () => {
    const card = extractCard(
      `<html lang="pt_br"><head><meta property="article:published_time" content="2024-05-01 10:00:00Z">
       <meta name="author" content="By Ana Souza"></head></html>`,
      'https://example.org/',
    );
    expect(card).toMatchObject({
      language: 'pt-BR',
      publishedAt: '2024-05-01T10:00:00.000Z',
      author: 'Ana Souza',
    });
    expect(extractCard('<html lang="not a tag">', 'https://example.org/').language).toBeUndefined();
  });
});

describe('sameUrl', () => {
  it('ignores UTM parameters, their order, a trailing slash and a default port', () => {
    expect(sameUrl('https://a.org/x/?b=2&a=1', 'https://a.org:443/x?a=1&b=2&utm_source=x')).toBe(
      true,
    );
    expect(sameUrl('https://a.org/x', 'http://a.org/x')).toBe(false);
    expect(sameUrl('https://a.org/x?id=1', 'https://a.org/x?id=2')).toBe(false);
  });
});
