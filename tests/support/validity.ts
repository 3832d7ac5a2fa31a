/**
 * Checks a composed post against each network's own rules, written here apart from the
 * composers so that a composer's mistake cannot hide behind its own measure.
 */
import twitterText from 'twitter-text';
import { expect } from 'vitest';
import { appLinkLabel, linkAsShown } from './bluesky-label';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (text: string) => [...segmenter.segment(text)].length;

type Facet = { index: { byteStart: number; byteEnd: number }; features: Record<string, unknown>[] };

export function expectValidPost(
  platform: string,
  post: { text: string; url?: string; facets?: Facet[] | null },
): void {
  const { text } = post;
  expect(text.trim()).not.toBe('');
  expect(text).toBe(text.normalize('NFC'));
  // Where the link is part of the text; elsewhere it travels as the post's link or card.
  // Bluesky's text shows the link's label, its facet the whole URL.
  if (post.url && ['x', 'bluesky', 'mastodon', 'threads', 'telegram'].includes(platform)) {
    expect(text).toContain(linkAsShown(platform, post.url));
  }
  switch (platform) {
    case 'x': {
      const parsed = twitterText.parseTweet(text);
      expect(parsed.valid).toBe(true);
      expect(parsed.weightedLength).toBeLessThanOrEqual(280);
      return;
    }
    case 'bluesky': {
      expect(graphemes(text)).toBeLessThanOrEqual(300);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(3000);
      const bytes = Buffer.from(text, 'utf8');
      for (const facet of post.facets ?? []) {
        const slice = bytes.subarray(facet.index.byteStart, facet.index.byteEnd).toString('utf8');
        for (const feature of facet.features) {
          if (feature.$type === 'app.bsky.richtext.facet#link') {
            expect([String(feature.uri), appLinkLabel(String(feature.uri))]).toContain(slice);
          }
          if (feature.$type === 'app.bsky.richtext.facet#tag')
            expect(slice).toBe(`#${String(feature.tag)}`);
        }
      }
      if (post.url) {
        expect(post.facets?.some((f) => f.features.some((x) => x.uri === post.url))).toBe(true);
      }
      return;
    }
    case 'mastodon': {
      // Mastodon counts every URL with a scheme as 23 characters (a URL as its extractor,
      // twitter-text's, finds one: `https://exam` has no top-level domain and is text), a
      // remote mention `@user@host` as its `@user`, and graphemes otherwise.
      let withUrls = text;
      for (const url of twitterText
        .extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false })
        .reverse()) {
        const [start, end] = url.indices;
        withUrls = `${withUrls.slice(0, start)}${'x'.repeat(23)}${withUrls.slice(end)}`;
      }
      const counted = withUrls.replace(
        /(@[\p{L}\p{N}_.-]+)@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu,
        '$1',
      );
      expect(graphemes(counted)).toBeLessThanOrEqual(500);
      return;
    }
    case 'threads':
      // Threads counts characters up to 500 (docs/networks.md); graphemes are the safe side.
      expect(graphemes(text)).toBeLessThanOrEqual(500);
      return;
    case 'linkedin':
      expect(text.length).toBeLessThanOrEqual(3000);
      return;
    case 'facebook':
      expect(text.length).toBeLessThanOrEqual(63_206);
      return;
    case 'instagram':
      expect(graphemes(text)).toBeLessThanOrEqual(2200);
      expect((text.match(/#[\p{L}\p{N}_]+/gu) ?? []).length).toBeLessThanOrEqual(30);
      return;
    case 'telegram':
      // UTF-16 code units, as Telegram counts message text.
      expect(text.length).toBeLessThanOrEqual(4096);
      return;
    default:
      throw new Error(`No validity check for ${platform}`);
  }
}
