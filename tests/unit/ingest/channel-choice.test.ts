/**
 * An article's own choice of channels as each source carries it (docs/api.md, "Choosing
 * channels per article"): the generic payload's `channels` field, and the
 * `crier-only-<id>` / `crier-skip-<id>` tags of WordPress and Ghost, which are never
 * the section, tags or hashtags.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { ValidationError } from '../../../shared/domain/errors';
import { readGenericWebhook } from '../../../shared/ingest/generic';
import { normalizeGhostPost } from '../../../shared/ingest/ghost';
import { signStandardWebhook } from '../../../shared/ingest/standard-webhooks';
import { normalizeWordPressPost } from '../../../shared/ingest/wordpress';
import { pickHashtags } from '../../../shared/platforms/compose/hashtags';
import { channelOf } from '../../support/in-memory/fixtures';

type Post = Record<string, unknown>;

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const genericPayload = (): Post => read('tests/fixtures/webhooks/generic-article.json');

describe('the generic payload', () => {
  it('carries no choice by default', () => {
    expect(parseGenericArticle(genericPayload()).channels).toBeUndefined();
  });

  it('takes channels.only and channels.skip, trimmed, in lower case, without duplicates', () => {
    const article = parseGenericArticle({
      ...genericPayload(),
      channels: { only: [' X-Desk ', 'x-desk', 'masto-desk'], skip: ['tg-news'] },
    });
    expect(article.channels).toEqual({ only: ['x-desk', 'masto-desk'], skip: ['tg-news'] });
  });

  it('takes either list alone', () => {
    expect(
      parseGenericArticle({ ...genericPayload(), channels: { skip: ['fb-page'] } }).channels,
    ).toEqual({ skip: ['fb-page'] });
    expect(
      parseGenericArticle({ ...genericPayload(), channels: { only: ['fb-page'] } }).channels,
    ).toEqual({ only: ['fb-page'] });
  });

  it('takes ids no channel has without complaint: they are ignored when composing', () => {
    const article = parseGenericArticle({
      ...genericPayload(),
      channels: { only: ['no-such-channel', 'Not An Id!'] },
    });
    expect(article.channels).toEqual({ only: ['no-such-channel', 'not an id!'] });
  });

  it('reads empty lists, or an empty object, as no choice; unknown fields are ignored', () => {
    for (const channels of [{}, { only: [] }, { only: [], skip: [] }, { unknown: ['x'] }]) {
      expect(parseGenericArticle({ ...genericPayload(), channels }).channels).toBeUndefined();
    }
  });

  it('refuses a choice that is not lists of ids, naming the field', () => {
    for (const channels of [
      ['x-desk'],
      'x-desk',
      { only: 'x-desk' },
      { skip: [''] },
      { only: [1] },
    ]) {
      try {
        parseGenericArticle({ ...genericPayload(), channels });
        throw new Error(`accepted ${JSON.stringify(channels)}`);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        expect(error.issues.map((issue) => issue.field)[0]).toMatch(/^channels/);
      }
    }
  });

  it('arrives through the signed webhook', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const now = new Date('2026-11-28T12:00:00Z');
    const ts = Math.floor(now.getTime() / 1000);
    const body = Buffer.from(
      JSON.stringify({ ...genericPayload(), channels: { skip: ['x-desk'] } }),
    );
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': signStandardWebhook(secret, 'msg_1', ts, body),
    };
    expect(readGenericWebhook(secret, headers, body, now).article.channels).toEqual({
      skip: ['x-desk'],
    });
  });
});

describe('WordPress tags and categories', () => {
  const post = (terms: Post[][]): Post => {
    const payload = read('tests/fixtures/webhooks/wordpress-post.json');
    payload._embedded['wp:term'] = terms;
    return payload;
  };
  const articleOf = (payload: Post) => {
    const change = normalizeWordPressPost(payload);
    if (!('article' in change)) throw new Error('expected an article');
    return change.article;
  };
  const term = (slug: string, taxonomy: 'category' | 'post_tag', name = slug) => ({
    id: slug.length,
    name,
    slug,
    taxonomy,
  });

  it('carry no choice in the sample post', () => {
    expect(articleOf(read('tests/fixtures/webhooks/wordpress-post.json')).channels).toBeUndefined();
  });

  it('choose channels by crier-only- and crier-skip- slugs, and are not tags', () => {
    const article = articleOf(
      post([
        [term('latin-america', 'category', 'Latin America')],
        [
          term('bolivia', 'post_tag', 'Bolivia'),
          term('crier-only-x-desk', 'post_tag', 'Crier only X desk'),
          term('crier-skip-tg-news', 'post_tag'),
        ],
      ]),
    );
    expect(article.channels).toEqual({ only: ['x-desk'], skip: ['tg-news'] });
    expect(article.section).toBe('Latin America');
    expect(article.tags).toEqual(['Bolivia']);
  });

  it('read a category as well, which is then never the section', () => {
    const article = articleOf(
      post([
        [term('crier-skip-fb-page', 'category'), term('world', 'category', 'World')],
        [term('bolivia', 'post_tag', 'Bolivia')],
      ]),
    );
    expect(article.channels).toEqual({ skip: ['fb-page'] });
    expect(article.section).toBe('World');
    expect(article.tags).toEqual(['Bolivia']);
  });

  it('never become hashtags', () => {
    const article = articleOf(
      post([[term('crier-only-x-desk', 'category')], [term('crier-skip-tg', 'post_tag')]]),
    );
    expect(article.section).toBeUndefined();
    expect(article.tags).toEqual([]);
    // the sample's own terms give hashtags; the crier- ones do not
    const sample = articleOf(
      post([
        [term('latin-america', 'category', 'Latin America'), term('crier-only-x-desk', 'category')],
        [term('bolivia', 'post_tag', 'Bolivia'), term('crier-skip-tg', 'post_tag')],
      ]),
    );
    const channel = channelOf({ id: 'x-desk', platform: 'x', hashtags: { max: 10 } });
    const picked = pickHashtags(sample, channel.hashtags, { maxGraphemes: 100, present: [] });
    expect(picked).toEqual(['LatinAmerica', 'Bolivia']);
  });

  it('leave other taxonomies alone', () => {
    const article = articleOf(
      post([
        [term('world', 'category', 'World')],
        [{ ...term('crier-only-x-desk', 'post_tag'), taxonomy: 'post_format' }],
      ]),
    );
    expect(article.channels).toBeUndefined();
  });
});

describe('Ghost tags', () => {
  const fixture = () => read('tests/fixtures/webhooks/ghost-post-published.json');
  const withTags = (tags: Post[], primary?: Post) => {
    const payload = fixture();
    payload.post.current = {
      ...payload.post.current,
      tags,
      primary_tag: primary ?? tags[0] ?? null,
    };
    return payload;
  };
  const articleOf = (payload: unknown) => {
    const change = normalizeGhostPost(payload);
    if (!('article' in change)) throw new Error('expected an article');
    return change.article;
  };
  const tag = (name: string, slug: string, visibility = 'public') => ({ name, slug, visibility });
  const latinAmerica = tag('Latin America', 'latin-america');

  it('carry no choice in the sample post, whose internal #newsletter is not one', () => {
    expect(articleOf(fixture()).channels).toBeUndefined();
  });

  it('choose channels by internal #crier-only- and #crier-skip- tags', () => {
    const article = articleOf(
      withTags([
        latinAmerica,
        tag('#crier-only-x-desk', 'hash-crier-only-x-desk', 'internal'),
        tag('#crier-skip-masto-desk', 'hash-crier-skip-masto-desk', 'internal'),
        tag('#breaking', 'hash-breaking', 'internal'),
      ]),
    );
    expect(article.channels).toEqual({ only: ['x-desk'], skip: ['masto-desk'] });
    expect(article.priority).toBe('breaking');
    expect(article.section).toBe('Latin America');
    expect(article.tags).toEqual(['Latin America']);
  });

  it('choose channels by public crier- tags too, which are then neither section nor tags', () => {
    const skip = tag('crier-skip-tg-news', 'crier-skip-tg-news');
    const article = articleOf(withTags([skip, latinAmerica, tag('Bolivia', 'bolivia')], skip));
    expect(article.channels).toEqual({ skip: ['tg-news'] });
    expect(article.section).toBe('Latin America');
    expect(article.tags).toEqual(['Latin America', 'Bolivia']);
  });

  it('read a tag by its name where Ghost sends no slug', () => {
    const article = articleOf(
      withTags([latinAmerica, { name: '#crier-only-x-desk', visibility: 'internal' }]),
    );
    expect(article.channels).toEqual({ only: ['x-desk'] });
  });

  it('never become hashtags', () => {
    const article = articleOf(withTags([tag('crier-only-x-desk', 'crier-only-x-desk')]));
    expect(article.section).toBeUndefined();
    expect(article.tags).toEqual([]);
    expect(article.channels).toEqual({ only: ['x-desk'] });
  });
});
