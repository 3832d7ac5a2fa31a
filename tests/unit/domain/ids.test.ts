/** Article ids: one per site, source and source id, the default site's as they always were. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ARTICLE_ID_PATTERN, articleIdFor } from '../../../shared/domain/ids';

describe('articleIdFor', () => {
  it("keeps the default site's ids as they were before there were sites", () => {
    const before = createHash('sha256').update('wordpress\u000041872').digest('hex').slice(0, 32);
    expect(articleIdFor('wordpress', '41872')).toBe(before);
    expect(articleIdFor('wordpress', '41872', 'default')).toBe(before);
  });

  it("gives another site's post with the same id an id of its own", () => {
    const sport = articleIdFor('wordpress', '41872', 'sport');
    expect(sport).toMatch(ARTICLE_ID_PATTERN);
    expect(sport).not.toBe(articleIdFor('wordpress', '41872'));
    expect(sport).not.toBe(articleIdFor('wordpress', '41872', 'culture'));
    expect(articleIdFor('wordpress', '41872', 'sport')).toBe(sport);
  });
});
