/**
 * The normalized article every part of Crier reads. The generic article of the webhook
 * contract, and how a payload becomes an article, are in article-payload.ts: only the
 * functions that read a CMS payload load its schema and the HTML entity decoder.
 */
import type * as z from 'zod';
import { ValidationError } from './errors';
import type { PLATFORMS } from './platform';

/** The site an article or channel belongs to when none is named. */
export const DEFAULT_SITE_ID = 'default';

export const ARTICLE_PRIORITIES = ['breaking', 'normal', 'evergreen'] as const;
export const ARTICLE_STATUSES = ['published', 'unpublished', 'deleted'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

/** What editors see on each share of an article whose image was a `data:` URL. */
export const DATA_IMAGE_WARNING =
  'The CMS sent the image as a data: URL, which no network can fetch: the article goes out without it.';

/**
 * An article's own choice of channels, by id (docs/api.md, "Choosing channels per
 * article"): `only` just these, `skip` all but these. Ids that name no channel are ignored.
 */
export type ChannelChoice = { only?: string[]; skip?: string[] };

/** Drops duplicates and empty lists; no list left is no choice at all. */
export function normalizeChoice(
  choice: { only?: readonly string[]; skip?: readonly string[] } | undefined,
): ChannelChoice | undefined {
  const clean = (ids: readonly string[] | undefined) => {
    const unique = [...new Set((ids ?? []).map((id) => id.trim().toLowerCase()))].filter(Boolean);
    return unique.length ? unique : undefined;
  };
  const only = clean(choice?.only);
  const skip = clean(choice?.skip);
  if (!only && !skip) return undefined;
  return { ...(only ? { only } : {}), ...(skip ? { skip } : {}) };
}

/** Where articles come from: a CMS (or its feed), told of each post it gets. */
export const CMS_SOURCES = ['generic', 'wordpress', 'ghost', 'feed'] as const;
/**
 * `desk`: a post of the desk's own (POST /api/posts), written in the editor UI, with no
 * page of its own and no CMS to tell (shared/usecases/desk-post.ts).
 */
export const DESK_SOURCE = 'desk';
export const ARTICLE_SOURCES = [...CMS_SOURCES, DESK_SOURCE] as const;
export type ArticleSource = (typeof ARTICLE_SOURCES)[number];

/** Whether the article is a desk post: no URL of its own, no CMS behind it. */
export const isDeskPost = (article: Pick<Article, 'source'>): boolean =>
  article.source === DESK_SOURCE;

export type Author = { name: string; handles: Partial<Record<(typeof PLATFORMS)[number], string>> };

/** An article as Crier keeps it: clean text, UTC instants, empty values dropped. */
export type Article = {
  source: ArticleSource;
  sourceId: string;
  /** the article's page; empty for a desk post, which has none */
  url: string;
  /** a desk post's link, as the editor gave it (the shares carry it per network) */
  link?: string;
  title: string;
  summary?: string;
  imageUrl?: string;
  imageAlt?: string;
  imageCredit?: string;
  authors: Author[];
  section?: string;
  tags: string[];
  language?: string;
  revision: number;
  /** the CMS's correction note on this revision: what was wrong and what was put right */
  correction?: string;
  priority: (typeof ARTICLE_PRIORITIES)[number];
  publishedAt: string;
  shareAt?: string;
  status: ArticleStatus;
  /** the site the article was published on; absent: the default site, `default` */
  siteId?: string;
  /** the article's own choice of channels, when it makes one */
  channels?: ChannelChoice;
  /** what Crier dropped or changed on the way in, shown to editors on every share */
  warnings?: string[];
};

/** The site an article belongs to: its `siteId`, or the default site. */
export const siteOf = (article: Pick<Article, 'siteId'>): string =>
  article.siteId ?? DEFAULT_SITE_ID;

/** zod issues as the 400 body names them: `authors.0.name`, `url`, ... */
export function fieldIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join('.') : '(body)',
    message: issue.message,
  }));
}

/** A ValidationError that names each failing field once in its message. */
export function invalidFields(issues: { field: string; message: string }[]): ValidationError {
  return new ValidationError(
    `Invalid article: ${[...new Set(issues.map((i) => i.field))].join(', ')}`,
    issues,
  );
}

/**
 * A CMS saying an article is no longer public, naming it and nothing more: Ghost's
 * `post.deleted` has no URL left, and what was last published is what editors want to
 * see of a withdrawn article anyway.
 */
export type Withdrawal = {
  source: ArticleSource;
  sourceId: string;
  revision: number;
  status: Exclude<ArticleStatus, 'published'>;
  /** the site whose endpoint it came in on; absent: the default site */
  siteId?: string;
};

/** What a CMS delivery says about one article: its new content, or its withdrawal. */
export type ArticleChange = { article: Article } | { withdrawal: Withdrawal };
