import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../../shared/domain/errors';
import type { Share } from '../../../shared/domain/share';
import {
  applyAction,
  applyEdit,
  checkDueAt,
  DUE_AT_GRACE_SECONDS,
  type EditorContext,
  type TextChange,
} from '../../../shared/domain/share-edit';
import { SHARE_STATUSES, type ShareStatus } from '../../../shared/domain/share-state';

const at = new Date('2026-11-28T12:00:00.000Z');
const ctx: EditorContext = { at, by: 'alice', role: 'editor', article: { status: 'published' } };
const admin: EditorContext = { ...ctx, role: 'admin' };

const base: Share = {
  articleId: 'a'.repeat(32),
  channelId: 'x-newsroom',
  platform: 'x',
  articleRevision: 1,
  status: 'scheduled',
  text: 'Headline https://example.org/a',
  url: 'https://example.org/a',
  hashtags: [],
  dueAt: '2026-11-28T13:00:00.000Z',
  attempt: 0,
  version: 3,
  idempotencyKey: '6f1c0f43-6a5c-4b8e-9f1e-2d7c7f0c9a11',
  createdAt: '2026-11-28T11:00:00.000Z',
  updatedAt: '2026-11-28T11:00:00.000Z',
  history: [],
};
const share = (change: Partial<Share> = {}): Share => ({ ...base, ...change });

const newText = (text: string): TextChange => ({
  reset: false,
  fields: { text, hashtags: [], length: { used: text.length, limit: 280, unit: 'weighted' } },
});

const conflict = (fn: () => unknown) => expect(fn).toThrow(ConflictError);

describe('editing a share', () => {
  it('sets the text, bumps the version, stamps edited.text and notes who and what', () => {
    const next = applyEdit(share(), { text: newText('New words') }, ctx);
    expect(next).toMatchObject({
      text: 'New words',
      status: 'scheduled',
      version: 4,
      updatedAt: at.toISOString(),
      edited: { text: at.toISOString() },
    });
    expect(next.history).toEqual([
      {
        at: at.toISOString(),
        event: 'edit',
        from: 'scheduled',
        to: 'scheduled',
        by: 'alice',
        reason: 'text edited',
      },
    ]);
  });

  it('drops a prepared container when the text changes, keeps it when only dueAt moves', () => {
    const prepared = share({ status: 'queued', preparedId: 'container-1', leaseUntil: 'x' });
    expect(applyEdit(prepared, { text: newText('New') }, ctx).preparedId).toBeUndefined();
    const moved = applyEdit(prepared, { dueAt: '2026-11-28T15:00:00.000Z' }, ctx);
    expect(moved.preparedId).toBe('container-1');
  });

  it('sends a queued share whose dueAt moves back to scheduled, without its lease', () => {
    const queued = share({ status: 'queued', leaseUntil: '2026-11-28T13:02:00.000Z' });
    const next = applyEdit(queued, { dueAt: '2026-11-28T15:00:00.000Z' }, ctx);
    expect(next).toMatchObject({ status: 'scheduled', dueAt: '2026-11-28T15:00:00.000Z' });
    expect(next.leaseUntil).toBeUndefined();
    expect(next.edited).toEqual({ dueAt: at.toISOString() });
    expect(next.history.map((h) => [h.event, h.from, h.to])).toEqual([
      ['reschedule', 'queued', 'scheduled'],
      ['edit', 'queued', 'scheduled'],
    ]);
  });

  it('keeps a queued share queued when only its text changes', () => {
    const queued = share({ status: 'queued', leaseUntil: '2026-11-28T13:02:00.000Z' });
    expect(applyEdit(queued, { text: newText('New') }, ctx).status).toBe('queued');
  });

  it('clears edited.text when the text goes back to the composed one, keeping edited.dueAt', () => {
    const edited = share({ edited: { text: 'earlier', dueAt: 'earlier' } });
    const next = applyEdit(edited, { text: { ...newText('Composed'), reset: true } }, ctx);
    expect(next.edited).toEqual({ dueAt: 'earlier' });
    expect(next.history.at(-1)?.reason).toBe('text back to the composed text');
    const only = applyEdit(
      share({ edited: { text: 'x' } }),
      { text: { ...newText('C'), reset: true } },
      ctx,
    );
    expect(only.edited).toBeUndefined();
  });

  it('writes nothing when going back to a composed text it already has', () => {
    const same = share();
    expect(applyEdit(same, { text: { ...newText(same.text), reset: true } }, ctx)).toBe(same);
  });

  it('clears a draft’s compose error once an editor gives it a text', () => {
    const draft = share({ status: 'draft', text: '', lastError: 'Could not compose: too long' });
    const next = applyEdit(draft, { text: newText('Short enough') }, ctx);
    expect(next.lastError).toBeUndefined();
    expect(applyAction(next, 'approve', ctx).share.status).toBe('scheduled');
  });

  it('writes nothing when nothing changes', () => {
    const same = share();
    expect(applyEdit(same, { text: newText(same.text), dueAt: same.dueAt }, ctx)).toBe(same);
  });

  it.each(['publishing', 'published', 'failed', 'cancelled', 'unknown'] as const)(
    'refuses to edit a %s share',
    (status) => conflict(() => applyEdit(share({ status }), { text: newText('x') }, ctx)),
  );

  it('refuses to edit a share of an unpublished article', () => {
    conflict(() =>
      applyEdit(share(), { text: newText('x') }, { ...ctx, article: { status: 'unpublished' } }),
    );
  });
});

