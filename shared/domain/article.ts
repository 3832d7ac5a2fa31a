/**
 * The generic article of the webhook contract (docs/architecture.md, "Contracts that stay
 * stable") and the normalized article every other part of Crier reads.
 */
import * as z from 'zod';
import { ValidationError } from './errors';
import { isLanguageTag, LANGUAGE_TAG } from './language';
import { PLATFORMS } from './platform';
import { cleanText } from './text';

/** The site an article or channel belongs to when none is named. */
export const DEFAULT_SITE_ID = 'default';

export const ARTICLE_PRIORITIES = ['breaking', 'normal', 'evergreen'] as const;
export const ARTICLE_STATUSES = ['published', 'unpublished', 'deleted'] as const;
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number];

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: 'must be an absolute http or https URL' },
  );

/**
 * An image inlined as a `data:` URL, as some editors paste one: no network fetches it, so
 * the article goes out without it rather than not at all (see DATA_IMAGE_WARNING).
 */
const dataUrl = z
  .string()
  .trim()
  .regex(/^data:/i)
  .transform(() => DATA_IMAGE);
const DATA_IMAGE = Symbol('data: image');

/** What editors see on each share of an article whose image was a `data:` URL. */
export const DATA_IMAGE_WARNING =
  'The CMS sent the image as a data: URL, which no network can fetch: the article goes out without it.';

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

const text = (max: number) => z.string().max(max).transform(cleanText);

const handles = z.partialRecord(z.enum(PLATFORMS), z.string().trim().min(1).max(200));

/**
 * An article's own choice of channels, by id (docs/api.md, "Choosing channels per
 * article"): `only` just these, `skip` all but these. Ids that name no channel are ignored.
 */
export type ChannelChoice = { only?: string[]; skip?: string[] };

const channelIds = z.array(z.string().trim().toLowerCase().min(1).max(200)).max(100);

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

const LANGUAGE_MESSAGE = 'must be a well-formed BCP 47 language tag, such as en or pt-BR';

/**
 * Made on first use rather than at module load: a module-level schema stays in every
 * bundle that imports this file, and with it the HTML entity tables its text fields
 * decode with, which only the functions that read articles from a CMS need.
 */
const makeGenericArticleSchema = () =>
  z.object({
    id: z.union([
      z.string().trim().min(1).max(256),
      z
        .number()
        .int()
        .nonnegative()
        .transform((n) => String(n)),
    ]),
    url: httpUrl,
    title: text(1000).refine((t) => t.length > 0, { message: 'must not be empty' }),
    publishedAt: instant,
    summary: text(5000).optional(),
    imageUrl: z.union([dataUrl, httpUrl]).optional(),
    imageAlt: text(1500).optional(),
    imageCredit: text(500).optional(),
    authors: z
      .array(
        z.object({
          name: text(200).refine((t) => t.length > 0, 'must not be empty'),
          handles: handles.optional(),
        }),
      )
      .max(50)
      .optional(),
    section: text(200).optional(),
    tags: z.array(text(100)).max(100).optional(),
    language: z
      .string()
      .trim()
      // The pattern is what the API description shows; `Intl` then refuses the few
      // tags it lets through that are still malformed (a repeated variant or extension).
      .regex(LANGUAGE_TAG, { message: LANGUAGE_MESSAGE, abort: true })
      .refine(isLanguageTag, LANGUAGE_MESSAGE)
      .optional(),
    revision: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(1),
    priority: z.enum(ARTICLE_PRIORITIES).default('normal'),
    shareAt: instant.optional(),
    status: z.enum(ARTICLE_STATUSES).default('published'),
    /** the channels this article goes to: `only` just these, `skip` all but these */
    channels: z.object({ only: channelIds.optional(), skip: channelIds.optional() }).optional(),
  });

let genericSchema: ReturnType<typeof makeGenericArticleSchema> | undefined;

/** The generic article payload's schema (docs/api.md), the same object on every call. */
export function genericArticleSchema(): ReturnType<typeof makeGenericArticleSchema> {
  genericSchema ??= makeGenericArticleSchema();
  return genericSchema;
}

export type GenericArticle = z.output<ReturnType<typeof makeGenericArticleSchema>>;

export const ARTICLE_SOURCES = ['generic', 'wordpress', 'ghost', 'feed'] as const;
export type ArticleSource = (typeof ARTICLE_SOURCES)[number];

export type Author = { name: string; handles: Partial<Record<(typeof PLATFORMS)[number], string>> };

/** An article as Crier keeps it: clean text, UTC instants, empty values dropped. */
export type Article = {
  source: ArticleSource;
  sourceId: string;
  url: string;
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

const nonEmpty = (value: string | undefined) => (value ? value : undefined);

/**
 * The normalized article. `siteId` is the site it came in for (the per-site endpoint
 * names it); without one it is the default site's, and carries no `siteId`.
 */
export function toArticle(source: ArticleSource, input: GenericArticle, siteId?: string): Article {
  const tags: string[] = [];
  for (const tag of input.tags ?? []) {
    if (tag && !tags.some((t) => t.toLowerCase() === tag.toLowerCase())) tags.push(tag);
  }
  return {
    source,
    sourceId: input.id,
    url: input.url,
    title: input.title,
    summary: nonEmpty(input.summary),
    imageUrl: typeof input.imageUrl === 'string' ? input.imageUrl : undefined,
    imageAlt: nonEmpty(input.imageAlt),
    imageCredit: nonEmpty(input.imageCredit),
    authors: (input.authors ?? []).map((a) => ({ name: a.name, handles: a.handles ?? {} })),
    section: nonEmpty(input.section),
    tags,
    language: input.language,
    revision: input.revision,
    priority: input.priority,
    publishedAt: new Date(input.publishedAt).toISOString(),
    shareAt: input.shareAt ? new Date(input.shareAt).toISOString() : undefined,
    status: input.status,
    ...withSite(siteId),
    ...withChoice(normalizeChoice(input.channels)),
    ...(input.imageUrl === DATA_IMAGE ? { warnings: [DATA_IMAGE_WARNING] } : {}),
  };
}

const withSite = (siteId: string | undefined) =>
  siteId && siteId !== DEFAULT_SITE_ID ? { siteId } : {};
const withChoice = (channels: ChannelChoice | undefined) => (channels ? { channels } : {});

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

/** Parses a generic article payload, or throws a ValidationError naming the fields. */
export function parseGenericArticle(payload: unknown): Article {
  return parseArticleAs('generic', payload);
}

/**
 * Parses what a CMS normalizer mapped into the generic shape. `fieldOf` names a failing
 * generic field as the CMS's own payload calls it (`url` -> `link`), so a 400 points the
 * sender at its own field.
 */
export function parseArticleAs(
  source: ArticleSource,
  generic: unknown,
  fieldOf: Partial<Record<keyof GenericArticle, string>> = {},
): Article {
  const result = genericArticleSchema().safeParse(generic);
  if (!result.success) {
    const names: Partial<Record<string, string>> = fieldOf;
    throw invalidFields(
      fieldIssues(result.error).map((issue) => {
        const [head = '', ...rest] = issue.field.split('.');
        const own = names[head];
        return own ? { ...issue, field: [own, ...rest].join('.') } : issue;
      }),
    );
  }
  return toArticle(source, result.data);
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
