/**
 * A desk post's text as each network gets it (POST /api/posts): the editor's words, in NFC
 * and trimmed, with the link where the network wants it. Pure, so the editor UI counts
 * exactly the text the server checks and sends.
 */
import type { Channel } from '../domain/channel';
import type { Platform } from '../domain/platform';
import { withUtm } from './compose/utm';
import { MASTODON_MAX_ALT_CHARACTERS } from './mastodon/rules';
import { THREADS_MAX_ALT_TEXT } from './threads/rules';
import { X_MAX_ALT_CHARACTERS } from './x/rules';

/**
 * Where the link goes on each network. In the text where a link in the text is what makes
 * the preview (X, Bluesky, Mastodon, Threads, Telegram); on LinkedIn and Facebook it is
 * the post's link attachment (the card compose sends with an article) and the text stays
 * the editor's; Instagram links nothing in a caption, so the link stays out of it.
 */
export const LINK_PLACE: Record<Platform, 'text' | 'attachment' | 'none'> = {
  x: 'text',
  bluesky: 'text',
  mastodon: 'text',
  threads: 'text',
  telegram: 'text',
  linkedin: 'attachment',
  facebook: 'attachment',
  instagram: 'none',
};

/** The editor's text as every network keeps it: NFC, trimmed, nothing cut. */
export const cleanDeskText = (text: string): string => text.normalize('NFC').trim();

/** What a desk post's UTM `{sourceId}` is: the post id without its `desk-` mark (32 characters). */
export const deskSourceIdOf = (articleId: string): string => articleId.replace(/^desk-/, '');

/** The link as the channel shares it: with the channel's UTM parameters, as an article's URL. */
export function deskLinkUrl(
  link: string,
  channel: Pick<Channel, 'id' | 'platform' | 'utm'>,
  sourceId: string,
): string {
  return withUtm(link, channel.utm, {
    platform: channel.platform,
    channel: channel.id,
    section: '',
    sourceId,
  });
}

/**
 * The post's text on `platform`: the editor's, with `url` (the shared link) after a blank
 * line where the link goes in the text. A text that already holds the link has it
 * replaced by `url` where it stands instead.
 */
export function deskText(platform: Platform, text: string, link?: string, url?: string): string {
  const clean = cleanDeskText(text);
  if (!link || !url || LINK_PLACE[platform] !== 'text') return clean;
  const at = clean.indexOf(link);
  if (at !== -1) return `${clean.slice(0, at)}${url}${clean.slice(at + link.length)}`;
  return clean ? `${clean}\n\n${url}` : url;
}

/** A desk post's title in the lists: its first line, cut on a word to about 120 characters. */
export function deskTitle(text: string, max = 120): string {
  const line = cleanDeskText(text).split('\n')[0]?.trim() ?? '';
  const chars = [...line];
  if (chars.length <= max) return line;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The longest alt text each network takes for an image, in characters (code points),
 * where it sets one: the composers' own limits (compose cuts an article's alt text to
 * them; a desk post's is refused over them instead).
 */
export const ALT_TEXT_LIMITS: Partial<Record<Platform, number>> = {
  x: X_MAX_ALT_CHARACTERS,
  mastodon: MASTODON_MAX_ALT_CHARACTERS,
  threads: THREADS_MAX_ALT_TEXT,
};
