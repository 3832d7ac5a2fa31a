/**
 * Fitting a post to a network's limit. The URL and the template's own text never
 * change; the rest gives way in the order social editors would choose: hashtags from
 * the end, then the summary, then section and bylines, then the site name, and the
 * title last.
 */
import type { TemplateField } from '../../domain/channel';
import type { Measure } from './network';
import { lastIndexWhere, shortenToFit } from './shorten';
import { renderTemplate, type TemplateValues, templateFields } from './template';

/** A summary cut to fewer words than this says too little: it is dropped instead. */
export const MIN_SUMMARY_WORDS = 3;

/** The template's values, with the hashtags (without `#`) still separate. */
export type PostParts = Omit<TemplateValues, 'hashtags'> & { hashtags: readonly string[] };

export type FittedPost = { text: string; used: number; hashtags: string[] };

export type Budget = {
  /** the network's count of a text, and whether it accepts it */
  measure: (text: string) => Measure;
  limit: number;
  unit: string;
  /** names the channel in the error message */
  label: string;
};

/** Even with everything that may give way gone, the post is over the network's limit. */
export class PostTooLongError extends Error {
  readonly limit: number;
  constructor(message: string, limit: number) {
    super(message);
    this.name = 'PostTooLongError';
    this.limit = limit;
  }
}

type Step = (parts: PostParts, fits: (parts: PostParts) => boolean) => PostParts;

/**
 * The first of `hashtags`, as many as `fits` accepts: dropped one at a time from the end,
 * but found by binary search, since fewer hashtags are never longer.
 */
export function keepHashtags(
  hashtags: readonly string[],
  fits: (kept: string[]) => boolean,
): string[] {
  const most = lastIndexWhere(hashtags.length + 1, (count) => fits(hashtags.slice(0, count)));
  return hashtags.slice(0, Math.max(0, most));
}

const dropHashtagsFromEnd: Step = (parts, fits) => ({
  ...parts,
  hashtags: keepHashtags(parts.hashtags, (hashtags) => fits({ ...parts, hashtags })),
});

const shorten =
  (field: 'summary' | 'title', minWords: number): Step =>
  (parts, fits) => ({
    ...parts,
    [field]: shortenToFit(parts[field], (value) => fits({ ...parts, [field]: value }), minWords),
  });

const drop =
  (field: 'section' | 'authors' | 'author' | 'handles' | 'site'): Step =>
  (parts) => ({ ...parts, [field]: '' });

const STEPS: readonly (readonly [TemplateField, Step])[] = [
  ['hashtags', dropHashtagsFromEnd],
  ['summary', shorten('summary', MIN_SUMMARY_WORDS)],
  ['section', drop('section')],
  ['authors', drop('authors')],
  ['author', drop('author')],
  ['handles', drop('handles')],
  ['site', drop('site')],
  ['title', shorten('title', 1)],
];

/** Hashtags (without `#`) as a post shows them: `#LatinAmerica #Bolivia`. */
export function hashtagLine(hashtags: readonly string[]): string {
  return hashtags.map((tag) => `#${tag}`).join(' ');
}

export function renderParts(template: string, parts: PostParts): string {
  return renderTemplate(template, { ...parts, hashtags: hashtagLine(parts.hashtags) });
}

/** The post as long as the budget allows; throws PostTooLongError if it cannot fit. */
export function fitPost(template: string, parts: PostParts, budget: Budget): FittedPost {
  const shown = templateFields(template);
  const fits = (candidate: PostParts) => budget.measure(renderParts(template, candidate)).fits;
  let current = parts;
  let text = renderParts(template, current);
  if (!text) throw new Error(`The template of ${budget.label} renders an empty post`);
  let measured = budget.measure(text);
  for (const [field, step] of STEPS) {
    if (measured.fits) break;
    if (!shown.has(field) || current[field].length === 0) continue;
    current = step(current, fits);
    text = renderParts(template, current);
    measured = budget.measure(text);
  }
  if (!measured.fits) {
    throw new PostTooLongError(
      `Cannot fit a post for ${budget.label} into ${budget.limit} ${budget.unit}: with the ` +
        `hashtags, summary, section, bylines and site name dropped and the title shortened it is still ` +
        `too long. Shorten the template's own text: "${text.slice(0, 80)}…"`,
      budget.limit,
    );
  }
  return {
    text,
    used: measured.used,
    hashtags: shown.has('hashtags') ? [...current.hashtags] : [],
  };
}
