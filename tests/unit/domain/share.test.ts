import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '../../../shared/domain/backoff';
import { ConflictError } from '../../../shared/domain/errors';
import { applyEvent, type Share } from '../../../shared/domain/share';

const share: Share = {
  articleId: 'a'.repeat(32),
  channelId: 'x-newsroom',
  platform: 'x',
  articleRevision: 1,
  status: 'queued',
  text: 'Headline https://example.org/a',
  url: 'https://example.org/a',
  hashtags: [],
  dueAt: '2026-11-28T12:00:00.000Z',
  attempt: 0,
  version: 3,
  idempotencyKey: '6f1c0f43-6a5c-4b8e-9f1e-2d7c7f0c9a11',
  leaseUntil: '2026-11-28T12:02:00.000Z',
  createdAt: '2026-11-28T11:59:00.000Z',
  updatedAt: '2026-11-28T11:59:30.000Z',
  history: [],
};
const at = new Date('2026-11-28T12:00:01.000Z');

describe('applying an event to a share', () => {
  it('moves the status, bumps the version and records who, when and why', () => {
    const next = applyEvent(share, 'start', { at, by: 'publisher', reason: 'attempt 1' });
    expect(next).toMatchObject({ status: 'publishing', version: 4, updatedAt: at.toISOString() });
    expect(next.history).toEqual([
      {
        at: at.toISOString(),
        event: 'start',
        from: 'queued',
        to: 'publishing',
        by: 'publisher',
        reason: 'attempt 1',
      },
    ]);
    expect(share.status).toBe('queued');
  });

  it('drops the lease when the share leaves the in-flight states', () => {
    const publishing = applyEvent(share, 'start', { at, by: 'publisher' });
    const published = applyEvent(publishing, 'succeed', {
      at,
      by: 'publisher',
      patch: { remoteId: '1', remoteUrl: 'https://x.com/n/status/1' },
    });
    expect(published.status).toBe('published');
    expect(published).not.toHaveProperty('leaseUntil');
    expect(published.remoteId).toBe('1');
  });

  it('refuses a move the state machine forbids', () => {
    expect(() =>
      applyEvent({ ...share, status: 'published' }, 'start', { at, by: 'publisher' }),
    ).toThrow(ConflictError);
  });
});

describe('backoff', () => {
  const policy = { baseSeconds: 5, maxSeconds: 900 };

  it('doubles from 5 s with jitter between half and all of each step', () => {
    expect(backoffSeconds(policy, 0, () => 0)).toBe(2.5);
    expect(backoffSeconds(policy, 0, () => 1)).toBe(5);
    expect(backoffSeconds(policy, 3, () => 1)).toBe(40);
  });

  it('never waits more than 15 minutes', () => {
    expect(backoffSeconds(policy, 30, () => 1)).toBe(900);
  });
});
