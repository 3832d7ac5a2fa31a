/**
 * The texts a correction puts on a network: what a post is edited to (the post composed
 * for the corrected revision, the note added where it fits) and the note replied under a
 * post (cut to fit the network).
 */
import type { Channel } from '../domain/channel';
import { CORRECTION_PREFIX, noteText, type PendingCorrection } from '../domain/correction';
import type { Share } from '../domain/share';
import { graphemes } from '../domain/text';
import { fitsLimit, textLimit } from './edited-text';
import { fitsCaption, TELEGRAM_MAX_CAPTION_LENGTH } from './telegram/rules';

/**
 * The edited post: `post` (the revision's post, or the editor's own text where they set
 * one) and, for a correction with a note, a blank line and the note, where the whole still
 * fits the channel's limit; where it does not, the post alone (the corrected text says it).
 */
export function editedPostText(
  channel: Channel,
  post: string,
  note: string | undefined,
  limit = textLimit(channel),
): string {
  if (!note) return post;
  const withNote = `${post}\n\n${CORRECTION_PREFIX} ${note}`;
  return fitsLimit(channel.platform, withNote, limit) ? withNote : post;
}

/**
 * The longest text the published post can be edited to: a Telegram photo's caption
 * (a post that went out as a photo, its text within a caption's length) takes 1024
 * characters, where a message takes 4096; elsewhere the channel's limit, the server's
 * (`serverLimit`, Mastodon) where it is lower.
 */
export function editLimit(
  channel: Channel,
  published: Pick<Share, 'text' | 'media'>,
  serverLimit?: number,
): number {
  if (channel.platform === 'telegram' && published.media?.length && fitsCaption(published.text)) {
    return TELEGRAM_MAX_CAPTION_LENGTH;
  }
  return textLimit(channel, serverLimit);
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
