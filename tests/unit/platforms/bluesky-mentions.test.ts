import { describe, expect, it } from 'vitest';
import { blueskyFacets } from '../../../shared/platforms/bluesky/composer';
import {
  findMentions,
  unresolvedWarning,
  withMentionFacets,
} from '../../../shared/platforms/bluesky/mentions';

const DIDS: Record<string, string> = {
  'alice.bsky.social': 'did:plc:alice234567abcdefghijklm',
  'bob.example.org': 'did:plc:bob234567abcdefghijklmno',
};
const resolve = async (handle: string) => DIDS[handle];

/** The text a facet covers, read back from its UTF-8 bytes as a Bluesky app does. */
const covered = (text: string, index: { byteStart: number; byteEnd: number }) =>
  Buffer.from(text, 'utf8').subarray(index.byteStart, index.byteEnd).toString('utf8');

describe('Bluesky mention facets', () => {
  it('puts the DID on the exact UTF-8 bytes of the mention, after emoji and CJK', async () => {
    const text = '🇺🇦 👩🏽‍💻 速報：東京で地震 — via @alice.bsky.social and (@bob.example.org).';
    const { facets, warnings } = await withMentionFacets(text, [], resolve);
    expect(warnings).toEqual([]);
    expect(facets).toHaveLength(2);
    expect(facets.map((f) => covered(text, f.index))).toEqual([
      '@alice.bsky.social',
      '@bob.example.org',
    ]);
    expect(facets[0]?.features).toEqual([
      { $type: 'app.bsky.richtext.facet#mention', did: DIDS['alice.bsky.social'] },
    ]);
    // The byte offset is not the UTF-16 one: the emoji and CJK before it weigh more.
    const start = text.indexOf('@alice');
    expect(facets[0]?.index.byteStart).toBe(Buffer.byteLength(text.slice(0, start), 'utf8'));
    expect(facets[0]?.index.byteStart).toBeGreaterThan(start);
  });

  it('keeps a handle that does not resolve as plain text, with a warning naming it once', async () => {
    const text =
      '@nobody.example.com said so, and @nobody.example.com again; @alice.bsky.social agrees';
    const { facets, warnings } = await withMentionFacets(text, [], resolve);
    expect(facets.map((f) => covered(text, f.index))).toEqual(['@alice.bsky.social']);
    expect(warnings).toEqual([unresolvedWarning('nobody.example.com')]);
  });

  it('merges mentions with the link and tag facets, in byte order, and leaves a link alone', async () => {
    const text = '#news by @alice.bsky.social https://example.org/@bob.example.org';
    const composed = blueskyFacets(text, []);
    const { facets } = await withMentionFacets(text, composed, resolve);
    expect(facets.map((f) => [covered(text, f.index), f.features[0]?.$type])).toEqual([
      ['#news', 'app.bsky.richtext.facet#tag'],
      ['@alice.bsky.social', 'app.bsky.richtext.facet#mention'],
      ['https://example.org/@bob.example.org', 'app.bsky.richtext.facet#link'],
    ]);
  });

  it('finds handles only where Bluesky apps do: not in an e-mail address, not a bare name', () => {
    expect(
      findMentions('mail desk@example.org, ask @ana, see @Alice.Bsky.Social. or @1.2').map(
        (m) => m.handle,
      ),
    ).toEqual(['alice.bsky.social']);
  });

  it('fails when a lookup cannot be made, so the post waits instead of losing its mentions', async () => {
    const down = async (): Promise<string | undefined> => {
      throw new Error('connect ECONNREFUSED');
    };
    await expect(withMentionFacets('hi @alice.bsky.social', [], down)).rejects.toThrow(
      'ECONNREFUSED',
    );
  });

  it('asks nothing when the text mentions no one', async () => {
    let asked = 0;
    const { facets } = await withMentionFacets('no one here', [], async () => {
      asked += 1;
      return undefined;
    });
    expect(facets).toEqual([]);
    expect(asked).toBe(0);
  });
});
