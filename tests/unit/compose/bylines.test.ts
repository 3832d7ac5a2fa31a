import { describe, expect, it } from 'vitest';
import type { Author } from '../../../shared/domain/article';
import { blueskyMention } from '../../../shared/platforms/bluesky/rules';
import { authorHandles, authorNames, joinNames } from '../../../shared/platforms/compose/bylines';
import { mastodonMention } from '../../../shared/platforms/mastodon/rules';
import { xMention } from '../../../shared/platforms/x/rules';

const authors: Author[] = [
  {
    name: 'Ana Rivera',
    handles: { x: '@anarivera', bluesky: 'ana.bsky.social', mastodon: 'ana@social.example' },
  },
  { name: 'Bo Li', handles: {} },
  { name: 'Cy Doe', handles: { x: 'not a handle', mastodon: '@cy' } },
];

describe('joinNames', () => {
  it('joins names as "A", "A and B", "A, B and C"', () => {
    expect(joinNames(['A'], 'en')).toBe('A');
    expect(joinNames(['A', 'B'], 'en')).toBe('A and B');
    expect(joinNames(['A', 'B', 'C'], 'en-US')).toBe('A, B and C');
    expect(joinNames(['A', 'B', 'C'], undefined)).toBe('A, B and C');
    expect(joinNames([], 'en')).toBe('');
  });

  it("uses the article language's conjunction", () => {
    expect(joinNames(['A', 'B', 'C'], 'es')).toBe('A, B y C');
  });
});

describe('authorNames and authorHandles', () => {
  it('lists the names', () => {
    expect(authorNames(authors, 'en')).toBe('Ana Rivera, Bo Li and Cy Doe');
  });

  it('writes each handle as the network writes mentions, else the name', () => {
    expect(authorHandles(authors, 'x', xMention, 'en')).toBe('@anarivera, Bo Li and Cy Doe');
    expect(authorHandles(authors, 'bluesky', blueskyMention, 'en')).toBe(
      '@ana.bsky.social, Bo Li and Cy Doe',
    );
    expect(authorHandles(authors, 'mastodon', mastodonMention, 'en')).toBe(
      '@ana@social.example, Bo Li and Cy Doe',
    );
  });
});

describe('authorHandles with the author directory', () => {
  const directory = {
    'Ana Rivera': { x: 'ana_from_config', bluesky: 'ana.config.example' },
    'bo  LI': { x: 'boli', bluesky: 'bo.bsky.social', mastodon: 'https://social.example/@bo' },
    'Cy Doe': { x: 'cydoe' },
  };

  it("uses the payload's handle first, then the directory's, then the name", () => {
    expect(authorHandles(authors, 'x', xMention, 'en', directory)).toBe(
      '@anarivera, @boli and @cydoe',
    );
    expect(authorHandles(authors, 'bluesky', blueskyMention, 'en', directory)).toBe(
      '@ana.bsky.social, @bo.bsky.social and Cy Doe',
    );
    expect(authorHandles(authors, 'mastodon', mastodonMention, 'en', directory)).toBe(
      '@ana@social.example, @bo@social.example and Cy Doe',
    );
  });

  it('finds a name in the directory whatever its capitals and spacing', () => {
    expect(authorHandles([{ name: 'Bo Li', handles: {} }], 'x', xMention, 'en', directory)).toBe(
      '@boli',
    );
  });

  it('falls back to the name when the directory has no usable handle', () => {
    const odd = { 'Bo Li': { x: 'not a handle' } };
    expect(authorHandles([{ name: 'Bo Li', handles: {} }], 'x', xMention, 'en', odd)).toBe('Bo Li');
  });
});

describe('mentions', () => {
  it('X: a username of up to 15 letters, digits or underscores', () => {
    expect(xMention('anarivera')).toBe('@anarivera');
    expect(xMention('@ana_rivera')).toBe('@ana_rivera');
    expect(xMention('a_sixteen_chars_')).toBeUndefined();
    expect(xMention('ana rivera')).toBeUndefined();
  });

  it('Bluesky: a handle that is a domain name, lowercased', () => {
    expect(blueskyMention('@Ana.bsky.social')).toBe('@ana.bsky.social');
    expect(blueskyMention('leftvoice.org')).toBe('@leftvoice.org');
    expect(blueskyMention('ana')).toBeUndefined();
    expect(blueskyMention('did:plc:abc123')).toBeUndefined();
  });

  it('Mastodon: user and server, from an address or a profile URL', () => {
    expect(mastodonMention('ana@social.example')).toBe('@ana@social.example');
    expect(mastodonMention('@ana@Social.Example')).toBe('@ana@social.example');
    expect(mastodonMention('https://social.example/@ana')).toBe('@ana@social.example');
    expect(mastodonMention('@ana')).toBeUndefined();
  });
});
