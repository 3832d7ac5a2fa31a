/**
 * A thread's parts as the editor handles them, apart from the page: each part's count as
 * the API counts it (the text the server keeps, with the network's own counter), the
 * channel's thread size, and the thread numbers (" 2/4") that follow parts added and
 * removed.
 */
import { type Platform, THREAD_PLATFORMS } from '../../shared/domain/platform';
import { countFor } from './count';
import type { Channel } from './schemas';

/** The most posts of a thread on the channel, as the server decides it; undefined: single posts. */
export function threadMaxOf(channel: Channel | undefined): number | undefined {
  if (!channel?.thread?.enabled || !THREAD_PLATFORMS.includes(channel.platform)) return undefined;
  return channel.thread.max;
}

/** The text the server keeps of a part, and so the text it counts. */
export const keptText = (part: string) => part.normalize('NFC').trim();

/** The count of one post as the API counts it: an empty post is refused too. */
export function partCount(platform: Platform, part: string, limit?: number) {
  const kept = keptText(part);
  const count = countFor(platform, kept, limit);
  return kept === '' ? { ...count, fits: false, problem: 'a part must not be empty' } : count;
}

/**
 * `text` with its thread number ` index/total` (as the composer ends each part with it)
 * changed to ` index'/total'` (or dropped, for a single post); a text without that number
 * is left as the editor wrote it.
 */
export function renumber(
  text: string,
  from: readonly [number, number],
  to: readonly [number, number],
): string {
  if (from[0] === to[0] && from[1] === to[1]) return text;
  // A thread of one post is a single post: its number goes, with the space before it.
  if (to[1] === 1)
    return text.replace(new RegExp(`[^\\S\\n]${from[0]}/${from[1]}(?=\\s|$)`, 'u'), '');
  const mark = new RegExp(`(^|\\s)${from[0]}/${from[1]}(?=\\s|$)`, 'u');
  return text.replace(mark, `$1${to[0]}/${to[1]}`);
}

/** The first post and the replies, renumbered for a thread of `parts.length + 1` posts. */
export function renumbered(
  text: string,
  oldParts: readonly string[],
  parts: readonly (string | undefined)[],
  oldIndexOf: (i: number) => number | undefined,
): { text: string; parts: string[] } {
  const oldTotal = oldParts.length + 1;
  const total = parts.length + 1;
  return {
    text: renumber(text, [1, oldTotal], [1, total]),
    parts: parts.map((part, i) => {
      const old = oldIndexOf(i);
      return old === undefined
        ? (part ?? '')
        : renumber(oldParts[old] ?? '', [old + 2, oldTotal], [i + 2, total]);
    }),
  };
}
