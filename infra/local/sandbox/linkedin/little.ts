/**
 * What LinkedIn makes of a post's `commentary` ("little text", learn.microsoft.com
 * `…/shares/little-text-format`): the text a reader sees. An escaped reserved character
 * shows as itself, `{hashtag|\#|tag}` and a bare `#tag` as a hashtag, `@[Name](urn:li:…)`
 * as the name; any other unescaped reserved character ends the post there, silently, as
 * LinkedIn does (composio#2710). Written from the format, not from Crier's composer, so
 * the sandbox checks the client's escaping instead of agreeing with it.
 */

const RESERVED = new Set([
  '\\',
  '|',
  '{',
  '}',
  '@',
  '[',
  ']',
  '(',
  ')',
  '<',
  '>',
  '#',
  '*',
  '_',
  '~',
]);
/** `\x` for a reserved x, or any character but the syntax around it. */
const ESCAPED = String.raw`\\[\\|{}@[\]()<>#*_~]`;
// Sticky: each matches only where the reader stands.
const HASHTAG_TEMPLATE = new RegExp(String.raw`\{hashtag\|\\#\|((?:${ESCAPED}|[^\\|{}])+)\}`, 'uy');
const MENTION = new RegExp(
  String.raw`@\[((?:${ESCAPED}|[^\\\]])*)\]\((urn:li:[A-Za-z]+:[A-Za-z0-9_-]+)\)`,
  'uy',
);
const BARE_HASHTAG = /#[\p{L}\p{M}\p{Nd}_]+/uy;

function unescapeLittle(text: string): string {
  return text.replace(/\\([\\|{}@[\]()<>#*_~])/g, '$1');
}

export type ReadText = {
  /** what a reader sees */
  text: string;
  /** where the text was cut at an unescaped reserved character, if it was */
  cutAt?: number;
};

function elementAt(pattern: RegExp, little: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(little);
}

export function littleTextToPlain(little: string): ReadText {
  let text = '';
  let at = 0;
  while (at < little.length) {
    const char = little[at] ?? '';
    const next = little[at + 1] ?? '';
    if (char === '\\' && RESERVED.has(next)) {
      text += next;
      at += 2;
      continue;
    }
    const template = char === '{' ? elementAt(HASHTAG_TEMPLATE, little, at) : null;
    const mention = char === '@' ? elementAt(MENTION, little, at) : null;
    const hashtag = char === '#' ? elementAt(BARE_HASHTAG, little, at) : null;
    if (template) text += `#${unescapeLittle(template[1] ?? '')}`;
    else if (mention) text += unescapeLittle(mention[1] ?? '');
    else if (hashtag) text += hashtag[0];
    else if (RESERVED.has(char)) return { text, cutAt: at };
    else text += char;
    at += (template ?? mention ?? hashtag)?.[0].length ?? 1;
  }
  return { text };
}
