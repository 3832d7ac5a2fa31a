/**
 * An editor's own replies of a thread (the posts after the first): each counted and
 * refused as the network counts a post (edited-text.ts, the same code as the first
 * post's), and no more of them than the channel threads.
 */
import type { Channel } from '../domain/channel';
import { ValidationError } from '../domain/errors';
import { NETWORK_NAMES, THREAD_PLATFORMS } from '../domain/platform';
import { checkEditedText } from './edited-text';

/**
 * The most posts of a thread on `channel`, the first included, as compose decides it
 * (the channel's `thread` on a network that takes replies); undefined where it makes
 * single posts only.
 */
export function threadMax(channel: Channel): number | undefined {
  return channel.thread.enabled && THREAD_PLATFORMS.includes(channel.platform)
    ? channel.thread.max
    : undefined;
}

/**
 * The editor's `raw` replies, each trimmed and in NFC, or a ValidationError naming
 * `thread` (a channel that makes single posts, too many parts) or `thread.<i>` (a part
 * empty, or over the network's limit: a PostTextError with its count). `[]` is always
 * taken: the post becomes a single one.
 */
export function checkEditedThread(
  channel: Channel,
  raw: readonly string[],
  limit: number,
): string[] {
  if (raw.length === 0) return [];
  const max = threadMax(channel);
  if (max === undefined) {
    const why = THREAD_PLATFORMS.includes(channel.platform)
      ? `channel ${channel.id} does not make threads (its thread.enabled is off)`
      : `${NETWORK_NAMES[channel.platform]} takes no threads from Crier`;
    const message = `must be empty: ${why}`;
    throw new ValidationError(`Invalid thread: ${message}`, [{ field: 'thread', message }]);
  }
  if (raw.length > max - 1) {
    const message = `has ${raw.length} parts; channel ${channel.id} makes threads of at most ${max} posts, the first and ${max - 1} ${max - 1 === 1 ? 'reply' : 'replies'}`;
    throw new ValidationError(`Invalid thread: ${message}`, [{ field: 'thread', message }]);
  }
  return raw.map((part, i) => {
    // Counted as it goes out (a Bluesky URL as its label), but kept as typed: a reply's
    // full URLs become labels with their links when it is sent (bluesky/records.ts), where
    // a label kept here would link only the share's own URL.
    checkEditedText(channel, part, limit, `thread.${i}`);
    return part.normalize('NFC').trim();
  });
}
