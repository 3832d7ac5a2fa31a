import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { ValidationError } from '../../../shared/domain/errors';

const fixture = () =>
  JSON.parse(readFileSync('tests/fixtures/webhooks/generic-article.json', 'utf8')) as Record<
    string,
    unknown
  >;

function issuesOf(payload: unknown) {
  try {
    parseGenericArticle(payload);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => i.field);
    throw error;
  }
  return [];
}

describe('generic article schema', () => {
  it('reads the sample article with its defaults', () => {
    const article = parseGenericArticle(fixture());
    expect(article).toMatchObject({
      source: 'generic',
      sourceId: 'lv-2019-11-12-trump-bolivia',
      title: 'Trump Declares Support for Coup in Bolivia',
      section: 'Latin America',
      revision: 1,
      priority: 'normal',
      status: 'published',
      publishedAt: '2019-11-12T15:30:00.000Z',
      authors: [{ name: 'Ana Rivera', handles: {} }],
    });
    expect(article.summary).toContain('coup d’état');
  });

  it('names every missing required field', () => {
    expect(issuesOf({})).toEqual(['id', 'url', 'title', 'publishedAt']);
  });

  it('names the failing nested field', () => {
    expect(issuesOf({ ...fixture(), authors: [{ name: 'A' }, { handles: {} }] })).toEqual([
      'authors.1.name',
    ]);
  });

  it.each([
    ['url', { url: 'javascript:alert(1)' }],
    ['url', { url: '/relative/path' }],
    ['imageUrl', { imageUrl: 'file:///etc/passwd' }],
    ['publishedAt', { publishedAt: '12 November 2019' }],
    ['shareAt', { shareAt: '2019-11-12T15:30:00' }],
    ['revision', { revision: 0 }],
    ['revision', { revision: 1.5 }],
    ['priority', { priority: 'urgent' }],
    ['status', { status: 'draft' }],
    ['tags', { tags: 'Bolivia' }],
    ['language', { language: 'English!' }],
    ['title', { title: '   ' }],
  ])('refuses a bad %s', (field, patch) => {
    expect(issuesOf({ ...fixture(), ...patch })).toEqual([field]);
  });

  it('ignores unknown fields', () => {
    const article = parseGenericArticle({ ...fixture(), wordCount: 900, extra: { a: 1 } });
    expect(article).not.toHaveProperty('wordCount');
  });

  it('decodes entities, drops tags and folds whitespace in text fields', () => {
    const article = parseGenericArticle({
      ...fixture(),
      title: '  AT&amp;T &#8220;wins&#8221;\n\tbid&nbsp;',
      summary: '<p>Coup d&#8217;état in <b>Bolivia</b></p>',
    });
    expect(article.title).toBe('AT&T “wins” bid');
    expect(article.summary).toBe('Coup d’état in Bolivia');
  });

  it('keeps tags once, whatever their case, and turns a numeric id into a string', () => {
    const article = parseGenericArticle({
      ...fixture(),
      id: 41872,
      tags: ['Bolivia', 'bolivia', 'Coup'],
    });
    expect(article.sourceId).toBe('41872');
    expect(article.tags).toEqual(['Bolivia', 'Coup']);
  });

  it('normalizes instants to UTC', () => {
    const article = parseGenericArticle({
      ...fixture(),
      publishedAt: '2019-11-12T10:30:00-05:00',
      shareAt: '2019-11-12T17:00:00+01:00',
    });
    expect(article.publishedAt).toBe('2019-11-12T15:30:00.000Z');
    expect(article.shareAt).toBe('2019-11-12T16:00:00.000Z');
  });
});
