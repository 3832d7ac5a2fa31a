/**
 * The count beside each channel on the New post page: the text that channel would get
 * (the link placed and tagged as the server places it, shared/platforms/desk-text.ts),
 * counted by its network's own counter (count.ts), so the page and the API agree.
 */
import * as z from 'zod/mini';
import { deskLinkUrl, deskText } from '../../shared/platforms/desk-text';
import { countFor, type LiveCount } from './count';
import type { Channel } from './schemas';

/** A desk post's `{sourceId}` is 32 characters: the count needs its length, not its value. */
const SOURCE_ID_STANDIN = '0'.repeat(32);

/** What the count reads of a channel beyond what the channel list's schema names. */
const countedChannel = z.object({
  utm: z.optional(
    z.object({
      source: z.string(),
      medium: z.string(),
      campaign: z.string(),
      term: z.optional(z.string()),
      content: z.optional(z.string()),
    }),
  ),
  maxCharacters: z.optional(z.number()),
  approval: z.optional(z.string()),
});

export type DeskCount = LiveCount & { text: string; approval: boolean };

/** The text `channel` would get from the editor's `text` and `link`, and its network's count. */
export function deskCount(
  channel: Pick<Channel, 'id' | 'platform'> & Record<string, unknown>,
  text: string,
  link: string,
): DeskCount {
  const parsed = countedChannel.safeParse(channel);
  const fields = parsed.success ? parsed.data : {};
  const shared = link
    ? deskLinkUrl(
        link,
        { id: channel.id, platform: channel.platform, utm: fields.utm },
        SOURCE_ID_STANDIN,
      )
    : undefined;
  const final = deskText(channel.platform, text, link || undefined, shared);
  const limit = channel.platform === 'mastodon' ? fields.maxCharacters : undefined;
  return {
    ...countFor(channel.platform, final, limit),
    text: final,
    approval: fields.approval === 'required',
  };
}
