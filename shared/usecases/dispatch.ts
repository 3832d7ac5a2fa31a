/**
 * Claims shares that fall due within the look-ahead and sends their publish messages
 * with the delay still to wait (the direct path), and, every tick, does the same from
 * the due index and sweeps what a crash or a lost message left in flight.
 */
import type { PublishingConfig } from '../config/publishing';
import { MULTI_STEP_PLATFORMS } from '../domain/platform';
import type { Clock, PublishQueue, ShareRef, ShareStore } from '../domain/ports';
import { applyEvent, type Share } from '../domain/share';
import { refOf } from '../domain/share-key';

export type DispatchDeps = {
  shares: ShareStore;
  publishQueue: PublishQueue;
  clock: Clock;
  config: PublishingConfig;
};

const BY = 'dispatcher';

/**
 * A scheduled share due within the look-ahead: claimed `scheduled -> queued` and sent
 * with DelaySeconds for the seconds still to wait. Returns the share as it now stands.
 */
export async function enqueueIfDue(deps: DispatchDeps, share: Share): Promise<Share> {
  const now = deps.clock.now();
  if (share.status !== 'scheduled') return share;
  const due = new Date(share.dueAt).getTime();
  if (due > now.getTime() + deps.config.lookAheadSeconds * 1000) return share;
  const queued = applyEvent(share, 'enqueue', {
    at: now,
    by: BY,
    patch: {
      // Until then its message may still be on its way; after it, the sweeper sends again.
      leaseUntil: new Date(
        Math.max(due, now.getTime()) + deps.config.deliveryMarginSeconds * 1000,
      ).toISOString(),
    },
  });
  if (!(await deps.shares.replace(share, queued))) return share;
  // A multi-step network's container is prepared at once; the worker then waits again.
  // A thread resumed after its first post has no container to prepare.
  const prepareFirst =
    MULTI_STEP_PLATFORMS.includes(share.platform) && !share.preparedId && !share.remoteId;
  // The wait left is counted after the write, which takes its own time.
  const left = (due - deps.clock.now().getTime()) / 1000;
  await deps.publishQueue.send(refOf(share), prepareFirst ? 0 : left);
  return queued;
}

export type TickReport = {
  enqueued: number;
  requeued: number;
  expired: number;
  reconciling: number;
  /**
   * Shares found past their lease while queued or publishing: a lost message or a worker
   * that died. The sweep puts them right; the count is what the operators' alarm watches.
   */
  stuck: number;
  /**
   * Shares the tick could not handle (a read or a write that threw): each is skipped and
   * told to `onShareFailed`, and the tick goes on with the others.
   */
  failed: number;
};

/** A share the tick skipped: which one, at which step, and the error (for the log only). */
export type ShareFailure = { share: ShareRef; step: 'sweep' | 'due'; error: unknown };

export async function dispatchDue(
  deps: DispatchDeps,
  onShareFailed: (failure: ShareFailure) => void = () => {},
): Promise<TickReport> {
  const report: TickReport = {
    enqueued: 0,
    requeued: 0,
    expired: 0,
    reconciling: 0,
    stuck: 0,
    failed: 0,
  };
  // One share that cannot be read or written must not hold back every share after it.
  const isolated = async (
    step: ShareFailure['step'],
    share: ShareRef,
    work: () => Promise<void>,
  ) => {
    try {
      await work();
    } catch (error) {
      report.failed += 1;
      onShareFailed({ share, step, error });
    }
  };
  for (const shareRef of await deps.shares.leasesEndedBy(deps.clock.now().toISOString(), 500)) {
    await isolated('sweep', shareRef, () => sweepOne(deps, report, shareRef));
  }
  const now = deps.clock.now();
  const until = new Date(now.getTime() + deps.config.lookAheadSeconds * 1000).toISOString();
  for (const shareRef of await deps.shares.dueBy(until, 500)) {
    await isolated('due', shareRef, async () => {
      const share = await deps.shares.get(shareRef);
      if (share && (await enqueueIfDue(deps, share)).status === 'queued') report.enqueued += 1;
    });
  }
  return report;
}

/** A share whose lease ran out: it goes where docs/architecture.md's state machine says. */
async function sweepOne(deps: DispatchDeps, report: TickReport, shareRef: ShareRef) {
  const now = deps.clock.now();
  const share = await deps.shares.get(shareRef);
  if (!share?.leaseUntil || share.leaseUntil > now.toISOString()) return;
  if (share.status === 'queued' || share.status === 'publishing') report.stuck += 1;
  if (share.status === 'queued') {
    // Its message never arrived (lost, or the local queue restarted): send it again.
    const rescheduled = applyEvent(share, 'requeue', {
      at: now,
      by: BY,
      reason: 'lease expired while queued: the message was lost',
    });
    if (await deps.shares.replace(share, rescheduled)) {
      report.requeued += 1;
      await enqueueIfDue(deps, rescheduled);
    }
  } else if (share.status === 'publishing') {
    // A worker claimed it and never recorded a result: the post may exist.
    const unknown = applyEvent(share, 'expire', {
      at: now,
      by: BY,
      reason: 'lease expired while publishing: no result was recorded',
      patch: { leaseUntil: now.toISOString() },
    });
    if (await deps.shares.replace(share, unknown)) {
      report.expired += 1;
      await reconcileLater(deps, unknown);
    }
  } else if (share.status === 'unknown') {
    if (await reconcileLater(deps, share)) report.reconciling += 1;
  }
}

/**
 * Sends an unknown share to the publish worker, which reconciles it. The lease moves
 * first, so the next tick does not send it again while this message is in flight.
 */
export async function reconcileLater(deps: DispatchDeps, share: Share): Promise<boolean> {
  const now = deps.clock.now();
  const next: Share = {
    ...share,
    version: share.version + 1,
    updatedAt: now.toISOString(),
    leaseUntil: new Date(now.getTime() + deps.config.leaseSeconds * 1000).toISOString(),
  };
  if (!(await deps.shares.replace(share, next))) return false;
  await deps.publishQueue.send(refOf(share), 0);
  return true;
}
