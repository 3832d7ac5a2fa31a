/**
 * How a share is named within its article: by its channel id, and for an evergreen
 * re-share by `<channelId>~<round>` (round 2 and up). Channel ids are lowercase letters,
 * digits and dashes, so `~` never occurs in one. The same string is the share's sort
 * key suffix (`S#<key>`), the last part of its index keys and the editor API's
 * `{channelId}` path segment. Among all shares a share is named by its ref (`refOf`).
 */
import type { ShareRef } from './ports';

export type ShareKeyParts = { channelId: string; round?: number };

/** Just the ref, from a share or anything holding one: what the store and the queues take. */
export const refOf = (share: ShareRef): ShareRef =>
  share.round
    ? { articleId: share.articleId, channelId: share.channelId, round: share.round }
    : { articleId: share.articleId, channelId: share.channelId };

export function shareKeyOf({ channelId, round }: ShareKeyParts): string {
  return round && round > 1 ? `${channelId}~${round}` : channelId;
}

/** A key back into its parts, or undefined when it is not one. */
export function parseShareKey(key: string): ShareKeyParts | undefined {
  const match = /^([a-z0-9][a-z0-9-]{0,62})(?:~([2-9]|[1-9][0-9]{1,3}))?$/.exec(key);
  if (!match?.[1]) return undefined;
  return match[2] ? { channelId: match[1], round: Number(match[2]) } : { channelId: match[1] };
}
