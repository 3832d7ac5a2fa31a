/**
 * How the Bluesky app labels a link in a post's text (its `toShortUrl`), written here
 * apart from shared/platforms/bluesky/links.ts so a test checks the composer against the
 * app's rule rather than against itself: the host, then the path, query and fragment,
 * cut to 13 characters and `...` when longer than 15.
 */
import { RichText, UnicodeString } from '@atproto/api';

export function appLinkLabel(url: string): string {
  try {
    const parsed = new URL(url);
    if (!['http:', 'https:'].includes(parsed.protocol)) return url;
    const rest = (parsed.pathname === '/' ? '' : parsed.pathname) + parsed.search + parsed.hash;
    return rest.length > 15 ? `${parsed.host}${rest.slice(0, 13)}...` : `${parsed.host}${rest}`;
  } catch {
    return url;
  }
}

/** What a post's text shows for its link: Bluesky's label, the URL itself elsewhere. */
export function linkAsShown(platform: string, url: string): string {
  return platform === 'bluesky' ? appLinkLabel(url) : url;
}

/**
 * The text and facets the Bluesky app posts for `text` typed in its composer: links found
 * by @atproto/api's RichText, then each link's text replaced by its label and the facet
 * moved onto the label (the app's `shortenLinks`).
 */
export function appPost(text: string): {
  text: string;
  facets: { index: { byteStart: number; byteEnd: number }; features: unknown[] }[];
} {
  const rich = new RichText({ text });
  rich.detectFacetsWithoutResolution();
  for (const facet of rich.facets ?? []) {
    if (!facet.features.some((f) => f.$type === 'app.bsky.richtext.facet#link')) continue;
    const { byteStart, byteEnd } = facet.index;
    const label = new UnicodeString(appLinkLabel(rich.unicodeText.slice(byteStart, byteEnd)));
    rich.insert(byteStart, label.utf16);
    facet.index.byteStart = byteStart;
    facet.index.byteEnd = byteStart + label.length;
    rich.delete(byteStart + label.length, byteEnd + label.length);
  }
  return {
    text: rich.text,
    facets: (rich.facets ?? []).map(({ index, features }) => ({ index, features })),
  };
}
