/**
 * The card a page describes of itself, read from its <head> with htmlparser2's tokenizer
 * (no DOM): Open Graph first, then Twitter, then JSON-LD, then plain HTML. The page is
 * decoded and parsed only up to <body>; JSON-LD anywhere is found by a bounded search of
 * the raw page, and the body is read only when the head says too little. The page's text
 * comes from page-source.ts, its tags from page-reader.ts; this file picks the values.
 */
import { finished } from './card-limits';
import { type JsonLdArticle, parseJsonLd, readJsonLdArticle } from './jsonld';
import { addMeta, type Collected, readPage, tagAttributes } from './page-reader';
import { bytesSource, stringSource } from './page-source';
import {
  byline,
  cleanText,
  firstMeta,
  instant,
  languageTag,
  looksLikeUrl,
  type Meta,
  pick,
  positiveInt,
  resolveUrl,
  sameUrl,
  shorten,
} from './page-values';
import type { PageCard } from './types';

export { cleanText, sameUrl } from './page-values';

/** A body paragraph standing in for a description: about what any network's card shows. */
const MAX_FALLBACK_DESCRIPTION = 300;

function repeatWarnings(metas: Meta[], key: string): string[] {
  const values = metas.filter((m) => m.key === key).map((m) => cleanText(m.value) ?? '');
  if (values.length < 2) return [];
  const distinct = [...new Set(values)];
  if (distinct.length === 1) return [`${key} appears ${values.length} times (duplicate tags)`];
  return [
    `${key} appears ${values.length} times with ${distinct.length} different values; networks take the first ("${distinct[0]}")`,
  ];
}

/**
 * The card of an HTML page fetched from `url`. `html` as bytes is decoded by its BOM,
 * `contentType`'s charset, or its own declaration; a string is taken as already decoded.
 */
export function extractCard(html: Buffer | string, url: string, contentType?: string): PageCard {
  const source = typeof html === 'string' ? stringSource(html) : bytesSource(html, contentType);
  const collected: Collected = { metas: [], ogImages: [] };
  const page = readPage(source, collected);
  const headHas = (...keys: string[]) => collected.metas.some((m) => keys.includes(m.key));
  const headLacks =
    !headHas('og:title', 'twitter:title') ||
    !headHas('og:description', 'twitter:description', 'description') ||
    !headHas('og:image', 'twitter:image');
  if (page.bodyAt >= 0 && headLacks) {
    // Some pages put their tags in the body; they are found without parsing it.
    for (const tag of source.metaTags(page.bodyAt)) addMeta(collected, tagAttributes(tag));
  }

  const { metas } = collected;
  const pageUrl = url;
  const base = resolveUrl(collected.base, pageUrl) ?? pageUrl;
  const ld: JsonLdArticle =
    readJsonLdArticle(
      source
        .jsonLd()
        .map(parseJsonLd)
        .filter((d) => d !== undefined),
    ) ?? {};

  const ogImage = collected.ogImages.find((g) => g.url || g.secureUrl);
  const ogImageUrl = resolveUrl(ogImage?.url, base) ?? resolveUrl(ogImage?.secureUrl, base);
  const twitterImage = resolveUrl(
    firstMeta(metas, 'twitter:image', 'twitter:image:src', 'twitter:image0'),
    base,
  );
  const ldImage = resolveUrl(ld.image?.url, base);
  let image = pick(
    ogImageUrl,
    twitterImage,
    ldImage,
    resolveUrl(cleanText(collected.imageSrc), base),
    resolveUrl(firstMeta(metas, 'image', 'thumbnail', 'thumbnailurl'), base),
  );
  const fromOg = image !== undefined && image === ogImageUrl;
  const fromLd = image !== undefined && !fromOg && image === ldImage;
  const imageWidth = fromOg ? positiveInt(ogImage?.width) : fromLd ? ld.image?.width : undefined;
  const imageHeight = fromOg ? positiveInt(ogImage?.height) : fromLd ? ld.image?.height : undefined;
  const imageAlt = fromOg
    ? (cleanText(ogImage?.alt) ?? firstMeta(metas, 'twitter:image:alt'))
    : image === twitterImage
      ? firstMeta(metas, 'twitter:image:alt')
      : undefined;

  let title = pick(
    firstMeta(metas, 'og:title'),
    firstMeta(metas, 'twitter:title'),
    cleanText(ld.headline),
    cleanText(collected.title),
    firstMeta(metas, 'title', 'headline', 'name'),
  );
  let description = pick(
    firstMeta(metas, 'og:description'),
    firstMeta(metas, 'twitter:description'),
    cleanText(ld.description),
    firstMeta(metas, 'description'),
  );
  if (!title || !description || !image) {
    // A page without metadata: what a reader sees first stands in for it.
    const facts = page.readBody({ h1: !title, paragraph: !description, image: !image });
    title ??= facts.h1;
    description ??= shorten(facts.paragraph, MAX_FALLBACK_DESCRIPTION);
    image ??= resolveUrl(facts.image, base);
  }
  const ogUrl = resolveUrl(firstMeta(metas, 'og:url'), base);
  const canonical = resolveUrl(cleanText(collected.canonical), base);
  const canonicalUrl = pick(ogUrl, canonical, resolveUrl(cleanText(ld.url), base));

  const articleAuthor = firstMeta(metas, 'article:author');
  const metaAuthor = firstMeta(metas, 'author', 'byl', 'sailthru.author', 'parsely-author');
  const author = byline(
    pick(
      articleAuthor && !looksLikeUrl(articleAuthor) ? articleAuthor : undefined,
      cleanText(ld.author),
      metaAuthor && !looksLikeUrl(metaAuthor) ? metaAuthor : undefined,
    ),
  );
  const publishedAt = pick(
    instant(firstMeta(metas, 'article:published_time', 'og:published_time')),
    instant(cleanText(ld.datePublished)),
    instant(
      firstMeta(
        metas,
        'datepublished',
        'pubdate',
        'publish-date',
        'publishdate',
        'date',
        'dc.date.issued',
        'dc.date',
        'article.published',
        'parsely-pub-date',
        'sailthru.date',
      ),
    ),
  );
  const language = pick(
    languageTag(cleanText(collected.lang)),
    languageTag(firstMeta(metas, 'og:locale')),
    languageTag(cleanText(ld.inLanguage)),
    languageTag(firstMeta(metas, 'content-language', 'language')),
  );
  const siteName = pick(
    firstMeta(metas, 'og:site_name'),
    cleanText(ld.publisher),
    firstMeta(metas, 'application-name', 'apple-mobile-web-app-title'),
  );

  const warnings = [
    ...repeatWarnings(metas, 'og:title'),
    ...repeatWarnings(metas, 'og:image'),
    ...repeatWarnings(metas, 'og:url'),
  ];
  if (ogUrl && !sameUrl(ogUrl, pageUrl))
    warnings.push(`og:url ${ogUrl} differs from the page's URL ${pageUrl}`);
  if (canonical && !sameUrl(canonical, pageUrl)) {
    warnings.push(`the canonical URL ${canonical} differs from the page's URL ${pageUrl}`);
  }
  if (ogUrl && canonical && !sameUrl(ogUrl, canonical)) {
    warnings.push(`og:url ${ogUrl} and the canonical URL ${canonical} disagree`);
  }

  return finished({
    url: pageUrl,
    canonicalUrl,
    title,
    description,
    image,
    imageAlt,
    imageWidth,
    imageHeight,
    siteName,
    publishedAt,
    author,
    language,
    twitterCard: firstMeta(metas, 'twitter:card'),
    warnings,
  });
}
