import { describe, expect, it } from 'vitest';
import { parseGenericArticle } from '../../../shared/domain/article-payload';
import type { ArticleRecord } from '../../../shared/domain/ports';
import { graphemeLength } from '../../../shared/domain/text';
import { withdrawnText } from '../../../shared/usecases/withdraw-post';

const record = (title: string): ArticleRecord => ({
  articleId: 'a'.repeat(32),
  article: parseGenericArticle({
    id: '7',
    url: 'https://example.org/a',
    title,
    publishedAt: '2026-11-28T12:00:00Z',
  }),
  receivedAt: '2026-11-28T12:00:00.000Z',
  updatedAt: '2026-11-28T12:00:00.000Z',
});
const LINK = 'https://example.org/a?utm_source=mastodon';
const site = {
  name: 'Desk News',
  brand: { background: '#111827', foreground: '#ffffff', accent: '#e11d48' },
};
const render = (template: string, title: string, withSite = false) =>
  withdrawnText(template, record(title), LINK, withSite ? site : undefined);

describe("a channel's withdrawnText", () => {
  it('fills in the title, the share URL and the site', () => {
    expect(render('{site} withdrew “{title}” ({url})', 'A headline', true)).toBe(
      'Desk News withdrew “A headline” (https://example.org/a?utm_source=mastodon)',
    );
  });

  it('cuts a long title to 200 characters, ending it with an ellipsis', () => {
    const text = render('{title}', `${'Bolivia '.repeat(40)}🇧🇴`);
    expect(graphemeLength(text)).toBe(200);
    expect(text.endsWith('…')).toBe(true);
  });

  it('drops a line whose only placeholder is empty (no site configured)', () => {
    expect(render('{site}\nWithdrawn: {title}', 'A headline')).toBe('Withdrawn: A headline');
  });
});
