/** Every key and index attribute of the table (DESIGN.md, "Data: one DynamoDB table"). */
import { createHash } from 'node:crypto';
import { TABLE } from '../../infra/resources';

export const articleKey = (articleId: string) => ({ PK: `ART#${articleId}`, SK: 'A' });

export const shareKey = (articleId: string, channelId: string) => ({
  PK: `ART#${articleId}`,
  SK: `S#${channelId}`,
});

export const deliveryKey = (source: string, deliveryId: string) => ({
  PK: `WH#${source}#${deliveryId}`,
  SK: 'W',
});

/** Where the editors' list starts: the month of the first article ever received. */
export const articlesMetaKey = { PK: 'META', SK: 'ARTS' };

export const monthOf = (instant: string) => instant.slice(0, 7);

export const articlesByTime = (receivedAt: string, articleId: string) => ({
  monthPK: `ARTS#${monthOf(receivedAt)}`,
  monthSK: `${receivedAt}#${articleId}`,
});

/** A stable shard for a share, so the due and in-flight indexes spread their writes. */
export function shardOf(articleId: string, channelId: string): number {
  const digest = createHash('sha256').update(`${articleId}#${channelId}`).digest();
  return digest.readUInt32BE(0) % TABLE.shardCount;
}

export const dueIndex = (articleId: string, channelId: string, dueAt: string) => ({
  duePK: `DUE#${shardOf(articleId, channelId)}`,
  dueSK: `${dueAt}#${articleId}#${channelId}`,
});

export const channelTimeline = (articleId: string, channelId: string, dueAt: string) => ({
  timelinePK: `CH#${channelId}`,
  timelineSK: `${dueAt}#${articleId}`,
});

export const leaseIndex = (articleId: string, channelId: string, leaseUntil: string) => ({
  leasePK: `LEASE#${shardOf(articleId, channelId)}`,
  leaseSK: `${leaseUntil}#${articleId}#${channelId}`,
});

export const channelStateKey = (channelId: string) => ({ PK: `CH#${channelId}`, SK: 'STATE' });

/** `<instant>#<articleId>#<channelId>` back into its share's key. */
export function shareRefOf(sortKey: string): { articleId: string; channelId: string } | undefined {
  const parts = sortKey.split('#');
  const channelId = parts.at(-1);
  const articleId = parts.at(-2);
  return articleId && channelId ? { articleId, channelId } : undefined;
}

/** A polled feed: what the poller keeps between polls. */
export const feedStateKey = (feedId: string) => ({ PK: `FEED#${feedId}`, SK: 'STATE' });

/** A feed item already taken, by a hash of its id (ids are URLs and URNs of any length). */
export const feedItemKey = (feedId: string, itemId: string) => ({
  PK: `FEED#${feedId}`,
  SK: `ITEM#${createHash('sha256').update(itemId).digest('hex')}`,
});
