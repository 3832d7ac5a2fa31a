/**
 * Ghost's webhooks (`post.published`, `post.published.edited`, `post.unpublished`,
 * `post.deleted`): the `X-Ghost-Signature` check, and the post mapped to the article.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { type ArticleChange, invalidFields } from '../domain/article';
import { type GenericArticle, parseArticleAs } from '../domain/article-payload';
import { PayloadTooLargeError, UnauthorizedError } from '../domain/errors';
import type { Platform } from '../domain/platform';
import { choiceOfTags, choiceTag } from '../domain/routing';
import { parseJsonBody } from './generic';
import { htmlText } from './html-text';
import { SIGNATURE_TOLERANCE_SECONDS, type WebhookHeaders } from './standard-webhooks';

/**
 * Ghost always sends the whole post (its HTML, plain text and editor document), which
 * the CMS cannot trim: a long read runs past the generic webhook's 256 KiB.
 */
export const MAX_GHOST_WEBHOOK_BYTES = 1024 * 1024;

export const GHOST_SIGNATURE_HEADER = 'x-ghost-signature';

/** `sha256=<hex HMAC-SHA256 of body + t>, t=<ms>`, as Ghost signs each delivery. */
export function signGhostWebhook(secret: string, body: string | Buffer, t: number): string {
  const mac = createHmac('sha256', secret).update(body).update(String(t)).digest('hex');
  return `sha256=${mac}, t=${t}`;
}

/**
 * Checks the signature against the raw body. Ghost sends no delivery id, but it sends
 * its retries of a delivery with the very same header: the header's hash is the
 * delivery id, so a retry is recognised and a new delivery (a new `t`) is not.
 */
export function verifyGhostSignature(
  secret: string,
  headers: WebhookHeaders,
  body: Buffer,
  now: Date = new Date(),
): { deliveryId: string; signedAt: number } {
  if (!secret) throw new Error('The Ghost webhook secret is empty');
  const header = headers[GHOST_SIGNATURE_HEADER];
  if (!header) throw new UnauthorizedError('Missing X-Ghost-Signature');
  // The header exactly as Ghost writes it; `t` in milliseconds as digits without a
  // leading zero, so one signed delivery cannot pass under several spellings of `t`.
  const parts = /^sha256=([0-9a-f]{64}), t=([1-9][0-9]{0,15})$/.exec(header);
  const mac = parts?.[1];
  const t = parts?.[2];
  if (!mac || !t) {
    throw new UnauthorizedError('X-Ghost-Signature is not sha256=<hex>, t=<ms>');
  }
  const signedAt = Number(t);
  if (Math.abs(now.getTime() - signedAt) > SIGNATURE_TOLERANCE_SECONDS * 1000) {
    throw new UnauthorizedError('X-Ghost-Signature t is outside the tolerance: stale or replayed');
  }
  const expected = createHmac('sha256', secret).update(body).update(t).digest();
  const given = Buffer.from(mac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthorizedError('X-Ghost-Signature does not match the body');
  }
  const deliveryId = createHash('sha256').update(`${mac}:${t}`).digest('hex');
  return { deliveryId, signedAt };
}

const text = z.string().nullish();

const tagSchema = z.object({
  name: z.string(),
  slug: text,
  visibility: text,
});

const authorSchema = z.object({
  name: z.string(),
  twitter: text,
  bluesky: text,
  mastodon: text,
  threads: text,
  instagram: text,
});

/** The fields of Ghost's serialized post that Crier reads; the rest is ignored. */
export const postSchema = z.object({
  id: z.string().trim().min(1).max(256),
  status: z.string(),
  title: text,
  url: text,
  custom_excerpt: text,
  og_description: text,
  meta_description: text,
  excerpt: text,
  html: text,
  feature_image: text,
  feature_image_alt: text,
  feature_image_caption: text,
  published_at: text,
  updated_at: text,
  tags: z.array(tagSchema).nullish(),
  primary_tag: tagSchema.nullish(),
  authors: z.array(authorSchema).nullish(),
});

/** `post.deleted` carries an empty `current` and the post as it was in `previous`. */
const deletedSchema = z.object({
  id: z.string().trim().min(1).max(256),
  updated_at: text,
});

