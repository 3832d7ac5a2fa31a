/**
 * A share's item stays far under DynamoDB's 400 KB limit however long it lives: its
 * history keeps the first entry and the latest ones, and its free-form notes are clipped.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  boundShare,
  HISTORY_LIMIT,
  NOTE_LIMIT,
  type Share,
  WARNINGS_LIMIT,
} from '../../../shared/domain/share';
import { applyAction, applyEdit, type EditorContext } from '../../../shared/domain/share-edit';
import { shareItem } from '../../../shared/store/share-store';

const at = new Date('2026-11-28T12:00:00.000Z');
const ctx: EditorContext = { at, by: 'alice', role: 'editor', article: { status: 'published' } };

const composed: Share = {
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
  version: 1,
  idempotencyKey: '6f1c0f43-6a5c-4b8e-9f1e-2d7c7f0c9a11',
  createdAt: '2026-11-28T11:00:00.000Z',
  updatedAt: '2026-11-28T11:00:00.000Z',
  history: [{ at: '2026-11-28T11:00:00.000Z', event: 'compose', to: 'scheduled', by: 'crier' }],
};

/** The item's size as its marshalled JSON: more than DynamoDB counts, never less. */
const itemBytes = (share: Share) =>
  Buffer.byteLength(JSON.stringify(marshall(shareItem(share), { removeUndefinedValues: true })));

describe('a share edited a thousand times', () => {
  let share = composed;
  for (let n = 0; n < 1_000; n += 1) {
    const text = `Edit number ${n}: ${'words '.repeat(30)}`;
    share = applyEdit(
      share,
      {
        text: {
          reset: false,
          fields: { text, hashtags: [], length: { used: 280, limit: 280, unit: 'weighted' } },
        },
        dueAt: new Date(at.getTime() + (n + 1) * 60_000).toISOString(),
      },
      ctx,
    );
  }

  it('keeps its first entry and the latest ones, HISTORY_LIMIT in all, and counts the rest', () => {
    expect(share.history).toHaveLength(HISTORY_LIMIT);
    expect(share.history[0]).toEqual(composed.history[0]);
    expect(share.history.at(-1)?.reason).toContain('dueAt');
    expect(share.history.at(-1)?.at).toBe(at.toISOString());
    expect(share.historyDropped).toBe(1 + 1_000 - HISTORY_LIMIT);
    expect(share.version).toBe(1 + 1_000);
  });

  it('stays far under the 400 KB item limit', () => {
    expect(itemBytes(share)).toBeLessThan(40 * 1024);
  });

  it('is still cancelled, with the cancel the latest entry', () => {
    const { share: cancelled } = applyAction(share, 'cancel', ctx);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.history).toHaveLength(HISTORY_LIMIT);
    expect(cancelled.history.at(-1)).toMatchObject({ event: 'cancel', to: 'cancelled' });
    expect(cancelled.historyDropped).toBe((share.historyDropped ?? 0) + 1);
  });
});

describe('bounds on the free-form fields', () => {
  it('clips an error, a syndication error, a history reason and the warnings', () => {
    const long = 'e'.repeat(50_000);
    const failed = applyEvent({ ...composed, status: 'publishing' }, 'fail', {
      at,
      by: 'publisher',
      reason: long,
      patch: { lastError: long },
    });
    expect(failed.lastError?.length).toBe(NOTE_LIMIT);
    expect(failed.history.at(-1)?.reason?.length).toBe(NOTE_LIMIT);
    const noisy = boundShare({
      ...composed,
      syndicationError: long,
      warnings: Array.from({ length: 500 }, () => long),
    });
    expect(noisy.syndicationError?.length).toBe(NOTE_LIMIT);
    expect(noisy.warnings).toHaveLength(WARNINGS_LIMIT);
    expect(noisy.warnings?.every((w) => w.length === NOTE_LIMIT)).toBe(true);
  });

  it('leaves a share within every bound as it is', () => {
    expect(boundShare(composed)).toEqual(composed);
  });

  it('bounds a share as the store writes it, whichever path built it', () => {
    const history = Array.from({ length: 300 }, () => composed.history[0] as Share['history'][0]);
    const item = shareItem({ ...composed, history, lastError: 'x'.repeat(5_000) });
    expect(item.history).toHaveLength(HISTORY_LIMIT);
    expect(item.historyDropped).toBe(300 - HISTORY_LIMIT);
    expect(item.lastError?.length).toBe(NOTE_LIMIT);
  });
});
