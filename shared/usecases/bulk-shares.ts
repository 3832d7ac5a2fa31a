/**
 * The editors' bulk actions (POST /api/shares/bulk): approve, cancel, retry or
 * reschedule many shares at once. Each share is handled as its own route would handle
 * it alone (the same use cases, the same conditional writes, the same site check), a
 * few at a time, and each gets its own outcome: one share refused never stops the rest.
 */
import { siteOf } from '../domain/article';
import { BULK_ACTIONS, type BulkAction, MAX_BULK_SHARES, MAX_OFFSET_MINUTES } from '../domain/bulk';
import type { Channel } from '../domain/channel';
import { ConflictError, NotFoundError } from '../domain/errors';
import { mapLimited } from '../domain/map-limited';
import type { ArticleRecord, Clock, SlotStore } from '../domain/ports';
import { HORIZON_DAYS } from '../domain/schedule';
import type { Share } from '../domain/share';
import { assertEditable } from '../domain/share-edit';
import { refOf } from '../domain/share-key';
import {
  type Actor,
  actOnShare,
  type EditShareDeps,
  editShare,
  loadShare,
  type ShareAddress,
  shiftShare,
} from './edit-share';
import { CalendarBusyError } from './schedule-share';

export { BULK_ACTIONS, type BulkAction, MAX_BULK_SHARES, MAX_OFFSET_MINUTES };
/** How many shares are handled at the same time. */
export const BULK_CONCURRENCY = 6;

export type BulkRequest = {
  action: BulkAction;
  /** `channelId` is the share key: the channel id, or `<channelId>~<round>` */
  shares: readonly { articleId: string; channelId: string }[];
  /** reschedule: move each share's dueAt by this many minutes */
  offsetMinutes?: number;
  /** reschedule: each share to its channel's next free time, as compose plans one */
  toNextSlots?: boolean;
};

export type BulkDeps = EditShareDeps & {
  /** compose's planner for one stored share: the next free time, held for it */
  nextFreeTime: (
    share: Share,
    channel: Channel,
    record: ArticleRecord,
  ) => Promise<string | undefined>;
  /** to give back a time held for a share whose move was then refused */
  slots: Pick<SlotStore, 'release'>;
  clock: Clock;
};

/** One share's outcome: the share as it now stands, or why it was refused. */
export type BulkOutcome =
  | { articleId: string; channelId: string; ok: true; accepted: boolean; share: Share }
  | { articleId: string; channelId: string; ok: false; error: unknown };

/**
 * Every share's outcome, in the order named. `mayRead` is the caller's site check: a
 * share of another site's article is refused as absent (404), as its own route does.
 */
export async function bulkShares(
  deps: BulkDeps,
  request: BulkRequest,
  actor: Actor,
  mayRead?: (siteId: string) => boolean,
): Promise<BulkOutcome[]> {
  // Each article's site is read once, however many of its shares are named.
  const records = new Map<string, Promise<ArticleRecord | undefined>>();
  const recordOf = (articleId: string) => {
    let record = records.get(articleId);
    if (!record) {
      record = deps.articles.get(articleId);
      records.set(articleId, record);
    }
    return record;
  };
  return mapLimited(request.shares, BULK_CONCURRENCY, async ({ articleId, channelId }) => {
    const address: ShareAddress = { articleId, key: channelId };
    try {
      if (mayRead) checkSite(await recordOf(articleId), articleId, mayRead);
      const { share, accepted } = await handleOne(deps, request, address, actor);
      return { articleId, channelId, ok: true as const, accepted, share };
    } catch (error) {
      return { articleId, channelId, ok: false as const, error };
    }
  });
}

/** Another site's article is answered as if it were not there, as its own route does. */
function checkSite(
  record: ArticleRecord | undefined,
  articleId: string,
  mayRead: (siteId: string) => boolean,
): void {
  if (!record || !mayRead(siteOf(record.article))) {
    throw new NotFoundError(`No article ${articleId}`);
  }
}

async function handleOne(
  deps: BulkDeps,
  request: BulkRequest,
  address: ShareAddress,
  actor: Actor,
): Promise<{ share: Share; accepted: boolean }> {
  switch (request.action) {
    case 'approve':
    case 'cancel':
    case 'retry':
      return actOnShare(deps, address, request.action, actor);
    case 'reschedule':
      if (request.toNextSlots) {
        return { share: await toNextSlot(deps, address, actor), accepted: false };
      }
      return {
        share: await shiftShare(deps, address, request.offsetMinutes ?? 0, actor),
        accepted: false,
      };
  }
}

/**
 * Plans the share's next free time as compose would, then writes it as a PATCH of that
 * dueAt. A time held for a move that is then refused (the share moved on meanwhile) is
 * given back; the time the share already holds is kept.
 */
async function toNextSlot(deps: BulkDeps, address: ShareAddress, actor: Actor): Promise<Share> {
  const { share, record } = await loadShare(deps, address);
  // Refused before anything is held: the same 409 the PATCH would give.
  assertEditable(share, record.article);
  const channel = deps.channels.find((c) => c.id === share.channelId);
  if (!channel) {
    throw new ConflictError(`Channel ${share.channelId} is no longer configured: it has no slots`);
  }
  const dueAt = await deps.nextFreeTime(share, channel, record).catch((error: unknown) => {
    // Other planners kept the calendar: nothing was held, and the editor may try again.
    if (error instanceof CalendarBusyError) {
      throw new ConflictError(`${channel.id}'s calendar is busy: try again`, { cause: error });
    }
    throw error;
  });
  if (dueAt === undefined) {
    throw new ConflictError(`No free time on ${channel.id} within ${HORIZON_DAYS} days`);
  }
  try {
    return await editShare(deps, address, { dueAt }, actor);
  } catch (error) {
    if (dueAt !== share.dueAt) await deps.slots.release(share.channelId, dueAt, refOf(share));
    throw error;
  }
}
