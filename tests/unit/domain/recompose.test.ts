import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recompose } from '../../../shared/domain/recompose';
import type { Share } from '../../../shared/domain/share';
import { SHARE_STATUSES, type ShareStatus } from '../../../shared/domain/share-state';

const now = new Date('2026-11-28T12:00:00.000Z');
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

/** A share of revision 1, due in 30 minutes (a delayed channel). */
const stored: Share = {
  articleId: 'a'.repeat(32),
  channelId: 'bluesky-desk',
  platform: 'bluesky',
  articleRevision: 1,
  status: 'scheduled',
  text: 'Old headline\n\nhttps://example.org/a',
  url: 'https://example.org/a',
  hashtags: ['Bolivia'],
  facets: [
    {
      index: { byteStart: 14, byteEnd: 35 },
      features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/a' }],
    },
  ],
  card: { url: 'https://example.org/a', title: 'Old headline' },
  length: { used: 36, limit: 300, unit: 'graphemes' },
  dueAt: later(30),
  attempt: 0,
  version: 4,
  idempotencyKey: '6f1c0f43-6a5c-4b8e-9f1e-2d7c7f0c9a11',
  createdAt: '2026-11-28T11:55:00.000Z',
  updatedAt: '2026-11-28T11:56:00.000Z',
  history: [{ at: '2026-11-28T11:55:00.000Z', event: 'compose', to: 'scheduled', by: 'crier' }],
};

/** What newShare makes of revision 2, with a new headline, a minute later than the first compose. */
const fresh: Share = {
  ...stored,
  articleRevision: 2,
  text: 'New headline\n\nhttps://example.org/a',
  card: { url: 'https://example.org/a', title: 'New headline' },
  facets: [
    {
      index: { byteStart: 14, byteEnd: 35 },
      features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://example.org/a' }],
    },
  ],
  version: 1,
  idempotencyKey: 'a0d7d7a8-0000-4000-8000-000000000000',
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  history: [{ at: now.toISOString(), event: 'compose', to: 'scheduled', by: 'crier' }],
};

function recomposed(share: Share, next: Share = fresh) {
  const result = recompose(share, next, now);
  if (!result) throw new Error('expected a recompose');
  return result;
}

