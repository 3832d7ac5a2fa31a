/**
 * The texts a correction puts on a network: what a post is edited to (the post composed
 * for the corrected revision, the note added where it fits) and the note replied under a
 * post (cut to fit the network).
 */
import type { Channel } from '../domain/channel';
import { CORRECTION_PREFIX, noteText, type PendingCorrection } from '../domain/correction';
import { graphemes } from '../domain/text';
import { fitsLimit, textLimit } from './edited-text';

/**
 * The edited post: `post` (the revision's post, or the editor's own text where they set
 * one) and, for a correction with a note, a blank line and the note, where the whole still
 * fits the channel's limit; where it does not, the post alone (the corrected text says it).
 */
export function editedPostText(
  channel: Channel,
  post: string,
  note: string | undefined,
  serverLimit?: number,
): string {
  if (!note) return post;
  const limit = textLimit(channel, serverLimit);
  const withNote = `${post}\n\n${CORRECTION_PREFIX} ${note}`;
  return fitsLimit(channel.platform, withNote, limit) ? withNote : post;
}

/** The note replied under a post, cut with an ellipsis to the channel's limit. */
export function replyNoteText(
  channel: Channel,
  pending: Pick<PendingCorrection, 'trigger' | 'note' | 'title'>,
): string {
  const whole = noteText(pending);
  const limit = textLimit(channel);
  if (fitsLimit(channel.platform, whole, limit)) return whole;
  const parts = graphemes(whole);
  // The longest cut that fits, found by halving: counting rules differ by network.
  let low = 0;
  let high = parts.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fitsLimit(channel.platform, `${parts.slice(0, mid).join('').trimEnd()}…`, limit)) low = mid;
    else high = mid - 1;
  }
  return `${parts.slice(0, low).join('').trimEnd()}…`;
}
