/**
 * Threads: where a channel allows them, a standfirst too long for one post continues in
 * replies instead of being cut. The first post is the template with as much of the
 * standfirst as fits; each reply carries the next part, split after a sentence where
 * one fits, else after a clause (a comma, a semicolon, a colon, a dash, a closing
 * bracket), else after a word, else between graphemes; every post's part of the
 * standfirst ends with its number (" 1/3"), and the hashtags go on the last post.
 */
import {
  type Budget,
  type FittedPost,
  hashtagLine,
  keepHashtags,
  type PostParts,
  renderParts,
} from './fit';
import { breakPoints, graphemeEnds, lastIndexWhere, shortenToFit } from './shorten';
import { stripInvisible, templateFields } from './template';
import { protectedSpans, type Span, spanAround } from './tokens';

export type FittedThread = FittedPost & {
  /** the replies, in order, each valid on its own */
  thread: string[];
  /** the standfirst needed more than the channel's most posts, so the last one is cut */
  cut: boolean;
};

/** The number that ends each part of a thread: " 2/3" (a space, the part, a slash, the count). */
export function threadNumber(index: number, total: number): string {
  return ` ${index}/${total}`;
}

const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });
// Intl.Segmenter ends a sentence after any full stop and a space; after a title, an
// initial or an initialism ("Mr.", "J.", "U.S.") a reader expects the sentence to go on.
const ABBREVIATION =
  /(?:^|[\s(])(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Gen|Gov|Sen|Rep|Lt|Col|Capt|Sgt|Rev|Hon|vs|etc|No|Fig|Inc|Ltd|Co|Corp|approx|Jan|Feb|Aug|Sept?|Oct|Nov|Dec|\p{Lu}|\p{L}(?:\.\p{L})+)\.$/u;

/** Offsets where a sentence of `text` ends and the next begins, ascending. */
export function sentenceEnds(
  text: string,
  spans: readonly Span[] = protectedSpans(text),
): number[] {
  const ends: number[] = [];
  for (const { segment, index } of sentences.segment(text)) {
    const end = index + segment.length;
    if (end >= text.length || spanAround(spans, end)) continue;
    if (!ABBREVIATION.test(segment.trimEnd())) ends.push(end);
  }
  return ends;
}

// A clause ends after a comma, semicolon or colon followed by a space (so never inside
// "1,000" or "3:30"), after a spaced dash (" — ", " – "), or after a closing bracket
// followed by a space; the full-width marks of Chinese and Japanese need no space.
// Quotes are left out: a closing quote is as often an apostrophe ("ministers’ plan").
const CLAUSE_END = /[,;:،؛](?=\s)|\s[—–](?=\s)|[)\]](?=\s)|[，、；：）](?=\S)/gu;
const OPEN = /[([（]/gu;
const CLOSE = /[)\]）]/gu;

/** Whether `offset` falls inside a bracket opened before it and not yet closed. */
function insideBrackets(text: string, offset: number): boolean {
  const before = text.slice(0, offset);
  return (before.match(OPEN)?.length ?? 0) > (before.match(CLOSE)?.length ?? 0);
}

/**
 * Offsets where a clause of `text` ends, ascending: the part before it may end a post
 * and the rest start the next. None inside a link, hashtag or mention, inside brackets
 * (a bracket's clause goes with it: the break comes after its closing bracket), nor at
 * the end.
 */
export function clauseEnds(text: string, spans: readonly Span[] = protectedSpans(text)): number[] {
  const ends: number[] = [];
  for (const match of text.matchAll(CLAUSE_END)) {
    const end = match.index + match[0].length;
    if (end >= text.trimEnd().length || insideBrackets(text, end)) continue;
    if (spanAround(spans, end) || spanAround(spans, match.index)) continue;
    ends.push(end);
  }
  return ends;
}

type Split = 'sentences' | 'clauses' | 'words';

/** The standfirst's parts, where the last one starts, and where the unplaced rest starts. */
type Layout = { parts: string[]; lastAt: number; restAt: number };

/**
 * Where the part that starts `text` ends: all of it if it fits, else after the last
 * sentence (when splitting by sentences), then clause (unless splitting by words), then
 * word that fits, else inside a first word longer than a whole post. 0 only where
 * `mayBeEmpty`; undefined if no part fits.
 */
