/**
 * The CMS conventions for a correction, on the bundled WordPress and Ghost posts: the
 * plugin's `crier_correction` meta on WordPress, and on Ghost the internal tag
 * `#correction` with the note in a callout card, sent once with the revision that brings it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ArticleChange } from '../../../shared/domain/article';
import { ValidationError } from '../../../shared/domain/errors';
import { ghostCalloutNote, normalizeGhostPost } from '../../../shared/ingest/ghost';
import { normalizeWordPressPost } from '../../../shared/ingest/wordpress';

type Post = Record<string, unknown>;
const read = (file: string): unknown =>
  JSON.parse(readFileSync(`tests/fixtures/webhooks/${file}`, 'utf8'));

const NOTE =
  'An earlier version of this article gave the wrong date for the vote: it was October 20.';

function correctionOf(change: ArticleChange): string | undefined {
  if (!('article' in change)) throw new Error('withdrawn');
  return change.article.correction;
}

describe('WordPress: the crier_correction meta', () => {
  const post = (patch: Post): Post => ({ ...(read('wordpress-post.json') as Post), ...patch });

  it('is the correction note of the revision that carries it, trimmed', () => {
    const change = normalizeWordPressPost(post({ meta: { crier_correction: `  ${NOTE}\n` } }));
    expect(correctionOf(change)).toBe(NOTE);
  });

  it('is no correction when absent, empty, or when WordPress shows no meta (`[]`)', () => {
    expect(correctionOf(normalizeWordPressPost(read('wordpress-post.json')))).toBeUndefined();
    expect(correctionOf(normalizeWordPressPost(post({ meta: [] })))).toBeUndefined();
    expect(
      correctionOf(normalizeWordPressPost(post({ meta: { crier_correction: ' ' } }))),
    ).toBeUndefined();
    expect(
      correctionOf(normalizeWordPressPost(post({ meta: { footnotes: '', other: 1 } }))),
    ).toBeUndefined();
  });

  it('refuses a note over 1,000 characters with a 400 naming the meta field', () => {
    try {
      normalizeWordPressPost(post({ meta: { crier_correction: 'x'.repeat(1001) } }));
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      if (error instanceof ValidationError) {
        expect(error.issues.map((i) => i.field)).toEqual(['meta.crier_correction']);
      }
    }
  });
});

describe('Ghost: #correction and a callout card', () => {
  const CALLOUT = `<div class="kg-card kg-callout-card kg-callout-card-yellow"><div class="kg-callout-emoji">✏️</div><div class="kg-callout-text"><b>Correction:</b> ${NOTE.replace('October 20', '<a href="https://example.org/vote">October 20</a>')}</div></div>`;
  const SERIES = `<div class="kg-card kg-callout-card kg-callout-card-blue"><div class="kg-callout-emoji">💡</div><div class="kg-callout-text">This article is part of our Bolivia series.</div></div>`;
  const CORRECTION_TAG = {
    id: '5dcaf3e1c7a8d20001a4b2a9',
    name: '#correction',
    slug: 'hash-correction',
    visibility: 'internal',
  };

  /** The bundled post, published, then edited: `current` with `patch`, `previous` as given. */
  function edited(patch: Post, previous: Post): unknown {
    const payload = read('ghost-post-published.json') as { post: { current: Post } };
    const current = payload.post.current;
    return {
      post: {
        current: {
          ...current,
          updated_at: '2019-11-13T09:00:00.000Z',
          ...patch,
        },
        previous: { updated_at: '2019-11-12T15:30:00.000Z', ...previous },
      },
    };
  }
  const base = read('ghost-post-published.json') as { post: { current: Post } };
  const tags = base.post.current.tags as Post[];
  const html = String(base.post.current.html);

  it('takes the note from the callout card that opens with "Correction", as a reader reads it', () => {
    expect(ghostCalloutNote(`${SERIES}${html}${CALLOUT}`)).toBe(`Correction: ${NOTE}`);
    expect(ghostCalloutNote(`${SERIES}${html}`)).toBe(
      'This article is part of our Bolivia series.',
    );
    expect(ghostCalloutNote(html)).toBeUndefined();
  });

  it('is a correction when the edit adds the tag and the callout', () => {
    const change = normalizeGhostPost(
      edited({ tags: [...tags, CORRECTION_TAG], html: `${CALLOUT}${html}` }, { tags, html }),
    );
    expect(correctionOf(change)).toBe(`Correction: ${NOTE}`);
  });

  it('is a correction when the tag was there and the note changed', () => {
    const change = normalizeGhostPost(
      edited(
        { tags: [...tags, CORRECTION_TAG], html: `${CALLOUT}${html}` },
        { html: `${CALLOUT.replace('October 20', 'October 21')}${html}` },
      ),
    );
    expect(correctionOf(change)).toBe(`Correction: ${NOTE}`);
  });

  it('is not sent again by a later edit that changes neither the tag nor the note', () => {
    const later = edited(
      { tags: [...tags, CORRECTION_TAG], html: `${CALLOUT}${html}<p>More.</p>` },
      { html: `${CALLOUT}${html}` },
    );
    expect(correctionOf(normalizeGhostPost(later))).toBeUndefined();
    const titleOnly = edited(
      { tags: [...tags, CORRECTION_TAG], html: `${CALLOUT}${html}`, title: 'New headline' },
      { title: 'Old headline' },
    );
    expect(correctionOf(normalizeGhostPost(titleOnly))).toBeUndefined();
  });

  it('is no correction without the tag, without a callout, or on the first publication', () => {
    expect(
      correctionOf(normalizeGhostPost(edited({ html: `${CALLOUT}${html}` }, { html }))),
    ).toBeUndefined();
    expect(
      correctionOf(normalizeGhostPost(edited({ tags: [...tags, CORRECTION_TAG] }, { tags }))),
    ).toBeUndefined();
    const first = read('ghost-post-published.json') as { post: { current: Post } };
    first.post.current = {
      ...first.post.current,
      tags: [...tags, CORRECTION_TAG],
      html: `${CALLOUT}${html}`,
    };
    expect(correctionOf(normalizeGhostPost(first))).toBeUndefined();
  });

  it('keeps #correction out of the tags and the priority', () => {
    const change = normalizeGhostPost(
      edited({ tags: [...tags, CORRECTION_TAG], html: `${CALLOUT}${html}` }, { tags, html }),
    );
    if (!('article' in change)) throw new Error('withdrawn');
    expect(change.article.tags).not.toContain('#correction');
    expect(change.article.tags).not.toContain('correction');
    expect(change.article.priority).toBe('normal');
  });
});