describe('recomposing a share from a new revision', () => {
  it('writes the new text and card, stamped with the revision, and notes what changed', () => {
    const { share, changed, moved } = recomposed(stored);
    expect(share).toMatchObject({
      articleRevision: 2,
      status: 'scheduled',
      text: fresh.text,
      card: fresh.card,
      dueAt: stored.dueAt,
      version: 5,
      updatedAt: now.toISOString(),
      // what is the share's own stays: its keys and its first compose
      idempotencyKey: stored.idempotencyKey,
      createdAt: stored.createdAt,
    });
    expect(changed).toEqual(['text', 'card']);
    expect(moved).toBe(false);
    expect(share.history.at(-1)).toEqual({
      at: now.toISOString(),
      event: 'recompose',
      from: 'scheduled',
      to: 'scheduled',
      by: 'crier',
      reason: 'revision 2: new text, card',
    });
  });

  it("keeps an editor's text with its facets and length, takes the new card, and says so", () => {
    const edited: Share = {
      ...stored,
      text: 'Our own words https://example.org/a',
      edited: { text: '2026-11-28T11:58:00.000Z' },
    };
    const { share } = recomposed(edited);
    expect(share.text).toBe(edited.text);
    expect(share.facets).toEqual(edited.facets);
    expect(share.length).toEqual(edited.length);
    expect(share.card).toEqual(fresh.card);
    expect(share.edited).toEqual(edited.edited);
    expect(share.history.at(-1)?.reason).toBe("revision 2: new card; kept the editor's text");
  });

  it("keeps an editor's thread with the first post it follows, and says so", () => {
    const thread = ['The army asked him to go. 2/3', 'Washington welcomed it. 3/3'];
    const edited: Share = {
      ...stored,
      text: 'Old headline 1/3',
      thread,
      edited: { thread: '2026-11-28T11:58:00.000Z' },
    };
    const { share, changed } = recomposed(edited, { ...fresh, thread: ['A composed part 2/2'] });
    expect(share).toMatchObject({ articleRevision: 2, text: 'Old headline 1/3', thread });
    expect(share.card?.title).toBe('New headline');
    expect(changed).toEqual(['card']);
    expect(share.history.at(-1)?.reason).toBe(
      "revision 2: new card; kept the editor's text and thread",
    );
  });

  it("keeps an editor's dueAt when the new revision would move it", () => {
    const edited: Share = { ...stored, dueAt: later(90), edited: { dueAt: now.toISOString() } };
    const { share, moved } = recomposed(edited, { ...fresh, dueAt: later(240) });
    expect(share.dueAt).toBe(later(90));
    expect(moved).toBe(false);
    expect(share.history.at(-1)?.reason).toContain("kept the editor's time");
  });

  it('moves a scheduled share to the new dueAt (an embargo added), staying scheduled', () => {
    const { share, moved, changed } = recomposed(stored, { ...fresh, dueAt: later(240) });
    expect(share).toMatchObject({ status: 'scheduled', dueAt: later(240) });
    expect(moved).toBe(true);
    expect(changed).toContain('dueAt');
  });

  it('keeps a queued share queued with its lease when only the text changes', () => {
    const queued: Share = { ...stored, status: 'queued', dueAt: later(1), leaseUntil: later(3) };
    const { share } = recomposed(queued, { ...fresh, dueAt: later(1) });
    expect(share).toMatchObject({ status: 'queued', leaseUntil: later(3), text: fresh.text });
    expect(share.history.map((h) => h.event)).toEqual(['compose', 'recompose']);
  });

  it('sends a queued share back to scheduled when its dueAt moves, with one version bump', () => {
    const queued: Share = { ...stored, status: 'queued', dueAt: later(1), leaseUntil: later(3) };
    const { share, moved } = recomposed(queued, { ...fresh, dueAt: later(120) });
    expect(moved).toBe(true);
    expect(share).toMatchObject({ status: 'scheduled', dueAt: later(120), version: 5 });
    expect(share).not.toHaveProperty('leaseUntil');
    expect(share.history.slice(-2)).toMatchObject([
      { event: 'recompose', from: 'queued', to: 'queued' },
      { event: 'reschedule', from: 'queued', to: 'scheduled' },
    ]);
  });

  it('does not move an asap share composed again later: both times mean "now"', () => {
    const asap: Share = { ...stored, status: 'queued', dueAt: '2026-11-28T11:55:00.000Z' };
    const { share, moved } = recomposed(asap, { ...fresh, dueAt: now.toISOString() });
    expect(moved).toBe(false);
    expect(share).toMatchObject({ status: 'queued', dueAt: asap.dueAt });
  });

  it("drops a prepared container that holds the old text (a multi-step network's)", () => {
    const prepared: Share = { ...stored, platform: 'threads', preparedId: '1789' };
    expect(recomposed(prepared).share).not.toHaveProperty('preparedId');
    const unchanged = recomposed(prepared, { ...stored, articleRevision: 2 });
    expect(unchanged.share.preparedId).toBe('1789');
    expect(unchanged.changed).toEqual([]);
    expect(unchanged.share.history.at(-1)?.reason).toBe('revision 2: nothing to change');
  });

  it('keeps the post it has when the new revision cannot be composed, and says why', () => {
    const failed: Share = {
      ...fresh,
      status: 'draft',
      text: '',
      card: undefined,
      lastError: 'Could not compose: too long',
    };
    const { share } = recomposed(stored, failed);
    expect(share).toMatchObject({
      articleRevision: 2,
      status: 'scheduled',
      text: stored.text,
      card: stored.card,
      lastError: 'Could not compose: too long',
    });
    expect(share.history.at(-1)?.reason).toBe(
      "revision 2: could not recompose (Could not compose: too long); kept revision 1's post",
    );
  });

  it('clears a compose failure once a new revision composes', () => {
    const draft: Share = {
      ...stored,
      status: 'draft',
      text: '',
      lastError: 'Could not compose: no title',
    };
    expect(recomposed(draft).share).not.toHaveProperty('lastError');
  });

  it.each(['publishing', 'published', 'failed', 'unknown', 'cancelled'] as const)(
    'leaves a %s share alone',
    (status) => {
      expect(recompose({ ...stored, status }, fresh, now)).toBeUndefined();
    },
  );

  it('changes nothing for the same revision or an older one (a late message)', () => {
    const third: Share = { ...stored, articleRevision: 3 };
    expect(recompose(third, fresh, now)).toBeUndefined();
    expect(recompose({ ...stored, articleRevision: 2 }, fresh, now)).toBeUndefined();
  });

  it('never touches an edited text, a share that went out, or a newer revision (property)', () => {
    const statuses = fc.constantFrom<ShareStatus>(...SHARE_STATUSES);
    fc.assert(
      fc.property(
        statuses,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.string(),
        (status, storedRevision, freshRevision, editedText, text) => {
          const share: Share = {
            ...stored,
            status,
            articleRevision: storedRevision,
            ...(editedText ? { edited: { text: now.toISOString() } } : {}),
          };
          const result = recompose(share, { ...fresh, articleRevision: freshRevision, text }, now);
          const editable = ['draft', 'scheduled', 'queued'].includes(status);
          if (!editable || storedRevision >= freshRevision) return result === undefined;
          return (
            result !== undefined &&
            result.share.articleRevision === freshRevision &&
            result.share.text === (editedText ? stored.text : text) &&
            result.share.version === stored.version + 1
          );
        },
      ),
    );
  });
});
