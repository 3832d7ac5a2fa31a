/**
 * A channel reconnected (its credentials set again): the shares that waited for it, still
 * `scheduled` with `waitingForReconnect`, become due now and their mark goes. That covers
 * every round of an evergreen share: the timeline names the article, and the article's
 * shares name the rounds.
 */
import type { ChannelTimeline, Clock, ShareStore } from '../domain/ports';
import type { Share } from '../domain/share';

export type ReconnectDeps = {
  timeline: ChannelTimeline;
  shares: Pick<ShareStore, 'listForArticle' | 'replace'>;
  clock: Clock;
};

/** A parked share looks again at most six hours ahead; a week either side is ample. */
const WINDOW_MS = 7 * 86_400_000;

/** Makes the channel's waiting shares due now; answers how many. */
export async function releaseWaitingShares(
  deps: ReconnectDeps,
  channelId: string,
): Promise<number> {
  const now = deps.clock.now();
  const from = new Date(now.getTime() - WINDOW_MS).toISOString();
  const to = new Date(now.getTime() + WINDOW_MS).toISOString();
  let released = 0;
  // A first round and its re-shares sit on the timeline under one article.
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await deps.timeline.list(channelId, {
      limit: 100,
      from,
      to,
      ...(cursor ? { cursor } : {}),
    });
    for (const entry of page.entries) {
      if (seen.has(entry.articleId)) continue;
      seen.add(entry.articleId);
      for (const share of await deps.shares.listForArticle(entry.articleId)) {
        if (share.channelId !== channelId) continue;
        if (share.status !== 'scheduled' || !share.waitingForReconnect) continue;
        if (await deps.shares.replace(share, dueNow(share, now))) released += 1;
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return released;
}

function dueNow(share: Share, now: Date): Share {
  const at = now.toISOString();
  return {
    ...share,
    dueAt: at,
    waitingForReconnect: undefined,
    version: share.version + 1,
    updatedAt: at,
    history: [
      ...share.history,
      {
        at,
        event: 'edit',
        from: share.status,
        to: share.status,
        by: 'crier',
        reason: `its channel was reconnected: dueAt ${share.dueAt} -> ${at}`,
      },
    ],
  };
}
