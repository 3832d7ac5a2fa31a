/** Pages encoded here in windows-1251 and Shift_JIS, declared in the page or in the response. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { charsetOf, decodeHtml, pickCharset } from '../../../shared/preview/charset';
import { extractCard } from '../../../shared/preview/extract';

const dir = join(import.meta.dirname, '../../fixtures/pages-encoded');
const page = (name: string) => readFileSync(join(dir, name));
const expected: Record<'ru' | 'ja', { title: string; description: string }> = JSON.parse(
  readFileSync(join(dir, 'expected.json'), 'utf8'),
);

describe('extractCard on pages in other encodings', () => {
  const cases: [
    file: string,
    contentType: string | undefined,
    lang: 'ru' | 'ja',
    source: string,
  ][] = [
    ['windows-1251-meta.html', 'text/html', 'ru', 'meta'],
    ['windows-1251-meta.html', undefined, 'ru', 'meta'],
    ['windows-1251-http-equiv.html', 'text/html', 'ru', 'meta'],
    ['windows-1251-undeclared.html', 'text/html; charset=windows-1251', 'ru', 'content-type'],
    ['windows-1251-undeclared.html', 'text/html; charset="cp1251"', 'ru', 'content-type'],
    ['shift_jis-meta.html', 'text/html', 'ja', 'meta'],
    ['shift_jis-undeclared.html', 'text/html; charset=Shift_JIS', 'ja', 'content-type'],
    ['shift_jis-undeclared.html', 'text/html;charset=sjis', 'ja', 'content-type'],
    // a UTF-8 byte order mark outranks the page's (wrong) Shift_JIS declaration
    ['utf-8-bom.html', 'text/html', 'ja', 'bom'],
    ['utf-8-bom.html', 'text/html; charset=windows-1251', 'ja', 'bom'],
  ];

  it.each(cases)('reads %s (content-type %s) right', (file, contentType, lang, source) => {
    const bytes = page(file);
    expect(pickCharset(bytes, contentType).source).toBe(source);
    const card = extractCard(bytes, 'https://news.example/story', contentType);
    expect(card.title).toBe(expected[lang].title);
    expect(card.description).toBe(expected[lang].description);
  });

  it('keeps Shift_JIS characters whose second byte is a backslash (表, ソ)', () => {
    const card = extractCard(page('shift_jis-meta.html'), 'https://news.example.jp/a');
    expect(card.title).toContain('ソフトウェア開発表彰');
    expect(card.siteName).toBe('東京ニュース');
    expect(card.language).toBe('ja');
  });

  it('resolves the relative og:image and reads the rest of a Cyrillic page', () => {
    const card = extractCard(
      page('windows-1251-meta.html'),
      'https://news.example.ru/politics/2024/11/21/budget/',
    );
    expect(card.image).toBe('https://news.example.ru/images/2024/duma-budget.jpg');
    expect(card.siteName).toBe('Новости Москвы');
    expect(card.publishedAt).toBe('2024-11-21T11:05:00.000Z');
    expect(card.language).toBe('ru');
  });

  it('decodes the same bytes wrongly when told the wrong charset (the response header wins)', () => {
    const card = extractCard(
      page('windows-1251-meta.html'),
      'https://news.example.ru/a',
      'text/html; charset=utf-8',
    );
    expect(card.title).not.toBe(expected.ru.title);
  });

  it('reads a page re-encoded as UTF-8 under its old Shift_JIS or windows-1251 declaration as UTF-8', () => {
    const japanese = Buffer.from(
      `<meta charset="shift_jis"><title>${expected.ja.title}</title>`,
      'utf8',
    );
    expect(pickCharset(japanese)).toEqual({ charset: 'utf-8', source: 'utf-8-text' });
    expect(extractCard(japanese, 'https://news.example.jp/a').title).toBe(expected.ja.title);
    const russian = Buffer.from(
      `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><title>${expected.ru.title}</title>`,
      'utf8',
    );
    expect(extractCard(russian, 'https://news.example.ru/a').title).toBe(expected.ru.title);
    // an ASCII-only page proves nothing, and a response header is still obeyed
    expect(pickCharset(Buffer.from('<meta charset="shift_jis"><p>x</p>')).charset).toBe(
      'shift_jis',
    );
    expect(pickCharset(japanese, 'text/html; charset=Shift_JIS').charset).toBe('shift_jis');
  });

  it('reads a page with no declaration at all as UTF-8', () => {
    const bytes = Buffer.from('<title>Ça marche — très bien</title>', 'utf8');
    expect(decodeHtml(bytes).source).toBe('default');
    expect(extractCard(bytes, 'https://example.org/').title).toBe('Ça marche — très bien');
  });
});

describe('charset detection', () => {
  it('reads the charset parameter of a content-type', () => {
    expect(charsetOf('text/html; charset=ISO-8859-1')).toBe('ISO-8859-1');
    expect(charsetOf('text/html;charset="utf-8"')).toBe('utf-8');
    expect(charsetOf('text/html')).toBeUndefined();
    expect(charsetOf(undefined)).toBeUndefined();
  });

  it('skips a label no decoder knows and falls back to the page or UTF-8', () => {
    expect(pickCharset(page('windows-1251-meta.html'), 'text/html; charset=x-nonsense')).toEqual({
      charset: 'windows-1251',
      source: 'meta',
    });
    expect(pickCharset(Buffer.from('<p>x</p>'), 'text/html; charset=x-nonsense')).toEqual({
      charset: 'utf-8',
      source: 'default',
    });
  });

  it('treats a page claiming UTF-16 from inside as UTF-8, and latin1 as windows-1252', () => {
    expect(pickCharset(Buffer.from('<meta charset="utf-16">')).charset).toBe('utf-8');
    expect(pickCharset(Buffer.from('<meta charset="iso-8859-1">')).charset).toBe('windows-1252');
  });

  it('ignores a declaration inside a comment', () => {
    const bytes = Buffer.from('<!-- <meta charset="windows-1251"> --><meta charset="utf-8">');
    expect(pickCharset(bytes).charset).toBe('utf-8');
  });

  it('decodes UTF-16 pages marked by their byte order mark', () => {
    const text = '<title>Привет, 世界</title>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(extractCard(le, 'https://example.org/').title).toBe('Привет, 世界');
  });
});
