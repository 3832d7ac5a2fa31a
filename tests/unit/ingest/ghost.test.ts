import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_IMAGE_WARNING } from '../../../shared/domain/article';
import {
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from '../../../shared/domain/errors';
import {
  normalizeGhostPost,
  readGhostWebhook,
  signGhostWebhook,
  verifyGhostSignature,
} from '../../../shared/ingest/ghost';

type Post = Record<string, unknown>;

const fixture = (): { post: { current: Post; previous: Post } } =>
  JSON.parse(readFileSync('tests/fixtures/webhooks/ghost-post-published.json', 'utf8'));

const withCurrent = (patch: Post) => {
  const payload = fixture();
  payload.post.current = { ...payload.post.current, ...patch };
  return payload;
};

const secret = 'f'.repeat(64);
const now = new Date('2026-11-28T12:00:00.000Z');

function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => issue.field);
    throw error;
  }
  throw new Error('no ValidationError');
}

describe('Ghost post normalizer', () => {
  it('maps the published sample post to the same article the generic sample describes', () => {
    const change = normalizeGhostPost(fixture());
    expect(change).toEqual({
      article: {
        source: 'ghost',
        sourceId: '5dcaf3e1c7a8d20001a4b2f1',
        url: 'https://www.leftvoice.org/trump-declares-support-for-coup-in-bolivia/',
        title: 'Trump Declares Support for Coup in Bolivia',
        summary:
          'Donald Trump welcomes the coup d’état in Bolivia and urges similar events to take place in Venezuela and Nicaragua. Hands off Bolivia and Latin America!',
        imageUrl: 'https://www.leftvoice.org/content/images/2019/11/trump-bolivia-efe.jpg',
        imageAlt: 'Donald Trump speaking at the White House',
        imageCredit: 'EFE/Justin Lane',
        authors: [{ name: 'Ana Rivera', handles: { x: '@anarivera' } }],
        section: 'Latin America',
        // The internal #newsletter tag organises posts in Ghost: never a reader's tag.
        tags: ['Latin America', 'Bolivia'],
        language: undefined,
        revision: Date.parse('2019-11-12T15:30:00.000Z'),
        priority: 'normal',
        publishedAt: '2019-11-12T15:30:00.000Z',
        shareAt: undefined,
        status: 'published',
      },
    });
  });

  it('takes a later edit as a higher revision and the same post again as the same one', () => {
    const first = normalizeGhostPost(fixture());
    const again = normalizeGhostPost(fixture());
    const edited = normalizeGhostPost(
      withCurrent({ title: 'Corrected headline', updated_at: '2019-11-12T16:02:09.000Z' }),
    );
    if (!('article' in first) || !('article' in again) || !('article' in edited)) {
      throw new Error('expected articles');
    }
    expect(again.article.revision).toBe(first.article.revision);
    expect(edited.article.revision).toBeGreaterThan(first.article.revision);
    expect(edited.article.title).toBe('Corrected headline');
  });

  it('decodes entities and strips HTML from the caption and the excerpt', () => {
    const change = normalizeGhostPost(
      withCurrent({
        title: 'AT&amp;T &#8220;merger&#8221; & more',
        custom_excerpt: null,
        excerpt: 'First <em>line</em>&nbsp;of the story…',
        feature_image_caption:
          '<span style="white-space: pre-wrap;">Photo by </span><a href="https://unsplash.com/@x">Jo Doe</a>',
      }),
    );
    expect(change).toMatchObject({
      article: {
        title: 'AT&T “merger” & more',
        summary: 'First line of the story…',
        imageCredit: 'Photo by Jo Doe',
      },
    });
  });

  it('leaves the image out when the post has none', () => {
    const change = normalizeGhostPost(
      withCurrent({ feature_image: null, feature_image_alt: null, feature_image_caption: null }),
    );
    expect(change).toMatchObject({ article: { imageUrl: undefined, imageAlt: undefined } });
  });

  it('drops a feature image sent as a data: URL with a warning, and keeps the post', () => {
    const change = normalizeGhostPost(
      withCurrent({ feature_image: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=' }),
    );
    expect(change).toMatchObject({ article: { warnings: [DATA_IMAGE_WARNING] } });
    expect('article' in change && change.article.imageUrl).toBeFalsy();
  });

  it('reads the internal tags #breaking and #evergreen as the priority', () => {
    const tag = (name: string) => ({
      id: name,
      name,
      slug: `hash-${name.slice(1)}`,
      visibility: 'internal',
    });
    const breaking = normalizeGhostPost(withCurrent({ tags: [tag('#breaking')] }));
    const evergreen = normalizeGhostPost(withCurrent({ tags: [tag('#Evergreen')] }));
    expect(breaking).toMatchObject({ article: { priority: 'breaking', tags: [] } });
    expect(evergreen).toMatchObject({ article: { priority: 'evergreen' } });
  });

  it('takes each author handle Ghost keeps, and the first public tag when there is no primary', () => {
    const change = normalizeGhostPost(
      withCurrent({
        primary_tag: null,
        authors: [
          {
            id: '1',
            name: 'Ana Rivera',
            twitter: '@anarivera',
            bluesky: 'ana.bsky.social',
            mastodon: '@ana@social.example',
            facebook: 'ana.rivera',
          },
          { id: '2', name: 'Bo Li', twitter: null },
        ],
      }),
    );
    expect(change).toMatchObject({
      article: {
        section: 'Latin America',
        authors: [
          {
            name: 'Ana Rivera',
            handles: {
              x: '@anarivera',
              bluesky: 'ana.bsky.social',
              mastodon: '@ana@social.example',
            },
          },
          { name: 'Bo Li', handles: {} },
        ],
      },
    });
  });

  it('withdraws an unpublished post as unpublished, at the revision of the unpublishing', () => {
    const change = normalizeGhostPost(
      withCurrent({ status: 'draft', updated_at: '2019-11-13T09:00:00.000Z' }),
    );
    expect(change).toEqual({
      withdrawal: {
        source: 'ghost',
        sourceId: '5dcaf3e1c7a8d20001a4b2f1',
        revision: Date.parse('2019-11-13T09:00:00.000Z'),
        status: 'unpublished',
      },
    });
  });

  it('withdraws a deleted post from post.previous, after every revision sent before it', () => {
    const { current } = fixture().post;
    const change = normalizeGhostPost({ post: { current: {}, previous: current } });
    expect(change).toEqual({
      withdrawal: {
        source: 'ghost',
        sourceId: '5dcaf3e1c7a8d20001a4b2f1',
        revision: Date.parse('2019-11-12T15:30:00.000Z') + 1,
        status: 'deleted',
      },
    });
    // Without a `current` at all, as some Ghost versions send it.
    expect(normalizeGhostPost({ post: { previous: current } })).toEqual(change);
  });

  it('names the failing fields as Ghost calls them', () => {
    expect(
      fieldsOf(() => normalizeGhostPost(withCurrent({ url: 'not a url', title: '' }))),
    ).toEqual(['post.current.url', 'post.current.title']);
    expect(fieldsOf(() => normalizeGhostPost({ post: { current: {}, previous: {} } }))).toEqual([
      'post.previous.id',
    ]);
    expect(fieldsOf(() => normalizeGhostPost({ posts: [] }))).toEqual(['post']);
    expect(fieldsOf(() => normalizeGhostPost(withCurrent({ updated_at: null })))).toEqual([
      'post.current.updated_at',
    ]);
  });
});

describe('X-Ghost-Signature', () => {
  const body = Buffer.from(JSON.stringify(fixture()));
  const t = now.getTime();

  it('signs as Ghost does: hex HMAC-SHA256 of the body followed by t, in milliseconds', () => {
    const expected = createHmac('sha256', secret).update(`${body.toString()}${t}`).digest('hex');
    expect(signGhostWebhook(secret, body, t)).toBe(`sha256=${expected}, t=${t}`);
  });

  it('accepts a signed body, and gives a retry with the same header the same delivery id', () => {
    const header = { 'x-ghost-signature': signGhostWebhook(secret, body, t) };
    const first = verifyGhostSignature(secret, header, body, now);
    const retry = verifyGhostSignature(secret, header, body, now);
    const later = verifyGhostSignature(
      secret,
      { 'x-ghost-signature': signGhostWebhook(secret, body, t + 1) },
      body,
      now,
    );
    expect(first).toEqual(retry);
    expect(first.deliveryId).toMatch(/^[0-9a-f]{64}$/);
    expect(later.deliveryId).not.toBe(first.deliveryId);
  });

  it.each([
    ['no header', {}],
    ['another secret', { 'x-ghost-signature': signGhostWebhook('e'.repeat(64), body, t) }],
    ['no t', { 'x-ghost-signature': signGhostWebhook(secret, body, t).split(',')[0] }],
    ['a garbled header', { 'x-ghost-signature': 'sha256=zz, t=now' }],
    [
      'a t other than the signed one',
      { 'x-ghost-signature': signGhostWebhook(secret, body, t).replace(`t=${t}`, `t=${t - 1}`) },
    ],
  ])('refuses %s', (_, headers) => {
    expect(() => verifyGhostSignature(secret, headers, body, now)).toThrow(UnauthorizedError);
  });

  it.each([
    ['a leading zero', `0${t}`],
    ['a plus sign', `+${t}`],
    ['a blank before it', ` ${t}`],
    ['a fraction', `${t}.0`],
    ['an exponent', `${t / 1000}e3`],
  ])('refuses a t with %s, even signed over that exact text', (_, text) => {
    const mac = createHmac('sha256', secret).update(body).update(text).digest('hex');
    const header = { 'x-ghost-signature': `sha256=${mac}, t=${text}` };
    expect(() => verifyGhostSignature(secret, header, body, now)).toThrow(UnauthorizedError);
  });

  it.each([
    [
      'upper-case hex',
      (h: string) => h.replace(/sha256=([0-9a-f]+)/, (_, x: string) => `sha256=${x.toUpperCase()}`),
    ],
    ['blanks around the header', (h: string) => ` ${h} `],
    ['no blank after the comma', (h: string) => h.replace(', t=', ',t=')],
    ['a second t', (h: string) => `${h}, t=${t}`],
  ])('refuses a header spelled with %s', (_, respell) => {
    const header = { 'x-ghost-signature': respell(signGhostWebhook(secret, body, t)) };
    expect(() => verifyGhostSignature(secret, header, body, now)).toThrow(UnauthorizedError);
  });

  it('refuses a tampered body', () => {
    const header = { 'x-ghost-signature': signGhostWebhook(secret, body, t) };
    const tampered = Buffer.from(body.toString().replace('Bolivia', 'Bolivla'));
    expect(() => verifyGhostSignature(secret, header, tampered, now)).toThrow(UnauthorizedError);
  });

  it('refuses a signature more than five minutes old, or ahead, and takes one just inside', () => {
    for (const skew of [-300_001, 300_001]) {
      const header = { 'x-ghost-signature': signGhostWebhook(secret, body, t + skew) };
      expect(() => verifyGhostSignature(secret, header, body, now)).toThrow(/tolerance/);
    }
    const inside = { 'x-ghost-signature': signGhostWebhook(secret, body, t - 299_000) };
    expect(() => verifyGhostSignature(secret, inside, body, now)).not.toThrow();
  });

  it('checks the size before the signature, and the signature before the content', () => {
    const huge = Buffer.alloc(1024 * 1024 + 1, 32);
    expect(() => readGhostWebhook(secret, {}, huge, now)).toThrow(PayloadTooLargeError);
    const junk = Buffer.from('{"not": "ghost"}');
    expect(() => readGhostWebhook(secret, {}, junk, now)).toThrow(UnauthorizedError);
    const signed = { 'x-ghost-signature': signGhostWebhook(secret, junk, t) };
    expect(() => readGhostWebhook(secret, signed, junk, now)).toThrow(ValidationError);
  });
});
