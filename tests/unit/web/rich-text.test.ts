/** The previews' text: links, hashtags and mentions found as each network finds them. */
import { describe, expect, it } from 'vitest';
import { displayLink, hostOf, type Piece, pieces } from '../../../web/src/rich-text';

const kinds = (list: Piece[]) =>
  list.filter((p) => p.kind !== 'text').map((p) => `${p.kind}:${p.text}`);
const joined = (list: Piece[]) => list.map((p) => (p.kind === 'link' ? p.href : p.text)).join('');

describe('pieces', () => {
  const text =
    'Coup in #Bolivia, says @ana@social.example and @ana_r https://www.leftvoice.org/a-long-path-to-the-article/?utm_source=x#top';

  it('keeps every character of the text, in order, with links at their full address', () => {
    for (const platform of ['x', 'bluesky', 'mastodon', 'instagram', 'linkedin'] as const) {
      expect(joined(pieces(platform, text))).toBe(text);
    }
  });

  it('finds mentions the way each network writes them, and none where a mention needs an id', () => {
    expect(kinds(pieces('mastodon', text))).toEqual([
      'hashtag:#Bolivia',
      'mention:@ana@social.example',
      'mention:@ana_r',
      'link:leftvoice.org/a-long-path-to-t…',
    ]);
    expect(kinds(pieces('x', text))).toContain('mention:@ana_r');
    expect(kinds(pieces('linkedin', text)).filter((k) => k.startsWith('mention'))).toEqual([]);
    expect(kinds(pieces('bluesky', 'by @ana.bsky.social today'))).toEqual([
      'mention:@ana.bsky.social',
    ]);
  });

  it('leaves a link in an Instagram caption as text, as Instagram does', () => {
    expect(pieces('instagram', text).some((p) => p.kind === 'link')).toBe(false);
    expect(kinds(pieces('instagram', text))).toContain('hashtag:#Bolivia');
  });

  it('links a bare domain only where the network does', () => {
    expect(kinds(pieces('x', 'read leftvoice.org today'))).toEqual(['link:leftvoice.org']);
    expect(kinds(pieces('mastodon', 'read leftvoice.org today'))).toEqual([]);
  });

  it('never takes a URL fragment for a hashtag', () => {
    expect(kinds(pieces('bluesky', 'https://example.org/a#section'))).toEqual([
      'link:example.org/a#section',
    ]);
  });
});

describe('Bluesky link labels in the preview', () => {
  const url = 'https://www.example.org/news/2026/bolivia-coup?utm_source=bluesky';

  it('draws a label the share links as a link to its full URL', () => {
    const label = 'www.example.org/news/2026/bo...';
    expect(pieces('bluesky', `Read ${label} now`, [{ label, uri: url }])).toEqual([
      { kind: 'text', text: 'Read ' },
      { kind: 'link', text: label, href: url },
      { kind: 'text', text: ' now' },
    ]);
    // Without the share's link, the label is text, as the network would show it.
    expect(kinds(pieces('bluesky', `Read ${label} now`))).toEqual([]);
  });

  it('shows a full URL typed in as the label it will be posted with', () => {
    expect(displayLink('bluesky', url)).toBe('www.example.org/news/2026/bo...');
  });
});

describe('displayLink and hostOf', () => {
  it('shortens links where the network does, and shows them whole elsewhere', () => {
    const url = 'https://www.example.org/2026/05/12/a-very-long-article-address';
    expect(displayLink('x', url)).toBe('example.org/2026/05/12/a-…');
    expect(displayLink('facebook', url)).toBe(url);
    expect(displayLink('bluesky', 'https://example.org/a')).toBe('example.org/a');
  });

  it('names the host without www., and survives what is not a URL', () => {
    expect(hostOf('https://www.leftvoice.org/a?b=c')).toBe('leftvoice.org');
    expect(hostOf('not a url')).toBe('not a url');
  });
});
