/** `{authors}` and `{handles}`: the byline as a list in the article's language. */
import type { Author } from '../../domain/article';
import type { AuthorDirectory } from '../../domain/channel';
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

// The CMS and the config file may spell a name with other capitals or spacing.
const nameKey = (name: string) => name.normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();

/** The directory's handles for `name`: its own entry, else one spelled the same way. */
function directoryEntry(
  directory: AuthorDirectory,
  name: string,
): AuthorDirectory[string] | undefined {
  const exact = directory[name];
  if (exact) return exact;
  const key = nameKey(name);
  return Object.entries(directory).find(([other]) => nameKey(other) === key)?.[1];
}

/**
 * Each author as a mention on `platform`: the payload's handle, else the directory's
 * (the config's `authors`), else the name where neither is a usable handle.
 */
export function authorHandles(
  authors: readonly Author[],
  platform: Platform,
  mention: (handle: string) => string | undefined,
  language: string | undefined,
  directory: AuthorDirectory = {},
): string {
  return joinNames(
    authors.map((author) => {
      const handles = [
        author.handles[platform],
        directoryEntry(directory, author.name)?.[platform],
      ];
      for (const handle of handles) {
        const written = handle && mention(handle);
        if (written) return written;
      }
      return author.name;
    }),
    language,
  );
}
