import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import { isLanguageTag, primaryLanguage } from '../../../shared/domain/language';

describe('language tags', () => {
  it.each(['en', 'pt-BR', 'zh-Hant-TW', 'es-419', 'de-1996', 'sr-Latn-RS', 'en-US-u-ca-gregory'])(
    'takes %s, a well-formed BCP 47 tag',
    (tag) => {
      expect(isLanguageTag(tag)).toBe(true);
    },
  );

  it.each([
    'en-12', // a region is two letters or three digits
    'en_US',
    'english',
    'e',
    'x-private',
    'en--US',
    'en-a-bb-a-cc', // an extension repeated: the pattern takes it, Intl does not
    'en-',
    '',
  ])('refuses %j', (tag) => {
    expect(isLanguageTag(tag)).toBe(false);
  });

  it('gives the language subtag of a tag, lower case, and nothing for a malformed one', () => {
    expect(primaryLanguage('PT-br')).toBe('pt');
    expect(primaryLanguage('fil-PH')).toBe('fil');
    expect(primaryLanguage('en-12')).toBeUndefined();
  });

  it('refuses an article whose language is malformed, naming the field', () => {
    const article = {
      id: 'a1',
      url: 'https://example.org/a',
      title: 'T',
      publishedAt: '2024-05-01T10:00:00Z',
    };
    expect(() => parseGenericArticle({ ...article, language: 'en-12' })).toThrow(/language/);
    expect(parseGenericArticle({ ...article, language: ' pt-BR ' }).language).toBe('pt-BR');
  });
});
