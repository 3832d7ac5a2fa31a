/**
 * WordPress: a post object as the REST API returns it (`/wp/v2/posts/<id>`, with or
 * without `?_embed`), signed like the generic webhook, mapped to the article.
 */
import * as z from 'zod';
import { type ArticleChange, invalidFields } from '../domain/article';
import { type GenericArticle, parseArticleAs } from '../domain/article-payload';
import { PayloadTooLargeError } from '../domain/errors';
import { isLanguageTag } from '../domain/language';
import { choiceOfTags, choiceTag } from '../domain/routing';
import { MAX_WEBHOOK_BYTES, parseJsonBody } from './generic';
import { htmlText } from './html-text';
import { verifyStandardWebhook, type WebhookHeaders } from './standard-webhooks';

const rendered = z.object({ rendered: z.string() });
const text = z.string().nullish();

/** WordPress's `*_gmt` dates: UTC, without a zone (`2019-11-12T15:30:00`). */
const gmtDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, {
  message: 'must be a date-time like 2019-11-12T15:30:00 (UTC)',
});

/** The fields of the REST post object that Crier reads; the rest is ignored. */
export const postSchema = z.object({
  id: z.number().int().nonnegative(),
  link: z.string(),
  status: z.string(),
  title: rendered,
  excerpt: rendered.nullish(),
  date_gmt: gmtDate.nullish(),
  modified_gmt: gmtDate,
  /** Polylang and WPML add the post's language */
  lang: text,
  jetpack_featured_media_url: text,
  /**
   * The post's meta the REST API shows: `crier_correction`, the correction note the
   * documented plugin registers, is there only on the revision that brings a new one
   * (WordPress answers `[]` when no meta is shown).
   */
  meta: z.union([z.looseObject({ crier_correction: text }), z.array(z.unknown())]).nullish(),
  yoast_head_json: z
    .object({
      og_description: text,
      og_locale: text,
      og_image: z.array(z.object({ url: z.string() })).nullish(),
      author: text,
    })
    .nullish(),
  // Each embedded entry may be an error object (a private author, a deleted image):
  // read one by one below rather than refusing the post.
  _embedded: z
    .object({
      author: z.array(z.unknown()).nullish(),
      'wp:featuredmedia': z.array(z.unknown()).nullish(),
      'wp:term': z.array(z.array(z.unknown())).nullish(),
    })
    .nullish(),
});

const embeddedAuthor = z.object({ name: z.string().min(1) });
const embeddedMedia = z.object({
  source_url: z.string(),
  alt_text: text,
  caption: rendered.nullish(),
});
const embeddedTerm = z.object({ name: z.string(), slug: z.string(), taxonomy: z.string() });
type Term = z.output<typeof embeddedTerm>;

/** `en_US` (WordPress and Open Graph locales) -> `en-US`; anything else is left out. */
function languageOf(...candidates: (string | null | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    const tag = candidate?.trim().replace(/_/g, '-');
    if (tag && isLanguageTag(tag)) return tag;
  }
  return undefined;
}

function pick<T>(schema: z.ZodType<T>, values: readonly unknown[] | null | undefined): T[] {
  return (values ?? []).flatMap((value) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? [parsed.data] : [];
  });
}

const PRIORITY_SLUGS: Record<string, 'breaking' | 'evergreen'> = {
  breaking: 'breaking',
  'breaking-news': 'breaking',
  evergreen: 'evergreen',
};

const utc = (date: string) => `${date}Z`;

/**
 * Maps the post object to an article change. `publish` is the article; `trash` deletes
 * it; every other status (`draft`, `pending`, `private`, `future`) is not public now and
 * withdraws it as `unpublished` (a `future` post arrives again as `publish` when
 * WordPress publishes it; one that never was public changes nothing).
 *
 * The revision is `modified_gmt` in epoch milliseconds, so a later edit replaces an
 * earlier one and a redelivery changes nothing. WordPress keeps it to the second: a
 * second save within the same second as the first is taken for a redelivery.
 */