describe('checking an editor’s dueAt', () => {
  it('takes any offset and answers a UTC instant', () => {
    expect(checkDueAt('2026-11-28T14:00:00+01:00', at)).toBe('2026-11-28T13:00:00.000Z');
  });

  it('allows a small grace in the past, and no more', () => {
    const inGrace = new Date(at.getTime() - (DUE_AT_GRACE_SECONDS - 1) * 1000).toISOString();
    expect(checkDueAt(inGrace, at)).toBe(inGrace);
    const past = new Date(at.getTime() - (DUE_AT_GRACE_SECONDS + 1) * 1000).toISOString();
    expect(() => checkDueAt(past, at)).toThrow(ValidationError);
  });

  it('refuses a time before the embargo', () => {
    expect(() => checkDueAt('2026-11-28T13:00:00Z', at, '2026-11-28T14:00:00.000Z')).toThrow(
      /embargo/,
    );
    expect(checkDueAt('2026-11-28T14:00:00Z', at, '2026-11-28T14:00:00.000Z')).toBe(
      '2026-11-28T14:00:00.000Z',
    );
  });
});

describe('editor actions', () => {
  it('approves a draft, and only a draft', () => {
    const { share: next, accepted } = applyAction(share({ status: 'draft' }), 'approve', ctx);
    expect(next.status).toBe('scheduled');
    expect(accepted).toBe(false);
    for (const status of SHARE_STATUSES.filter((s) => s !== 'draft')) {
      conflict(() => applyAction(share({ status }), 'approve', ctx));
    }
  });

  it('refuses to approve a draft that has no text', () => {
    conflict(() => applyAction(share({ status: 'draft', text: '' }), 'approve', ctx));
  });

  it.each(['draft', 'scheduled', 'queued'] as const)('cancels a %s share', (status) => {
    expect(applyAction(share({ status }), 'cancel', ctx)).toMatchObject({
      share: { status: 'cancelled' },
      accepted: false,
    });
  });

  it('records a cancel request on a publishing share, once', () => {
    const publishing = share({ status: 'publishing', leaseUntil: '2026-11-28T12:01:30.000Z' });
    const first = applyAction(publishing, 'cancel', ctx);
    expect(first).toMatchObject({
      share: { status: 'publishing', cancelRequested: true, version: 4 },
      accepted: true,
    });
    expect(first.share.history.at(-1)).toMatchObject({ event: 'cancel', by: 'alice' });
    const again = applyAction(first.share, 'cancel', ctx);
    expect(again).toEqual({ share: first.share, accepted: true });
  });

  it.each(['published', 'failed', 'cancelled', 'unknown'] as const)(
    'refuses to cancel a %s share',
    (status) => conflict(() => applyAction(share({ status }), 'cancel', ctx)),
  );

  it('publishes a scheduled share now by moving its dueAt to now', () => {
    const { share: next } = applyAction(share(), 'publish-now', ctx);
    expect(next).toMatchObject({ status: 'scheduled', dueAt: at.toISOString(), version: 4 });
    expect(next.edited?.dueAt).toBe(at.toISOString());
  });

  it('approves a draft for now when asked to publish it now', () => {
    const { share: next } = applyAction(share({ status: 'draft' }), 'publish-now', ctx);
    expect(next).toMatchObject({ status: 'scheduled', dueAt: at.toISOString() });
    expect(next.history.at(-1)).toMatchObject({ event: 'approve', by: 'alice' });
  });

  it('reschedules a queued share to now, and leaves a scheduled one already due alone', () => {
    const queued = share({ status: 'queued', leaseUntil: '2026-11-28T13:02:00.000Z' });
    expect(applyAction(queued, 'publish-now', ctx).share).toMatchObject({
      status: 'scheduled',
      dueAt: at.toISOString(),
    });
    const due = share({ status: 'scheduled', dueAt: '2026-11-28T11:59:59.000Z' });
    expect(applyAction(due, 'publish-now', ctx).share).toBe(due);
  });

  it('sends a past-due queued share again: its message is late or lost', () => {
    const due = share({ status: 'queued', dueAt: '2026-11-28T11:59:59.000Z', leaseUntil: 'x' });
    const { share: next } = applyAction(due, 'publish-now', ctx);
    expect(next).toMatchObject({ status: 'scheduled', dueAt: due.dueAt, version: due.version + 1 });
    expect(next.history.at(-1)).toMatchObject({
      event: 'requeue',
      from: 'queued',
      to: 'scheduled',
      by: 'alice',
      reason: expect.stringContaining('sent again'),
    });
  });

  it('refuses to publish now before the embargo or a share that is not waiting', () => {
    const embargoed = {
      ...ctx,
      article: { status: 'published' as const, shareAt: '2026-11-28T12:30:00.000Z' },
    };
    conflict(() => applyAction(share(), 'publish-now', embargoed));
    for (const status of ['publishing', 'published', 'failed', 'cancelled', 'unknown'] as const) {
      conflict(() => applyAction(share({ status }), 'publish-now', ctx));
    }
  });

  it('retries a failed share now with its attempts reset and its keys kept', () => {
    const failed = share({ status: 'failed', attempt: 5, lastError: 'refused', remoteKey: 'k' });
    const { share: next } = applyAction(failed, 'retry', ctx);
    expect(next).toMatchObject({
      status: 'scheduled',
      attempt: 0,
      dueAt: at.toISOString(),
      idempotencyKey: base.idempotencyKey,
      remoteKey: 'k',
    });
    expect(next.lastError).toBeUndefined();
  });

  it('retries no earlier than the embargo', () => {
    const shareAt = '2026-11-28T18:00:00.000Z';
    const { share: next } = applyAction(share({ status: 'failed' }), 'retry', {
      ...ctx,
      article: { status: 'published', shareAt },
    });
    expect(next.dueAt).toBe(shareAt);
  });

  it('lets an admin confirm a parked unknown share is not posted, keeping its keys', () => {
    const parked = share({ status: 'unknown', remoteKey: 'k', attempt: 2 });
    const { share: next } = applyAction(parked, 'retry', admin);
    expect(next).toMatchObject({ status: 'scheduled', attempt: 0, remoteKey: 'k' });
    expect(next.history.at(-1)).toMatchObject({ event: 'reconcile-absent', by: 'alice' });
  });

  it('keeps that confirmation from editors, and from everyone while reconcile still looks', () => {
    expect(() => applyAction(share({ status: 'unknown' }), 'retry', ctx)).toThrow(ForbiddenError);
    conflict(() =>
      applyAction(
        share({ status: 'unknown', leaseUntil: '2026-11-28T12:05:00.000Z' }),
        'retry',
        admin,
      ),
    );
  });

  it.each(['draft', 'scheduled', 'queued', 'publishing', 'published', 'cancelled'] as const)(
    'refuses to retry a %s share',
    (status: ShareStatus) => conflict(() => applyAction(share({ status }), 'retry', admin)),
  );
});
