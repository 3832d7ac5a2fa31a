/**
 * Archiving a channel (docs/operating.md, "Archiving a channel"): it takes no new article
 * from then on, and its shares not yet out (draft, scheduled, queued) are cancelled, each
 * with the reason. Its published posts stay as they are, and can still be withdrawn or
 * edited: the handlers read archived channels for that. A share that slips through (one
 * composed by a function whose directory was read before the archiving) is cancelled at
 * its claim (publish-share/claim.ts).
 */
import type { ChannelDirectory, DirectoryChannel } from '../domain/channel-directory';
import type { ChannelTimeline, Clock, ShareStore } from '../domain/ports';
import { applyEvent } from '../domain/share';
import { canApply } from '../domain/share-state';

export type ArchiveChannelDeps = {
  directory: Pick<ChannelDirectory, 'archiveChannel'>;
  timeline: ChannelTimeline;
  shares: ShareStore;
  clock: Clock;
};

export type ArchiveReport = {
  channel: DirectoryChannel;
  /** the shares cancelled, by article id */
  cancelled: string[];
  /** pending shares another writer changed first (claimed, edited): left as they are */
  contended: string[];
};

const PAGE = 100;
/** Reads of a share that another writer keeps changing before this one gives up on it. */
const TRIES = 3;

export async function archiveChannel(
  deps: ArchiveChannelDeps,
  channelId: string,
  write: { who: string; expectedVersion?: number },
): Promise<ArchiveReport> {
  const channel = await deps.directory.archiveChannel(channelId, write);
  const reason = `cancelled: channel ${channelId} archived by ${write.who}`;
  const cancelled: string[] = [];
  const contended: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.timeline.list(channelId, { limit: PAGE, cursor });
    for (const entry of page.entries) {
      const ref = { articleId: entry.articleId, channelId };
      const outcome = await cancel(deps, ref, reason);
      if (outcome === 'cancelled') cancelled.push(entry.articleId);
      if (outcome === 'contended') contended.push(entry.articleId);
    }
    cursor = page.cursor;
  } while (cursor);
  return { channel, cancelled, contended };
}

async function cancel(
  deps: ArchiveChannelDeps,
  ref: { articleId: string; channelId: string },
  reason: string,
): Promise<'cancelled' | 'gone' | 'contended'> {
  for (let round = 0; round < TRIES; round += 1) {
    const share = await deps.shares.get(ref);
    // Already out, or no longer pending: nothing to cancel.
    if (!share || !canApply(share.status, 'cancel') || share.remoteId) return 'gone';
    const next = applyEvent(share, 'cancel', { at: deps.clock.now(), by: 'crier', reason });
    if (await deps.shares.replace(share, next)) return 'cancelled';
  }
  return 'contended';
}
