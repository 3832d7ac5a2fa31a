/**
 * Telegram channels: 4,096 characters for a text message and 1,024 for a photo caption,
 * "after entities parsing" (docs/networks.md, Telegram, "Limits"). Crier sends plain text, so
 * the text is what Telegram counts, and Crier counts UTF-16 code units: Telegram does not
 * name its unit (one measurement found code points, FerroxLabs/wayland#934), and UTF-16
 * is never fewer than code points, so a post that fits here fits whichever it uses.
 */
import type { Measure, NetworkRules } from '../compose/network';

export const TELEGRAM_MAX_MESSAGE_LENGTH = 4096;
export const TELEGRAM_MAX_CAPTION_LENGTH = 1024;
/**
 * tdlib links at most 256 code points after `#` as one hashtag; 100 graphemes is long
 * enough for any real tag and stays inside that in every script.
 */
export const TELEGRAM_MAX_HASHTAG_GRAPHEMES = 100;

// Telegram usernames: letters, digits and `_`, starting with a letter; 5-32 characters,
// 4 for the collectible ones sold on Fragment.
const USERNAME =
  /^(?:@|(?:https?:\/\/)?(?:t\.me|telegram\.me)\/)?([A-Za-z][A-Za-z0-9_]{3,31})\/?$/i;

/** The length of `text` as Crier counts it for Telegram: UTF-16 code units. */
export function telegramLength(text: string): number {
  return text.length;
}

export function measureTelegram(text: string, limit = TELEGRAM_MAX_MESSAGE_LENGTH): Measure {
  const used = telegramLength(text);
  // Telegram refuses a text that is empty once trimmed: "message text is empty".
  return { used, fits: used <= limit && text.trim() !== '' };
}

/** Whether `text` can go out as a photo's caption rather than as a text message. */
export function fitsCaption(text: string): boolean {
  return telegramLength(text) <= TELEGRAM_MAX_CAPTION_LENGTH;
}

/** `@name` from `@name`, `name` or a `https://t.me/name` link; undefined if it is none. */
export function telegramMention(handle: string): string | undefined {
  const name = USERNAME.exec(handle.trim())?.[1];
  return name ? `@${name}` : undefined;
}

export const telegramRules: Omit<NetworkRules, 'finish'> = {
  platform: 'telegram',
  unit: 'characters',
  limit: () => TELEGRAM_MAX_MESSAGE_LENGTH,
  measure: measureTelegram,
  maxHashtagGraphemes: TELEGRAM_MAX_HASHTAG_GRAPHEMES,
  mention: telegramMention,
};
