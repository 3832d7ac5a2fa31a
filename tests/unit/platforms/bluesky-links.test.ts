/**
 * Bluesky link labels: the Bluesky app's own rule for the label a post shows in place of a
 * URL, and the text and facets Crier makes with it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blueskyPost } from '../../../shared/platforms/bluesky/composer';
import { blueskyLinkLabel, knownLinks, labelLinks } from '../../../shared/platforms/bluesky/links';
import { articleUrl } from '../../support/arbitraries';
import { appLinkLabel, appPost } from '../../support/bluesky-label';
import { checkProperty } from '../../support/fuzz';

describe('the label of a link', () => {
  it.each([
    // A long path: its first 13 characters, then "...".
    ['https://example.com/news/2026/bolivia-coup?utm_source=bsky', 'example.com/news/2026/bo...'],
    // The app keeps "www." and any subdomain.
    ['https://www.example.com/news/2026/bolivia-coup', 'www.example.com/news/2026/bo...'],
    // Up to 15 characters of path, query and fragment are shown whole; 16 are cut.
    ['https://example.com/short', 'example.com/short'],
    ['https://example.com/exactly-15-ch', 'example.com/exactly-15-ch'],
    ['https://example.com/exactly-16-char', 'example.com/exactly-16-c...'],
    // A path of only "/" is left out, a longer one keeps its trailing slash.
    ['https://example.com/', 'example.com'],
    ['https://example.com', 'example.com'],
    ['https://example.com/news/', 'example.com/news/'],
    // A query or fragment alone counts as the path.
    ['https://example.com/?id=42', 'example.com?id=42'],
    ['https://example.com/?utm_source=bluesky&utm_medium=social', 'example.com?utm_source=b...'],
    ['https://example.com/#top', 'example.com#top'],
    // The host as the URL parser writes it: lower case, an IDN as punycode, a port kept.
    ['https://MÜNCHEN.example/', 'xn--mnchen-3ya.example'],
    ['https://bücher.example/neu', 'xn--bcher-kva.example/neu'],
    ['http://Example.COM:8080/a', 'example.com:8080/a'],
    // The path is percent-encoded before it is cut.
    ['https://example.com/café', 'example.com/caf%C3%A9'],
  ])('%s shows as %s', (url, label) => {
    expect(blueskyLinkLabel(url)).toBe(label);
    expect(appLinkLabel(url)).toBe(label);
  });

  it('leaves anything that is not an http(s) URL as it is', () => {
    expect(blueskyLinkLabel('mailto:desk@example.com')).toBe('mailto:desk@example.com');
    expect(blueskyLinkLabel('https://')).toBe('https://');
  });

  it("follows the app's rule for any URL", async () => {
    await checkProperty(
      fc.property(articleUrl, (url) => {
        expect(blueskyLinkLabel(url)).toBe(appLinkLabel(url));
      }),
      300,
    );
  });
});

describe('a text with links, as posted on Bluesky', () => {
  it('posts what the Bluesky app posts for the same text', () => {
    for (const text of [
      'Read https://www.example.com/news/2026/bolivia-coup?utm_source=bluesky&utm_medium=social now',
      'Two: https://a.example/one-long-path-here and https://b.example/x.',
      '東京 🇧🇴 “quoted” (https://example.org/a?x=1#c). — é\u0301 #tag',
    ]) {
      expect(blueskyPost(text)).toEqual(appPost(text));
    }
  });

  it('is the same text when labelled twice', async () => {
    await checkProperty(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), articleUrl), {
          maxLength: 6,
        }),
        (pieces) => {
          const once = labelLinks(pieces.join(' ')).text;
          expect(labelLinks(once).text).toBe(once);
        },
      ),
      300,
    );
  });

  it('reads the labels a stored post shows from its link facets, and the label of its URL', () => {
    const url = 'https://example.com/news/2026/bolivia-coup?utm_source=bluesky';
    const posted = blueskyPost(`Über ${url} and https://t.co/x #tag`);
    expect(knownLinks({ ...posted, url })).toEqual([
      { label: 'example.com/news/2026/bo...', uri: url },
      { label: 't.co/x', uri: 'https://t.co/x' },
      { label: 'example.com/news/2026/bo...', uri: url },
    ]);
  });

  it('takes no label from a facet whose bytes are not its URL’s label (a stale facet)', () => {
    const url = 'https://example.com/news/2026/bolivia-coup?utm_source=bluesky';
    const stale = {
      text: 'The story continues here',
      facets: [
        {
          index: { byteStart: 4, byteEnd: 9 },
          features: [{ $type: 'app.bsky.richtext.facet#link', uri: url }],
        },
      ],
    };
    expect(knownLinks(stale)).toEqual([]);
  });

  it('links a known label only where it stands alone', () => {
    const known = [{ label: 'example.com/a', uri: 'https://example.com/a?utm=1' }];
    expect(labelLinks('see example.com/a.', { known }).links).toEqual([
      { uri: 'https://example.com/a?utm=1', start: 4, end: 17 },
    ]);
    expect(labelLinks('see www.example.com/a or example.com/ab', { known }).links).toEqual([]);
  });
});
