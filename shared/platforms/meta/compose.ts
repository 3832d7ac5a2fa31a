/** What Threads and Instagram composers share: Meta's usernames, and no reply threads. */
import type { Channel } from '../../domain/channel';

// Instagram and Threads share one username space: letters, digits, `.` and `_`, at most 30.
const USERNAME = /^@?([A-Za-z0-9._]{1,30})$/;
const PROFILE_URL =
  /^https?:\/\/(?:www\.)?(?:instagram\.com|threads\.net|threads\.com)\/@?([A-Za-z0-9._]{1,30})\/?$/i;

/** `@name` for an Instagram or Threads username, bare, with `@`, or as a profile URL. */
export function metaMention(handle: string): string | undefined {
  const trimmed = handle.trim();
  const name = USERNAME.exec(trimmed)?.[1] ?? PROFILE_URL.exec(trimmed)?.[1];
  // A name of dots alone, or ending in one, is not a valid username on either network.
  if (!name || /^\.+$/.test(name) || name.endsWith('.')) return undefined;
  return `@${name.toLowerCase()}`;
}

/**
 * The channel with threading off. Instagram takes no replies from Crier (one container
 * per share), so a standfirst that does not fit is cut rather than continued in posts
 * nobody would publish.
 */
export function singlePost(channel: Channel): Channel {
  if (!channel.thread.enabled) return channel;
  return { ...channel, thread: { ...channel.thread, enabled: false } };
}
