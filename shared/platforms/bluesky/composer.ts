/** An article as a Bluesky post: fitted text, labelled links, link and tag facets, and the link card. */
import type { Article } from '../../domain/article';
import { graphemeLength, utf8Length } from '../../domain/text';
import { articleCard } from '../compose/card';
import { createComposer } from '../compose/composer';
import { findHashtags } from '../compose/hashtags';
import { findLinks, type Link } from '../compose/tokens';
import type { ComposedPost, Facet } from '../types';
import { type KnownLink, labelLinks, wholeLink } from './links';
import { BLUESKY_MAX_TAG_BYTES, BLUESKY_MAX_TAG_GRAPHEMES, blueskyRules } from './rules';

function byteRange(text: string, start: number, end: number): Facet['index'] {
  const byteStart = utf8Length(text.slice(0, start));
  return { byteStart, byteEnd: byteStart + utf8Length(text.slice(start, end)) };
}

/** One `#link` facet per link and one `#tag` facet per hashtag outside them, in text order. */
function facetsOf(text: string, links: readonly Link[]): Facet[] {
  const linkFacets: Facet[] = links.map((link) => ({
    index: byteRange(text, link.start, link.end),
    features: [{ $type: 'app.bsky.richtext.facet#link', uri: link.uri }],
  }));
  const tags: Facet[] = findHashtags(text)
    .filter(
      ({ tag, start, end }) =>
        graphemeLength(tag) <= BLUESKY_MAX_TAG_GRAPHEMES &&
        utf8Length(tag) <= BLUESKY_MAX_TAG_BYTES &&
        !links.some((link) => link.start < end && start < link.end),
    )
    .map((hashtag) => ({
      index: byteRange(text, hashtag.start, hashtag.end),
      features: [{ $type: 'app.bsky.richtext.facet#tag', tag: hashtag.tag }],
    }));
  return [...linkFacets, ...tags].sort((a, b) => a.index.byteStart - b.index.byteStart);
}

/**
 * The facets of a text that shows its URLs whole: one `#link` facet per URL and one
 * `#tag` facet per hashtag, in text order. `urls` are the links the post shares on
 * purpose, which are linked whole.
 */
export function blueskyFacets(text: string, urls: readonly string[] = []): Facet[] {
  return facetsOf(
    text,
    findLinks(text).map((found) => wholeLink(text, found, urls)),
  );
}

/**
 * A text as Crier posts it on Bluesky: each full URL shown as the app's short label with
 * a link facet to the whole URL, the labels `known` from an earlier version linked again,
 * and the hashtags' facets (links.ts).
 */
export function blueskyPost(
  text: string,
  options: { urls?: readonly string[]; known?: readonly KnownLink[] } = {},
): { text: string; facets: Facet[] } {
  const labelled = labelLinks(text, options);
  return { text: labelled.text, facets: facetsOf(labelled.text, labelled.links) };
}

export const composeBluesky = createComposer({
  ...blueskyRules,
  finish: (post: ComposedPost, article: Article): ComposedPost => {
    const first = blueskyPost(post.text, { urls: [post.url] });
    const thread = post.thread?.map((part) => labelLinks(part, { urls: [post.url] }).text);
    return {
      ...post,
      text: first.text,
      ...(thread ? { thread } : {}),
      facets: first.facets,
      // The fit counted each URL as the label it becomes; this is the final text's count.
      length: { ...post.length, used: graphemeLength(first.text) },
      card: articleCard(post.url, article),
    };
  },
});
