/**
 * The text the server keeps of what an editor typed, before it counts it: in NFC, trimmed,
 * and on Bluesky with each full URL shown as its short label (bluesky/links.ts). The
 * editor UI's counter counts this same text, so both agree to the character.
 */
import type { Platform } from '../domain/platform';
import { labelLinks } from './bluesky/links';

export function keptText(platform: Platform, raw: string): string {
  const text = raw.normalize('NFC').trim();
  return platform === 'bluesky' ? labelLinks(text).text : text;
}