export function normalizeWordPressPost(payload: unknown): ArticleChange {
  const parsed = postSchema.safeParse(payload);
  if (!parsed.success) {
    throw invalidFields(
      parsed.error.issues.map((issue) => ({
        field: issue.path.length ? issue.path.map(String).join('.') : '(body)',
        message: issue.message,
      })),
    );
  }
  const post = parsed.data;
  const sourceId = String(post.id);
  const revision = Date.parse(utc(post.modified_gmt));
  if (post.status !== 'publish') {
    const status = post.status === 'trash' ? 'deleted' : 'unpublished';
    return { withdrawal: { source: 'wordpress', sourceId, revision, status } };
  }

  const embedded = post._embedded;
  const terms = (embedded?.['wp:term'] ?? []).flatMap((group) => pick(embeddedTerm, group));
  // `crier-only-<channel>` and `crier-skip-<channel>` terms choose channels; they are
  // neither the section nor tags.
  const choice = choiceOfTags(
    terms
      .filter((term) => term.taxonomy === 'category' || term.taxonomy === 'post_tag')
      .map((term) => term.slug),
  );
  const byTaxonomy = (taxonomy: string) =>
    terms.filter((term: Term) => term.taxonomy === taxonomy && !choiceTag(term.slug));
  const categories = byTaxonomy('category').filter((term) => term.slug !== 'uncategorized');
  const tags = byTaxonomy('post_tag');
  const [media] = pick(embeddedMedia, embedded?.['wp:featuredmedia']);
  const authors = pick(embeddedAuthor, embedded?.author);
  const yoast = post.yoast_head_json;
  const yoastAuthor = yoast?.author?.trim();
  const priority = [...categories, ...tags]
    .map((term) => PRIORITY_SLUGS[term.slug])
    .find((found) => found !== undefined);

  const generic: Partial<Record<keyof GenericArticle, unknown>> = {
    id: sourceId,
    url: post.link,
    title: post.title.rendered,
    // A post published straight away has a date; one never published has none yet.
    publishedAt: utc(post.date_gmt ?? post.modified_gmt),
    summary: htmlText(post.excerpt?.rendered) || yoast?.og_description || '',
    imageUrl:
      media?.source_url ??
      yoast?.og_image?.[0]?.url ??
      (post.jetpack_featured_media_url || undefined),
    imageAlt: media?.alt_text ?? undefined,
    imageCredit: media?.caption ? htmlText(media.caption.rendered) : undefined,
    authors: authors.length
      ? authors.map((author) => ({ name: author.name }))
      : yoastAuthor
        ? [{ name: yoastAuthor }]
        : undefined,
    section: categories[0]?.name,
    tags: [...categories.slice(1), ...tags].map((term) => term.name),
    language: languageOf(post.lang, yoast?.og_locale),
    revision,
    priority: priority ?? 'normal',
    status: 'published',
    channels: choice,
    correction: Array.isArray(post.meta)
      ? undefined
      : post.meta?.crier_correction?.trim() || undefined,
  };
  return {
    article: parseArticleAs('wordpress', generic, {
      id: 'id',
      url: 'link',
      title: 'title.rendered',
      publishedAt: 'date_gmt',
      summary: 'excerpt.rendered',
      imageUrl: '_embedded.wp:featuredmedia.0.source_url',
      imageAlt: '_embedded.wp:featuredmedia.0.alt_text',
      imageCredit: '_embedded.wp:featuredmedia.0.caption',
      authors: '_embedded.author',
      section: '_embedded.wp:term',
      tags: '_embedded.wp:term',
      revision: 'modified_gmt',
      correction: 'meta.crier_correction',
    }),
  };
}

/** The generic webhook's checks, in its order, for a WordPress post object. */
export function readWordPressWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: Buffer,
  now?: Date,
): { deliveryId: string; change: ArticleChange } {
  if (body.length > MAX_WEBHOOK_BYTES) {
    throw new PayloadTooLargeError(`The body is over ${MAX_WEBHOOK_BYTES / 1024} KiB`);
  }
  const { deliveryId } = verifyStandardWebhook(secret, headers, body, now);
  return { deliveryId, change: normalizeWordPressPost(parseJsonBody(body)) };
}
