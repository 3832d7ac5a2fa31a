/** An article as a Bluesky post: fitted text, link and tag facets, and the link card. */
import type { Article } from '../../domain/article';
import { graphemeLength, utf8Length } from '../../domain/text';
import { articleCard } from '../compose/card';
import { createComposer } from '../compose/composer';
import { findHashtags } from '../compose/hashtags';
import { findLinks, type Link } from '../compose/tokens';
import type { ComposedPost, Facet } from '../types';
import { BLUESKY_MAX_TAG_BYTES, BLUESKY_MAX_TAG_GRAPHEMES, blueskyRules } from './rules';

function byteRange(text: string, start: number, end: number): Facet['index'] {
  const byteStart = utf8Length(text.slice(0, start));
  return { byteStart, byteEnd: byteStart + utf8Length(text.slice(start, end)) };
}

/**
 * A detected link, or the URL the post shares where the text has it there whole: a
 * shared URL that ends in punctuation (`…#section.`, `…_(film)`) keeps it, though a
 * sentence's full stop after any other link is the sentence's.
 */
function wholeLink(text: string, link: Link, known: readonly string[]): Link {
  const url = known.find(
    (candidate) => candidate.length > link.uri.length && text.startsWith(candidate, link.start),
  );
  return url ? { uri: url, start: link.start, end: link.start + url.length } : link;
}

/**
 * One `#link` facet per URL and one `#tag` facet per hashtag, in text order. A post's
 * facets are for its `text`; the client makes each `thread` reply's with this too.
 * `urls` are the links the post shares on purpose, which are linked whole.
 */
export function blueskyFacets(text: string, urls: readonly string[] = []): Facet[] {
  const links: Facet[] = findLinks(text).map((found) => {
    const link = wholeLink(text, found, urls);
    return {
      index: byteRange(text, link.start, link.end),
      features: [{ $type: 'app.bsky.richtext.facet#link', uri: link.uri }],
    };
  });
  const tags: Facet[] = findHashtags(text)
    .filter(
      ({ tag }) =>
        graphemeLength(tag) <= BLUESKY_MAX_TAG_GRAPHEMES &&
        utf8Length(tag) <= BLUESKY_MAX_TAG_BYTES,
    )
    .map((hashtag) => ({
      index: byteRange(text, hashtag.start, hashtag.end),
      features: [{ $type: 'app.bsky.richtext.facet#tag', tag: hashtag.tag }],
    }));
  return [...links, ...tags].sort((a, b) => a.index.byteStart - b.index.byteStart);
}

export const composeBluesky = createComposer({
  ...blueskyRules,
  finish: (post: ComposedPost, article: Article): ComposedPost => ({
    ...post,
    facets: blueskyFacets(post.text, [post.url]),
    card: articleCard(post.url, article),
  }),
});
