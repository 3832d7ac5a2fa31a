/** `{authors}` and `{handles}`: the byline as a list in the article's language. */
import type { Author } from '../../domain/article';
import type { Platform } from '../../domain/platform';

// British English lists read "A, B and C", as newsrooms write bylines.
const ENGLISH = 'en-GB';

function listFormat(language: string | undefined): Intl.ListFormat {
  const locale = !language || /^en\b/i.test(language) ? ENGLISH : language;
  try {
    return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
  } catch {
    return new Intl.ListFormat(ENGLISH, { style: 'long', type: 'conjunction' });
  }
}

/** Names joined as "A, B and C" (or the article language's own way of saying it). */
export function joinNames(names: readonly string[], language: string | undefined): string {
  return listFormat(language).format(names);
}

export function authorNames(authors: readonly Author[], language: string | undefined): string {
  return joinNames(
    authors.map((author) => author.name),
    language,
  );
}

/** Each author as a mention on `platform`, or by name where there is no usable handle. */
export function authorHandles(
  authors: readonly Author[],
  platform: Platform,
  mention: (handle: string) => string | undefined,
  language: string | undefined,
): string {
  return joinNames(
    authors.map((author) => {
      const handle = author.handles[platform];
      return (handle && mention(handle)) || author.name;
    }),
    language,
  );
}
