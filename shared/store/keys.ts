/** Every key and index attribute of the table (docs/architecture.md, "Data: one DynamoDB table"). */
import { createHash } from 'node:crypto';
import type { ShareRef } from '../domain/ports';
import { parseShareKey, shareKeyOf } from '../domain/share-key';
import { TABLE } from '../resources';

export const articleKey = (articleId: string) => ({ PK: `ART#${articleId}`, SK: 'A' });

/** An evergreen re-share (round 2 and up) is `S#<channelId>~<round>`. */
export const shareKey = (articleId: string, channelId: string, round?: number) => ({
  PK: `ART#${articleId}`,
  SK: `S#${shareKeyOf({ channelId, round })}`,
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
export function shardOf(articleId: string, channelId: string, round?: number): number {
  const key = shareKeyOf({ channelId, round });
  const digest = createHash('sha256').update(`${articleId}#${key}`).digest();
  return digest.readUInt32BE(0) % TABLE.shardCount;
}

export const dueIndex = (articleId: string, channelId: string, dueAt: string, round?: number) => ({
  duePK: `DUE#${shardOf(articleId, channelId, round)}`,
  dueSK: `${dueAt}#${articleId}#${shareKeyOf({ channelId, round })}`,
});

/** A published share's next reading, in the metrics index. */
export const metricsIndex = (
  articleId: string,
  channelId: string,
  metricsDueAt: string,
  round?: number,
) => ({
  metricsPK: `METRICS#${shardOf(articleId, channelId, round)}`,
  metricsSK: `${metricsDueAt}#${articleId}#${shareKeyOf({ channelId, round })}`,
});

export const channelTimeline = (articleId: string, channelId: string, dueAt: string) => ({
  timelinePK: `CH#${channelId}`,
  timelineSK: `${dueAt}#${articleId}`,
});

export const leaseIndex = (
  articleId: string,
  channelId: string,
  leaseUntil: string,
  round?: number,
) => ({
  leasePK: `LEASE#${shardOf(articleId, channelId, round)}`,
  leaseSK: `${leaseUntil}#${articleId}#${shareKeyOf({ channelId, round })}`,
});

export const channelStateKey = (channelId: string) => ({ PK: `CH#${channelId}`, SK: 'STATE' });

/** A channel's readings, apart from publishing's state: until when the network refused them. */
export const readingStateKey = (channelId: string) => ({ PK: `CH#${channelId}`, SK: 'METRICS' });

/** The reads counted against a channel's monthly budget (X's metrics reads cost money). */
export const readCountKey = (channelId: string, month: string) => ({
  PK: `CH#${channelId}`,
  SK: `READS#${month}`,
});

/** A posting slot on a channel's calendar, held by one share. */
export const slotKey = (channelId: string, instant: string) => ({
  PK: `CH#${channelId}`,
  SK: `SLOT#${instant}`,
});

/** The lease of the one process refreshing a channel's token (owner and until, never a token). */
export const refreshLeaseKey = (channelId: string) => ({ PK: `CH#${channelId}`, SK: 'REFRESH' });

/** The lease a planner holds while it reads a channel's calendar and reserves. */
export const planningLockKey = (channelId: string) => ({ PK: `CH#${channelId}`, SK: 'PLAN' });

/** The holder a slot item names: `<articleId>#<share key>`, compared as one value. */
export const holderOf = (ref: ShareRef) =>
  `${ref.articleId}#${shareKeyOf({ channelId: ref.channelId, round: ref.round })}`;

/** `<instant>#<articleId>#<share key>` (or a holder) back into its share's ref. */
export function shareRefOf(sortKey: string): ShareRef | undefined {
  const parts = sortKey.split('#');
  const key = parseShareKey(parts.at(-1) ?? '');
  const articleId = parts.at(-2);
  if (!articleId || !key) return undefined;
  return key.round
    ? { articleId, channelId: key.channelId, round: key.round }
    : { articleId, ...key };
}

/** A polled feed: what the poller keeps between polls. */
export const feedStateKey = (feedId: string) => ({ PK: `FEED#${feedId}`, SK: 'STATE' });

/** A feed item already taken, by a hash of its id (ids are URLs and URNs of any length). */
export const feedItemKey = (feedId: string, itemId: string) => ({
  PK: `FEED#${feedId}`,
  SK: `ITEM#${createHash('sha256').update(itemId).digest('hex')}`,
});

/** The channel directory's one partition: its sites and channels (a few hundred at most). */
export const DIRECTORY_PK = 'DIR';
export const directorySiteKey = (siteId: string) => ({ PK: DIRECTORY_PK, SK: `SITE#${siteId}` });
export const directoryChannelKey = (channelId: string) => ({
  PK: DIRECTORY_PK,
  SK: `CHAN#${channelId}`,
});

/** Every change of the directory, newest last in key order: `<at>#<target>#<version>`. */
export const AUDIT_PK = 'AUDIT';
export const auditKey = (entry: { at: string; target: string; version: number }) => ({
  PK: AUDIT_PK,
  SK: `${entry.at}#${entry.target}#${String(entry.version).padStart(6, '0')}`,
});

/** An audit page's cursor: the sort key of the last entry handed out, opaque to callers. */
export const auditCursor = {
  encode: (sortKey: string) => Buffer.from(sortKey).toString('base64url'),
  decode: (cursor: string) => Buffer.from(cursor, 'base64url').toString(),
};

/**
 * A site's webhook signing keys of one kind (generic, WordPress, Ghost): never returned by
 * any API (docs/security.md). The generic kind keeps the sort key it always had.
 */
export const siteWebhookKey = (siteId: string, kind = 'generic') => ({
  PK: `SITEKEY#${siteId}`,
  SK: kind === 'generic' ? 'KEYS' : `KEYS#${kind}`,
});

/** The editors made through the API, one partition: `ED#<id>`. */
export const EDITORS_PK = 'EDITORS';
export const editorKey = (editorId: string) => ({ PK: EDITORS_PK, SK: `ED#${editorId}` });

/** An editor token's SHA-256 (hex), pointing at its editor. */
export const editorTokenKey = (tokenHash: string) => ({ PK: `ETOKEN#${tokenHash}`, SK: 'T' });

/**
 * An article that may hold a revision not composed yet, to look at from `checkAt`: one
 * partition read by time (`<checkAt>#<articleId>`), so the sweep never scans. Revisions
 * arrive a few a second at most, far below what one partition takes.
 */
export const COMPOSE_MARKERS_PK = 'COMPOSE';
export const composeMarkerKey = (checkAt: string, articleId: string) => ({
  PK: COMPOSE_MARKERS_PK,
  SK: `${checkAt}#${articleId}`,
});
