import { describe, expect, it } from 'vitest';
import {
  renderTemplate,
  stripInvisible,
  type TemplateValues,
  templateFields,
} from '../../../shared/platforms/compose/template';

const values = (overrides: Partial<TemplateValues> = {}): TemplateValues => ({
  title: 'Trump Declares Support for Coup in Bolivia',
  summary: 'Hands off Bolivia!',
  url: 'https://example.org/a',
  section: 'Latin America',
  authors: 'Ana Rivera and Bo Li',
  handles: '@ana and Bo Li',
  hashtags: '#Bolivia',
  imageCredit: 'EFE/Justin Lane',
  site: 'Left Voice',
  author: 'Ana Rivera',
  ...overrides,
});

describe('renderTemplate', () => {
  it('replaces every placeholder with its value', () => {
    expect(
      renderTemplate(
        '{section}: {title}\n{summary}\nBy {authors} ({handles}) {hashtags}\nPhoto: {imageCredit}\n{url}',
        values(),
      ),
    ).toBe(
      'Latin America: Trump Declares Support for Coup in Bolivia\nHands off Bolivia!\n' +
        'By Ana Rivera and Bo Li (@ana and Bo Li) #Bolivia\nPhoto: EFE/Justin Lane\nhttps://example.org/a',
    );
  });

  it('fills {site} with the site name and {author} with the first author', () => {
    expect(renderTemplate('{title} ({author}, {site})\n{url}', values())).toBe(
      'Trump Declares Support for Coup in Bolivia (Ana Rivera, Left Voice)\nhttps://example.org/a',
    );
  });

  it('drops a line whose placeholders are all empty and folds the blank lines around it', () => {
    expect(renderTemplate('{title}\n\n{summary}\n\n{url}', values({ summary: '' }))).toBe(
      'Trump Declares Support for Coup in Bolivia\n\nhttps://example.org/a',
    );
    expect(
      renderTemplate('{title}\n{summary} {hashtags}\n{url}', values({ summary: '', hashtags: '' })),
    ).toBe('Trump Declares Support for Coup in Bolivia\nhttps://example.org/a');
  });

  it('keeps a line that has other text even when its placeholder is empty', () => {
    expect(renderTemplate('{title}\nRead more: {url}', values({ url: '' }))).toBe(
      'Trump Declares Support for Coup in Bolivia\nRead more:',
    );
    expect(renderTemplate('{title}\nPhoto by {imageCredit}', values({ imageCredit: '' }))).toBe(
      'Trump Declares Support for Coup in Bolivia\nPhoto by',
    );
  });

  it('drops a line left with only the label of its empty placeholders', () => {
    for (const line of ['Photo: {imageCredit}', '📷 {imageCredit}', '({imageCredit})']) {
      expect(renderTemplate(`{title}\n${line}\n{url}`, values({ imageCredit: '' })), line).toBe(
        'Trump Declares Support for Coup in Bolivia\nhttps://example.org/a',
      );
    }
    expect(renderTemplate('{title}\n📷 {imageCredit}', values())).toBe(
      'Trump Declares Support for Coup in Bolivia\n📷 EFE/Justin Lane',
    );
  });

  it('folds the spaces an empty placeholder leaves inside a line', () => {
    expect(renderTemplate('{title} {hashtags} {url}', values({ hashtags: '' }))).toBe(
      'Trump Declares Support for Coup in Bolivia https://example.org/a',
    );
    expect(renderTemplate('{hashtags} {title}', values({ hashtags: '' }))).toBe(
      'Trump Declares Support for Coup in Bolivia',
    );
  });

  it('folds runs of blank lines to one and trims the post', () => {
    expect(renderTemplate('\n\n  {title}\n\n\n\n{url}  \n\n', values())).toBe(
      'Trump Declares Support for Coup in Bolivia\n\nhttps://example.org/a',
    );
  });

  it('accepts Windows line ends in the template', () => {
    expect(renderTemplate('{title}\r\n\r\n{url}', values())).toBe(
      'Trump Declares Support for Coup in Bolivia\n\nhttps://example.org/a',
    );
  });

  it('returns NFC text even when the template literal is decomposed', () => {
    const text = renderTemplate('Cafe\u0301 {url}', values());
    expect(text).toBe('Café https://example.org/a');
    expect(text).toBe(text.normalize('NFC'));
  });

  it('copies text with ampersands, quotes and angle brackets verbatim, never escaped', () => {
    expect(renderTemplate('{title} <{url}>', values({ title: 'AT&T’s “deal” & <b>' }))).toBe(
      'AT&T’s “deal” & <b> <https://example.org/a>',
    );
  });

  it('leaves braces that are not a placeholder as they are', () => {
    expect(renderTemplate('{{title}} }{', values({ title: 'T' }))).toBe('{T} }{');
  });

  it('removes control characters and byte-order marks that networks reject', () => {
    expect(stripInvisible('a\u0007b\ufeffc\u0000d\te\nf')).toBe('abcd\te\nf');
    expect(renderTemplate('{title}', values({ title: 'Bell\u0007 \ufeffRings' }))).toBe(
      'Bell Rings',
    );
  });
});

describe('templateFields', () => {
  it('lists the placeholders a template uses', () => {
    expect([...templateFields('{title} {url} {url} {hashtags}')].sort()).toEqual([
      'hashtags',
      'title',
      'url',
    ]);
  });
});
