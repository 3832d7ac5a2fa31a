/**
 * Where a network's feed cuts a long post behind its "See more" link. The figures are
 * what the networks show in their feeds, approximately: Instagram's help centre says a
 * caption shows three lines and recommends 125 characters; LinkedIn shows about three
 * lines (around 210 characters) before "…more"; Facebook about 477 characters on the
 * desktop feed before "See more". X, Bluesky, Mastodon, Threads and Telegram show a
 * post whole, so they have no fold here.
 */
import type { Platform } from '../domain/platform';
import { graphemes } from '../domain/text';

export type FoldRule = {
  /** characters (graphemes) shown before the cut */
  chars: number;
  /** lines (of the text's own line breaks) shown before the cut, where the network counts them */
  lines?: number;
  /** what the network shows at the cut, its ellipsis included */
  label: string;
};

export const FOLD_RULES: Partial<Record<Platform, FoldRule>> = {
  facebook: { chars: 477, label: '… See more' },
  linkedin: { chars: 210, lines: 3, label: '…more' },
  instagram: { chars: 125, lines: 3, label: '… more' },
};

/** How far back from the cut a word boundary is looked for, so no word is split. */
const WORD_BACKOFF = 20;

/**
 * The offset in `text` (UTF-16, for `slice`) where the network's fold falls, or
 * undefined when the whole post shows. The cut comes after the rule's characters or its
 * lines, whichever is first, moved back to the start of the word it would split.
 */
export function foldOffset(platform: Platform, text: string): number | undefined {
  const rule = FOLD_RULES[platform];
  if (!rule) return undefined;
  const trimmed = text.trimEnd();
  const parts = graphemes(trimmed);
  let offset = 0;
  let lines = 1;
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] ?? '';
    if (part === '\n' || part === '\r\n') {
      if (rule.lines !== undefined && lines >= rule.lines) {
        // The text goes on past the last line shown: the fold is at this line's end.
        return trimmed.slice(offset).trim() ? offset : undefined;
      }
      lines += 1;
    }
    if (index === rule.chars) return wordStart(trimmed, offset);
    offset += part.length;
  }
  return undefined;
}

/** `offset`, or the start of the word it falls in when that is near enough. */
function wordStart(text: string, offset: number): number {
  if (/\s/.test(text.charAt(offset)) || /\s/.test(text.charAt(offset - 1))) return offset;
  for (let at = offset - 1; at > 0 && offset - at <= WORD_BACKOFF; at -= 1) {
    if (/\s/.test(text.charAt(at))) return at + 1;
  }
  return offset;
}