function partEnd(
  text: string,
  fits: (part: string) => boolean,
  split: Split,
  mayBeEmpty: boolean,
): number | undefined {
  if (fits(text)) return text.length;
  const spans = protectedSpans(text);
  const words = breakPoints(text, spans);
  const tries: number[][] = [];
  if (split === 'sentences') tries.push(sentenceEnds(text, spans));
  if (split !== 'words') tries.push(clauseEnds(text, spans));
  tries.push(words);
  if (!mayBeEmpty) tries.push(graphemeEnds(text, 0, words[0] ?? text.length, spans));
  for (const ends of tries) {
    const best = lastIndexWhere(ends.length, (i) => fits(text.slice(0, ends[i]).trimEnd()));
    if (best >= 0) return ends[best];
  }
  return mayBeEmpty && fits('') ? 0 : undefined;
}

/**
 * The post (and its replies) with the standfirst split across at most `max` posts, or
 * undefined where a thread is not needed (the standfirst fits whole once hashtags give
 * way) or cannot help (the first post does not fit even without the standfirst, or a
 * link longer than a post).
 */
export function fitThread(
  template: string,
  parts: PostParts,
  budget: Budget,
  max: number,
): FittedThread | undefined {
  const summary = stripInvisible(parts.summary).trim().normalize('NFC');
  if (!summary || !templateFields(template).has('summary')) return undefined;
  const fits = (text: string) => budget.measure(text).fits;
  const firstPost = (part: string, total: number) =>
    renderParts(template, { ...parts, summary: `${part}${threadNumber(1, total)}`, hashtags: [] });
  const reply = (part: string, index: number, total: number) =>
    `${part}${threadNumber(index, total)}`.normalize('NFC');
  if (fits(renderParts(template, { ...parts, summary, hashtags: [] }))) return undefined;

  /** The parts for a thread of `total` posts, filled in order; at most `max` of them. */
  const layout = (total: number, split: Split): Layout | undefined => {
    const pieces: string[] = [];
    let lastAt = 0;
    let at = 0;
    while (at < summary.length && pieces.length < max) {
      const index = pieces.length + 1;
      const text = summary.slice(at);
      const end = partEnd(
        text,
        index === 1
          ? (part) => fits(firstPost(part, total))
          : (part) => fits(reply(part, index, total)),
        split,
        index === 1,
      );
      if (end === undefined) return undefined;
      pieces.push(text.slice(0, end).trimEnd());
      lastAt = at;
      at += end;
      while (/\s/u.test(summary.charAt(at))) at++;
    }
    return { parts: pieces, lastAt, restAt: at };
  };

  const build = (pieces: readonly string[], total: number, cut: boolean) => {
    const [first = '', ...rest] = pieces;
    const replies = rest.map((part, i) => reply(part, i + 2, total));
    const last = replies.pop() ?? '';
    const withTags = (tags: readonly string[]) =>
      tags.length ? `${last}\n\n${hashtagLine(tags)}` : last;
    const hashtags = templateFields(template).has('hashtags')
      ? keepHashtags(parts.hashtags, (tags) => fits(withTags(tags)))
      : [];
    const text = firstPost(first, total);
    const thread = [...replies, withTags(hashtags)];
    // The counts above were each part's own; checked once more as posted.
    if (![text, ...thread].every(fits)) return undefined;
    return { text, used: budget.measure(text).used, hashtags, thread, cut };
  };

  let overflow: Layout | undefined;
  // Sentences read best, then clauses; words pack tighter, for a standfirst that needs
  // it to fit `max`.
  for (const split of ['sentences', 'clauses', 'words'] as const) {
    // The numbers' width depends on the count, and the count on the room left: from
    // two posts up, until a count holds the whole standfirst.
    let total = 2;
    for (;;) {
      const found = layout(total, split);
      if (!found) break;
      const count = found.parts.length;
      if (found.restAt >= summary.length && count <= total) {
        return count >= 2 ? build(found.parts, count, false) : undefined;
      }
      if (total === max) {
        overflow = found;
        break;
      }
      total = Math.min(max, Math.max(total + 1, count));
    }
  }
  if (!overflow) return undefined;
  // Still too long at `max` posts: the last one takes the rest, cut on a word with "…".
  const lastPart = shortenToFit(summary.slice(overflow.lastAt), (part) =>
    fits(reply(part, max, max)),
  );
  return lastPart ? build([...overflow.parts.slice(0, -1), lastPart], max, true) : undefined;
}
