/**
 * An operator asks for a share to be reconciled now (`crier share reconcile`): an
 * `unknown` share, or one stuck `publishing` past its lease, goes to the publish worker's
 * reconcile path (docs/architecture.md, "Posting exactly once"), as the sweeper would send it. Any
 * other share is refused with the reason: only a share whose post may exist unrecorded
 * has anything to reconcile, and a share still under a worker's lease may be posting.
 */
import type { ShareRef } from '../domain/ports';
import { applyEvent, type Share } from '../domain/share';
import { type DispatchDeps, reconcileLater } from './dispatch';

export type ReconcileRequest =
  | { outcome: 'sent'; share: Share; was: 'unknown' | 'publishing' }
  | { outcome: 'refused'; share: Share; reason: string }
  | { outcome: 'not-found' }
  /** someone else (the worker, the sweeper) changed the share meanwhile: ask again */
  | { outcome: 'changed' };

export async function requestReconcile(
  deps: DispatchDeps,
  ref: ShareRef,
  by: string,
): Promise<ReconcileRequest> {
  const share = await deps.shares.get(ref);
  if (!share) return { outcome: 'not-found' };
  const now = deps.clock.now();
  const refuse = (reason: string): ReconcileRequest => ({ outcome: 'refused', share, reason });

  switch (share.status) {
    case 'unknown':
      return (await reconcileLater(deps, share))
        ? { outcome: 'sent', share, was: 'unknown' }
        : { outcome: 'changed' };
    case 'publishing': {
      if (share.leaseUntil && share.leaseUntil > now.toISOString()) {
        return refuse(
          `it is being published: a worker holds its lease until ${share.leaseUntil} and may be posting it now. After that, the sweeper reconciles it by itself within a minute.`,
        );
      }
      // As the sweeper does with an expired lease: the post may exist, so unknown first.
      const unknown = applyEvent(share, 'expire', {
        at: now,
        by,
        reason: 'lease expired while publishing; reconcile asked by an operator',
        patch: { leaseUntil: now.toISOString() },
      });
      if (!(await deps.shares.replace(share, unknown))) return { outcome: 'changed' };
      return (await reconcileLater(deps, unknown))
        ? { outcome: 'sent', share: unknown, was: 'publishing' }
        : { outcome: 'changed' };
    }
    case 'published':
      return refuse(`it is already published${share.remoteUrl ? ` as ${share.remoteUrl}` : ''}.`);
    case 'failed':
      return refuse(
        `it failed (${share.lastError ?? 'no reason recorded'}): nothing was posted, so there is nothing to look for. An editor can retry it.`,
      );
    case 'cancelled':
      return refuse('it was cancelled: it is never posted.');
    case 'queued':
      return refuse(
        `it is queued and not posted yet, due at ${share.dueAt}. If its message is lost, the sweeper sends it again once its lease ends${share.leaseUntil ? ` (${share.leaseUntil})` : ''}.`,
      );
    case 'draft':
    case 'scheduled':
      return refuse(`it is ${share.status} and not posted yet, due at ${share.dueAt}.`);
  }
}
