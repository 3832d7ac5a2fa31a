/**
 * Mentions on Bluesky: a `@handle` in a post's text links to its account, and notifies
 * it, only through an `app.bsky.richtext.facet#mention` naming the account's DID on the
 * mention's exact UTF-8 bytes. Handles are resolved to DIDs when the post is sent; one
 * that does not resolve stays plain text, with a warning for the editors.
 */
import { utf8Length } from '../../domain/text';

type ByteRange = { byteStart: number; byteEnd: number };

/** A mention facet as the record carries it. */
export type MentionFacet = {
  index: ByteRange;
  features: [{ $type: 'app.bsky.richtext.facet#mention'; did: string }];
};

/** A `@handle` in a text, UTF-16 offsets of the whole `@handle`, end exclusive. */
export type Mention = { handle: string; start: number; end: number };

// As Bluesky's own apps find mentions: after the start, a space or "(", never inside a word
// or an e-mail address.
const MENTION = /(^|\s|\()@([a-zA-Z0-9.-]+)/g;
// The handle syntax of the AT Protocol: a domain name of two labels or more, whose last
// label does not start with a digit.
const HANDLE =
  /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const MAX_HANDLE = 253;

/** The `@handle` mentions in `text`, in order; a sentence's full stop after one is the sentence's. */
export function findMentions(text: string): Mention[] {
  const found: Mention[] = [];
  for (const match of text.matchAll(MENTION)) {
    const handle = (match[2] ?? '').replace(/[.-]+$/, '');
    if (handle.length > MAX_HANDLE || !HANDLE.test(handle)) continue;
    const start = match.index + (match[1] ?? '').length;
    found.push({ handle: handle.toLowerCase(), start, end: start + 1 + handle.length });
  }
  return found;
}

/** A handle's DID, or undefined when the network cannot resolve it; throws when it cannot ask. */
export type ResolveHandle = (handle: string) => Promise<string | undefined>;

export const unresolvedWarning = (handle: string) =>
  `@${handle} is not a Bluesky account that could be found: the mention stays plain text and notifies no one`;

/**
 * `facets` with a mention facet added for each `@handle` of `text` that resolves (in text
 * order), and a warning for each that does not. A mention inside another facet (a link
 * such as `https://example.org/@name.example`) is left alone.
 */
export async function withMentionFacets<F extends { index: ByteRange }>(
  text: string,
  facets: readonly F[],
  resolve: ResolveHandle,
): Promise<{ facets: (F | MentionFacet)[]; warnings: string[] }> {
  const mentions = findMentions(text).map((mention) => {
    const byteStart = utf8Length(text.slice(0, mention.start));
    const byteEnd = byteStart + utf8Length(text.slice(mention.start, mention.end));
    return { handle: mention.handle, index: { byteStart, byteEnd } };
  });
  const free = mentions.filter(
    ({ index }) =>
      !facets.some((f) => f.index.byteStart < index.byteEnd && index.byteStart < f.index.byteEnd),
  );
  if (free.length === 0) return { facets: [...facets], warnings: [] };

  const handles = [...new Set(free.map((m) => m.handle))];
  const dids = new Map(
    await Promise.all(handles.map(async (handle) => [handle, await resolve(handle)] as const)),
  );
  const added: MentionFacet[] = [];
  for (const { handle, index } of free) {
    const did = dids.get(handle);
    if (did) added.push({ index, features: [{ $type: 'app.bsky.richtext.facet#mention', did }] });
  }
  return {
    facets: [...facets, ...added].sort((a, b) => a.index.byteStart - b.index.byteStart),
    warnings: handles.filter((handle) => !dids.get(handle)).map(unresolvedWarning),
  };
}
