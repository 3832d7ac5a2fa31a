/**
 * The generic article of the webhook contract (docs/architecture.md, "Contracts that stay
 * stable"), and how a CMS payload mapped into it becomes the normalized article
 * (article.ts). Apart from article.ts so that only the functions that read CMS payloads
 * carry the schema and the HTML entity decoder its text fields clean with.
 */
import * as z from 'zod';
import {
  ARTICLE_PRIORITIES,
  ARTICLE_STATUSES,
  type Article,
  type ArticleSource,
  type ChannelChoice,
  DATA_IMAGE_WARNING,
  DEFAULT_SITE_ID,
  fieldIssues,
  invalidFields,
  normalizeChoice,
} from './article';
import { cleanText } from './clean-text';
import { isLanguageTag, LANGUAGE_TAG } from './language';
import { PLATFORMS } from './platform';

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

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

const text = (max: number) => z.string().max(max).transform(cleanText);

const handles = z.partialRecord(z.enum(PLATFORMS), z.string().trim().min(1).max(200));

const channelIds = z.array(z.string().trim().toLowerCase().min(1).max(200)).max(100);

const LANGUAGE_MESSAGE = 'must be a well-formed BCP 47 language tag, such as en or pt-BR';

export const genericArticleSchema = z.object({
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
  /** on a later revision: the correction note (what was wrong, what is right now) */
  correction: text(1000).optional(),
  priority: z.enum(ARTICLE_PRIORITIES).default('normal'),
  shareAt: instant.optional(),
  status: z.enum(ARTICLE_STATUSES).default('published'),
  /** the channels this article goes to: `only` just these, `skip` all but these */
  channels: z.object({ only: channelIds.optional(), skip: channelIds.optional() }).optional(),
});

export type GenericArticle = z.output<typeof genericArticleSchema>;

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
    correction: nonEmpty(input.correction),
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
  const result = genericArticleSchema.safeParse(generic);
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
