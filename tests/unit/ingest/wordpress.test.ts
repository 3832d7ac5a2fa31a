import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import {
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from '../../../shared/domain/errors';
import { signStandardWebhook } from '../../../shared/ingest/standard-webhooks';
import { normalizeWordPressPost, readWordPressWebhook } from '../../../shared/ingest/wordpress';

type Post = Record<string, unknown>;

const fixture = (): Post =>
  JSON.parse(readFileSync('tests/fixtures/webhooks/wordpress-post.json', 'utf8'));
const generic = () =>
  parseGenericArticle(
    JSON.parse(readFileSync('tests/fixtures/webhooks/generic-article.json', 'utf8')),
  );

const articleOf = (payload: unknown) => {
  const change = normalizeWordPressPost(payload);
  if (!('article' in change)) throw new Error('expected an article');
  return change.article;
};

function fieldsOf(payload: unknown): string[] {
  try {
    normalizeWordPressPost(payload);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => issue.field);
    throw error;
  }
  throw new Error('no ValidationError');
}

describe('WordPress post normalizer', () => {
  it('maps the embedded sample post to the article the generic sample describes', () => {
    const article = articleOf(fixture());
    const expected = generic();
    expect(article).toEqual({
      ...expected,
      source: 'wordpress',
      sourceId: '41872',
      // The terms WordPress embeds: the first category is the section, the tags follow.
      tags: ['Bolivia', 'Evo Morales'],
      // Yoast's og_locale, as a language tag.
      language: 'en-US',
      revision: Date.parse('2019-11-12T15:30:00Z'),
    });
    expect(article.summary).toBe(expected.summary);
  });

  it('decodes the entities WordPress renders into titles, excerpts and terms', () => {
    const post = fixture();
    post.title = { rendered: 'Bolivia&#8217;s &#8220;interim&#8221; government &amp; the OAS' };
    post.excerpt = {
      rendered:
        '<p>The coup d&#8217;&eacute;tat &#8211; and what follows <a class="more-link" href="https://x.example/">Continue reading<span class="screen-reader-text"> Bolivia</span></a></p>\n',
    };
    const embedded = post._embedded as { 'wp:term': { name: string }[][] };
    const [categories] = embedded['wp:term'];
    if (categories?.[0]) categories[0].name = 'News &amp; Politics';
    expect(articleOf(post)).toMatchObject({
      title: 'Bolivia’s “interim” government & the OAS',
      summary: 'The coup d’état – and what follows',
      section: 'News & Politics',
    });
  });

  it('ends a generated excerpt that WordPress cut with […] on an ellipsis', () => {
    const post = {
      ...fixture(),
      excerpt: { rendered: '<p>Donald Trump welcomes the coup [&hellip;]</p>\n' },
    };
    expect(articleOf(post).summary).toBe('Donald Trump welcomes the coup…');
  });

  it('works from the bare post object, without _embed: Yoast fills the image and author', () => {
    const { _embedded, ...bare } = fixture();
    expect(_embedded).toBeDefined();
    expect(articleOf(bare)).toMatchObject({
      imageUrl: 'https://www.leftvoice.org/wp-content/uploads/2019/11/trump-bolivia-efe.jpg',
      imageAlt: undefined,
      authors: [{ name: 'Ana Rivera', handles: {} }],
      section: undefined,
      tags: [],
    });
  });

  it('leaves the image out when the post has none, and skips embedded error objects', () => {
    const { yoast_head_json: _, ...post } = fixture();
    post._embedded = {
      author: [
        { code: 'rest_user_invalid_id', message: 'Invalid user ID.', data: { status: 404 } },
      ],
      'wp:featuredmedia': [{ code: 'rest_forbidden', message: 'Sorry.', data: { status: 401 } }],
    };
    expect(articleOf(post)).toMatchObject({ imageUrl: undefined, authors: [] });
  });

  it('reads a breaking or evergreen category or tag as the priority, and ignores sticky', () => {
    const post = fixture();
    const embedded = post._embedded as { 'wp:term': unknown[][] };
    embedded['wp:term'][1]?.push({
      id: 9,
      name: 'Breaking',
      slug: 'breaking',
      taxonomy: 'post_tag',
    });
    expect(articleOf(post).priority).toBe('breaking');
    expect(articleOf({ ...fixture(), sticky: true }).priority).toBe('normal');
  });

  it('prefers the language a translation plugin gives the post', () => {
    expect(articleOf({ ...fixture(), lang: 'es' }).language).toBe('es');
    expect(articleOf({ ...fixture(), lang: 'not a language!' }).language).toBe('en-US');
  });

  it('takes a later modified_gmt as a higher revision', () => {
    const first = articleOf(fixture());
    const edited = articleOf({ ...fixture(), modified_gmt: '2019-11-12T15:45:10' });
    expect(edited.revision - first.revision).toBe(15 * 60_000 + 10_000);
  });

  it.each([
    ['trash', 'deleted'],
    ['draft', 'unpublished'],
    ['pending', 'unpublished'],
    ['private', 'unpublished'],
    ['future', 'unpublished'],
  ])('withdraws a %s post as %s', (status, withdrawn) => {
    expect(
      normalizeWordPressPost({ ...fixture(), status, modified_gmt: '2019-11-13T08:00:00' }),
    ).toEqual({
      withdrawal: {
        source: 'wordpress',
        sourceId: '41872',
        revision: Date.parse('2019-11-13T08:00:00Z'),
        status: withdrawn,
      },
    });
  });

  it('names the failing fields as WordPress calls them', () => {
    expect(fieldsOf({ ...fixture(), link: 'ftp://x', title: { rendered: ' ' } })).toEqual([
      'link',
      'title.rendered',
    ]);
    expect(fieldsOf({ ...fixture(), modified_gmt: 'yesterday', id: 'abc' })).toEqual([
      'id',
      'modified_gmt',
    ]);
    expect(fieldsOf([])).toEqual(['(body)']);
  });
});

describe('the WordPress webhook', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const now = new Date('2026-11-28T12:00:00Z');
  const ts = Math.floor(now.getTime() / 1000);
  const signed = (body: Buffer) => ({
    'webhook-id': 'msg_wp_1',
    'webhook-timestamp': String(ts),
    'webhook-signature': signStandardWebhook(secret, 'msg_wp_1', ts, body),
  });

  it('is signed like the generic webhook and answers with the delivery id', () => {
    const body = Buffer.from(JSON.stringify(fixture()));
    expect(readWordPressWebhook(secret, signed(body), body, now)).toMatchObject({
      deliveryId: 'msg_wp_1',
      change: { article: { source: 'wordpress', sourceId: '41872' } },
    });
  });

  it.each([`0${ts}`, `+${ts}`, ` ${ts}`, `${ts}.5`, `${ts}e0`])(
    'refuses the timestamp %j, signed or not, where only digits without a leading zero pass',
    (text) => {
      const body = Buffer.from(JSON.stringify(fixture()));
      const sent = { ...signed(body), 'webhook-timestamp': text };
      expect(() => readWordPressWebhook(secret, sent, body, now)).toThrow(UnauthorizedError);
    },
  );

  it('checks the size before the signature, and the signature before the content', () => {
    const huge = Buffer.alloc(256 * 1024 + 1, 32);
    expect(() => readWordPressWebhook(secret, signed(huge), huge, now)).toThrow(
      PayloadTooLargeError,
    );
    const body = Buffer.from('{}');
    expect(() => readWordPressWebhook(secret, {}, body, now)).toThrow(UnauthorizedError);
    expect(() => readWordPressWebhook(secret, signed(body), body, now)).toThrow(ValidationError);
  });
});