export const payloadSchema = z.object({
  post: z.object({
    current: z.record(z.string(), z.unknown()).nullish(),
    previous: z.record(z.string(), z.unknown()).nullish(),
  }),
});

type GhostTag = z.output<typeof tagSchema>;

/** Internal tags (`#breaking`) organise posts in Ghost and are never shown to readers. */
const isInternal = (tag: GhostTag) => tag.visibility === 'internal' || tag.name.startsWith('#');

const internalName = (tag: GhostTag) => tag.name.replace(/^#/, '').trim().toLowerCase();

/** Ghost's staff profile fields, by the network whose handle they hold. */
const HANDLE_FIELDS = {
  x: 'twitter',
  bluesky: 'bluesky',
  mastodon: 'mastodon',
  threads: 'threads',
  instagram: 'instagram',
} as const satisfies Partial<Record<Platform, keyof z.output<typeof authorSchema>>>;

const epochMs = (instant: string | null | undefined): number | undefined => {
  const ms = instant ? Date.parse(instant) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
};

function validationError(error: z.ZodError, prefix?: string) {
  return invalidFields(
    error.issues.map((issue) => ({
      field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
      message: issue.message,
    })),
  );
}

/** Ghost's callout card (the editor's boxed note): `<div class="kg-callout-text">…</div>`. */
const CALLOUT_TEXT = /<div class="[^"]*\bkg-callout-text\b[^"]*"[^>]*>([\s\S]*?)<\/div>/g;

/**
 * The correction note in a post's HTML: the first callout card whose text opens with
 * "Correction", else the first callout card; undefined without one.
 */
export function ghostCalloutNote(html: unknown): string | undefined {
  if (typeof html !== 'string') return undefined;
  const notes = Array.from(html.matchAll(CALLOUT_TEXT), (m) => htmlText(m[1])).filter(Boolean);
  return notes.find((note) => /^correct/i.test(note)) ?? notes[0];
}

const tagsSay = (tags: unknown, name: string) =>
  Array.isArray(tags) &&
  tags.some((tag) => {
    const parsed = tagSchema.safeParse(tag);
    return parsed.success && isInternal(parsed.data) && internalName(parsed.data) === name;
  });

/**
 * A correction, by Ghost's editors' means (Ghost has no custom fields): the internal tag
 * `#correction` on the post, and the note in a callout card of its text. It is sent once,
 * with the revision that brings it: not with the first publication, and not again when
 * neither the tag nor the note changed (Ghost's `previous` holds only what changed).
 */
function correctionOf(
  current: Record<string, unknown>,
  previous: Record<string, unknown> | null | undefined,
): string | undefined {
  if (!tagsSay(current.tags, 'correction')) return undefined;
  const note = ghostCalloutNote(current.html);
  if (!note) return undefined;
  const before = previous ?? {};
  if ('status' in before && before.status !== 'published') return undefined;
  const noteBefore = 'html' in before ? ghostCalloutNote(before.html) : note;
  const taggedBefore = 'tags' in before ? tagsSay(before.tags, 'correction') : true;
  return taggedBefore && noteBefore === note ? undefined : note;
}

/**
 * Maps Ghost's payload to an article change. Ghost puts no event name in the body, so
 * the post says what happened: `published` is the article (new or edited); any other
 * status (draft, scheduled, sent as an email only) withdraws it as `unpublished`; an
 * empty `current` is a deletion.
 *
 * The revision is the post's `updated_at` in epoch milliseconds, so a later edit
 * replaces an earlier one and a redelivery changes nothing. A deletion has no newer
 * time of its own: it takes the last `updated_at` plus one, which is past every
 * revision Ghost sent before it.
 */
export function normalizeGhostPost(payload: unknown): ArticleChange {
  const envelope = payloadSchema.safeParse(payload);
  if (!envelope.success) throw validationError(envelope.error);
  const { current, previous } = envelope.data.post;

  if (!current || Object.keys(current).length === 0) {
    const gone = deletedSchema.safeParse(previous ?? {});
    if (!gone.success) throw validationError(gone.error, 'post.previous');
    return {
      withdrawal: {
        source: 'ghost',
        sourceId: gone.data.id,
        revision: (epochMs(gone.data.updated_at) ?? 0) + 1,
        status: 'deleted',
      },
    };
  }

  const parsed = postSchema.safeParse(current);
  if (!parsed.success) throw validationError(parsed.error, 'post.current');
  const post = parsed.data;
  const revision = epochMs(post.updated_at);
  if (revision === undefined) {
    throw invalidFields([
      { field: 'post.current.updated_at', message: 'must be an ISO 8601 date-time' },
    ]);
  }
  if (post.status !== 'published') {
    return {
      withdrawal: { source: 'ghost', sourceId: post.id, revision, status: 'unpublished' },
    };
  }

  // `crier-only-<channel>` / `crier-skip-<channel>` tags (public, or internal with `#`)
  // choose channels; they are neither the section, nor tags, nor priorities.
  const allTags = post.tags ?? [];
  const choiceSlug = (tag: GhostTag) =>
    choiceTag(tag.slug) ? tag.slug : choiceTag(tag.name) ? tag.name : undefined;
  const choice = choiceOfTags(allTags.map(choiceSlug));
  const tags = allTags.filter((tag) => !choiceSlug(tag));
  const publicTags = tags.filter((tag) => !isInternal(tag));
  const internal = new Set(tags.filter(isInternal).map(internalName));
  const primary =
    post.primary_tag && !isInternal(post.primary_tag) && !choiceSlug(post.primary_tag)
      ? post.primary_tag
      : undefined;
  const generic: Partial<Record<keyof GenericArticle, unknown>> = {
    id: post.id,
    url: post.url ?? undefined,
    title: post.title ?? undefined,
    publishedAt: post.published_at ?? undefined,
    summary:
      post.custom_excerpt ||
      post.og_description ||
      post.meta_description ||
      htmlText(post.excerpt ?? undefined),
    imageUrl: post.feature_image || undefined,
    imageAlt: post.feature_image_alt ?? undefined,
    // Captions are HTML (`Photo by <a href=…>…</a>`).
    imageCredit: post.feature_image_caption ? htmlText(post.feature_image_caption) : undefined,
    authors: (post.authors ?? []).map((author) => ({
      name: author.name,
      handles: Object.fromEntries(
        Object.entries(HANDLE_FIELDS).flatMap(([platform, field]) => {
          const handle = author[field]?.trim();
          return handle ? [[platform, handle]] : [];
        }),
      ),
    })),
    section: (primary ?? publicTags[0])?.name,
    tags: publicTags.map((tag) => tag.name),
    revision,
    // Editors mark a post with Ghost's internal tags, which readers never see.
    priority: internal.has('breaking')
      ? 'breaking'
      : internal.has('evergreen')
        ? 'evergreen'
        : 'normal',
    status: 'published',
    channels: choice,
    correction: correctionOf(current, previous),
  };
  return {
    article: parseArticleAs('ghost', generic, {
      id: 'post.current.id',
      url: 'post.current.url',
      title: 'post.current.title',
      publishedAt: 'post.current.published_at',
      summary: 'post.current.custom_excerpt',
      imageUrl: 'post.current.feature_image',
      imageAlt: 'post.current.feature_image_alt',
      imageCredit: 'post.current.feature_image_caption',
      authors: 'post.current.authors',
      section: 'post.current.primary_tag',
      tags: 'post.current.tags',
      correction: 'post.current.html',
    }),
  };
}

/**
 * Size first (no HMAC over a huge body), then the signature (nothing unsigned is
 * parsed), then the content; nothing here writes.
 */
export function readGhostWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: Buffer,
  now?: Date,
): { deliveryId: string; change: ArticleChange } {
  if (body.length > MAX_GHOST_WEBHOOK_BYTES) {
    throw new PayloadTooLargeError(`The body is over ${MAX_GHOST_WEBHOOK_BYTES / 1024} KiB`);
  }
  const { deliveryId } = verifyGhostSignature(secret, headers, body, now);
  return { deliveryId, change: normalizeGhostPost(parseJsonBody(body)) };
}
