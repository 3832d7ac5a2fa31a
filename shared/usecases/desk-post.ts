/**
 * A post of the desk's own (POST /api/posts): one text, fitted to each chosen channel,
 * with an optional link (its page's card fetched and checked as compose does) and image
 * (processed per network as compose processes an article's). It is kept as an article of
 * source `desk` with no URL of its own, one share per channel, and goes through the same
 * approval, calendar, ledger and publishing as an article's shares; the CMS is never told
 * of it. Every check runs before the first write: a refused request writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { type Article, DEFAULT_SITE_ID, DESK_SOURCE } from '../domain/article';
import type { Channel } from '../domain/channel';
import type { ChannelStatus } from '../domain/channel-directory';
import { type Editor, mayAccessSite } from '../domain/editor';
import { ConflictError, type FieldIssue, PostTextError, ValidationError } from '../domain/errors';
import { deskPostId } from '../domain/ids';
import { NETWORK_NAMES, type Platform } from '../domain/platform';
import type { ArticleRecord, ArticleStore, Clock, ShareStore } from '../domain/ports';
import { firstDueAt } from '../domain/schedule';
import type { Share } from '../domain/share';
import { checkDueAt } from '../domain/share-edit';
import { composerFor } from '../platforms/composers';
import {
  ALT_TEXT_LIMITS,
  cleanDeskText,
  deskLinkUrl,
  deskSourceIdOf,
  deskText,
  deskTitle,
} from '../platforms/desk-text';
import { checkEditedText, type EditedText, textLimit } from '../platforms/edited-text';
import type { ComposedPost, ComposeSettings } from '../platforms/types';
import { CARD_THUMBNAIL } from '../preview/card-rules';
import { checkCard } from '../preview/checker';
import { type Enrichment, withProcessedMedia } from './compose-article';
import type { SharePlanner } from './schedule-share';

export type DeskPostDeps = {
  articles: ArticleStore;
  shares: ShareStore;
  clock: Clock;
  /** every channel of the directory, archived ones included, each with its site */
  channels: readonly Channel[];
  statusOf?: (channelId: string) => ChannelStatus | undefined;
  /** whether the directory has this site */
  hasSite: (siteId: string) => boolean;
  /** the site's `{site}` and author directory, for the composers */
  settingsFor?: (siteId: string) => ComposeSettings | undefined;
  /** places each share on its channel's calendar, as compose does */
  schedule?: SharePlanner;
  /** the link's page card and the processed images (shared/preview, as compose) */
  enrich?: (article: Article, platforms: readonly Platform[]) => Promise<Enrichment>;
  /** a network's own text limit for a channel, where the server sets it (Mastodon) */
  serverLimit?: (channel: Channel) => Promise<number | undefined>;
  /** the direct path: claims and sends a share that falls due within the look-ahead */
  enqueueIfDue: (share: Share) => Promise<unknown>;
};

export type DeskPostInput = {
  siteId?: string;
  text: string;
  channels: readonly string[];
  link?: string;
  imageUrl?: string;
  imageAlt?: string;
  dueAt?: string;
  /** the caller's own name for this request: the same one again names the same post */
  idempotencyKey?: string;
};

export type DeskPostResult = { articleId: string; shares: Share[] };

/** A checked channel and the text it takes. */
type Planned = { channel: Channel; url: string; edited: EditedText };

const invalid = (issues: FieldIssue[]) =>
  new ValidationError(
    `Invalid post: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
    issues,
  );

export async function createDeskPost(
  deps: DeskPostDeps,
  input: DeskPostInput,
  editor: Editor,
): Promise<DeskPostResult> {
  const now = deps.clock.now();
  const siteId = checkSite(deps, input.siteId, editor);
  const articleId = deskPostId(
    input.idempotencyKey ? { siteId, idempotencyKey: input.idempotencyKey } : undefined,
  );
  const planned = await checkChannels(deps, input, siteId, deskSourceIdOf(articleId));
  const text = cleanDeskText(input.text);
  // The same request again: the post it made stands, and only its missing shares are made.
  const earlier = input.idempotencyKey ? await deps.articles.get(articleId) : undefined;
  if (earlier) assertSameRequest(earlier.article, text, input);
  // A time checked when the post was made; sent again, a time since passed is now.
  const dueAt =
    input.dueAt === undefined
      ? undefined
      : earlier
        ? new Date(Math.max(Date.parse(input.dueAt), now.getTime())).toISOString()
        : checkDueAt(input.dueAt, now);
  const missing = earlier ? await missingChannels(deps, articleId, planned) : planned;
  const at = now.toISOString();
  const article: Article = {
    source: DESK_SOURCE,
    sourceId: deskSourceIdOf(articleId),
    url: '',
    ...(input.link ? { link: input.link } : {}),
    title: deskTitle(text),
    summary: text,
    ...(input.imageUrl ? { imageUrl: input.imageUrl } : {}),
    ...(input.imageAlt ? { imageAlt: input.imageAlt } : {}),
    authors: [],
    tags: [],
    revision: 1,
    priority: 'normal',
    publishedAt: at,
    status: 'published',
    siteId,
  };
  const record: ArticleRecord = earlier ?? { articleId, article, receivedAt: at, updatedAt: at };
  const settings = deps.settingsFor?.(siteId);
  const enrichment = await enrichFor(deps, record, missing, settings);
  checkImage(input, enrichment);

  // Each share as compose would make it, placed on its channel's calendar: not yet written.
  const shares: Share[] = [];
  for (const plan of missing) {
    const share = deskShare(record, plan, { now, by: editor.by, settings, enrichment });
    if (dueAt) shares.push({ ...share, dueAt });
    else
      shares.push(deps.schedule ? await deps.schedule.place(share, plan.channel, record) : share);
  }

  // Every check passed: the post, marked composed (routing never adds to it), then its shares.
  if (!earlier) {
    await deps.articles.putRevision(record);
    await deps.articles.markComposed(articleId, 1);
  }
  const written: Share[] = [];
  for (const share of shares) {
    if (await deps.shares.createIfAbsent(share)) written.push(share);
    else if (!input.idempotencyKey) {
      throw new Error(`Share ${articleId}/${share.channelId} was already there`);
    }
    // else: the same request, sent twice at once, wrote it first.
  }
  for (const share of written) await deps.enqueueIfDue(share);
  return { articleId, shares: written };
}

/** An idempotencyKey used again must carry the same post: another text is another post. */
function assertSameRequest(article: Article, text: string, input: DeskPostInput): void {
  const same =
    article.source === DESK_SOURCE &&
    article.summary === text &&
    (article.link ?? undefined) === input.link &&
    (article.imageUrl ?? undefined) === input.imageUrl &&
    (article.imageAlt ?? undefined) === input.imageAlt;
  if (!same) {
    throw new ConflictError(
      'This idempotencyKey already made a post with another text, link or image: send a new idempotencyKey for a new post',
    );
  }
}

/** The planned channels the earlier attempt left without a share. */
async function missingChannels(
  deps: Pick<DeskPostDeps, 'shares'>,
  articleId: string,
  planned: readonly Planned[],
): Promise<Planned[]> {
  const existing = await Promise.all(
    planned.map((plan) => deps.shares.get({ articleId, channelId: plan.channel.id })),
  );
  return planned.filter((_, i) => existing[i] === undefined);
}

/** The site posted to: the one named, or the default site, and one the editor may post to. */
function checkSite(
  deps: Pick<DeskPostDeps, 'hasSite'>,
  named: string | undefined,
  editor: Editor,
): string {
  const siteId = named ?? DEFAULT_SITE_ID;
  if (!deps.hasSite(siteId) || !mayAccessSite(editor, siteId)) {
    const message = named
      ? `${siteId} is not a site you may post to`
      : 'name the site to post to: the default site is not one of yours';
    throw invalid([{ field: 'siteId', message }]);
  }
  return siteId;
}

/**
 * Each channel checked, with its text as its network counts it, or a 400 naming every bad
 * one: a channel of the site, active or paused, named once; the text within the channel's
 * limit (the count and the limit said); the alt text within the network's.
 */
async function checkChannels(
  deps: DeskPostDeps,
  input: DeskPostInput,
  siteId: string,
  sourceId: string,
): Promise<Planned[]> {
  const issues: FieldIssue[] = [];
  if (cleanDeskText(input.text) === '')
    issues.push({ field: 'text', message: 'must not be empty' });
  const seen = new Set<string>();
  const planned: Planned[] = [];
  for (const [index, id] of input.channels.entries()) {
    const field = `channels.${index}`;
    const channel = deps.channels.find((c) => c.id === id);
    if (!channel || channel.siteId !== siteId) {
      issues.push({ field, message: `${id} is not a channel of the site ${siteId}` });
      continue;
    }
    if (seen.has(id)) {
      issues.push({ field, message: `${id} is named twice` });
      continue;
    }
    seen.add(id);
    if (deps.statusOf?.(id) === 'archived') {
      issues.push({ field, message: `${id} is archived: it takes no new post` });
      continue;
    }
    const network = NETWORK_NAMES[channel.platform];
    if (channel.platform === 'instagram' && !input.imageUrl) {
      issues.push({ field, message: `${id}: ${network} takes no post without an image` });
      continue;
    }
    const altLimit = ALT_TEXT_LIMITS[channel.platform];
    const altLength = [...(input.imageAlt ?? '')].length;
    if (input.imageUrl && altLimit !== undefined && altLength > altLimit) {
      issues.push({
        field: 'imageAlt',
        message: `${id}: the alt text is ${altLength} characters; ${network} takes at most ${altLimit}`,
      });
    }
    const url = input.link ? deskLinkUrl(input.link, channel, sourceId) : '';
    const text = deskText(channel.platform, input.text, input.link, url);
    if (text === '') continue;
    try {
      const limit = textLimit(channel, await deps.serverLimit?.(channel).catch(() => undefined));
      planned.push({ channel, url, edited: checkEditedText(channel, text, limit) });
    } catch (error) {
      if (!(error instanceof PostTextError)) throw error;
      issues.push({ field, message: `${id}: ${error.message}` });
    }
  }
  if (issues.length) throw invalid(issues);
  return planned;
}

/** The article the composers see: the link as its URL, its page's title on the card. */
function composable(record: ArticleRecord, url: string, enrichment?: Enrichment): Article {
  const { article } = record;
  const page = enrichment?.page;
  return {
    ...article,
    url,
    title: page?.title ?? article.title,
    summary: page?.description,
  };
}

/**
 * What the composer of `channel`'s network makes of the post (its card, its image): the
 * template only the title, no hashtags and no thread, as the text is the editor's.
 */
function composed(
  record: ArticleRecord,
  plan: Planned,
  settings: ComposeSettings | undefined,
  enrichment?: Enrichment,
): ComposedPost | undefined {
  const composer = composerFor(plan.channel.platform);
  if (!composer) return undefined;
  const channel: Channel = {
    ...plan.channel,
    template: '{title}',
    hashtags: { ...plan.channel.hashtags, max: 0, always: [] },
    thread: { ...plan.channel.thread, enabled: false },
  };
  try {
    return composer(composable(record, plan.url, enrichment), channel, settings);
  } catch {
    return undefined;
  }
}

/**
 * The link's page card and the processed images, only for the networks that use them:
 * the ones an image goes on (the composer attaches one), and Bluesky and LinkedIn, whose
 * card thumbnail Crier sends itself, when there is a link.
 */
async function enrichFor(
  deps: Pick<DeskPostDeps, 'enrich'>,
  record: ArticleRecord,
  planned: readonly Planned[],
  settings: ComposeSettings | undefined,
): Promise<Enrichment> {
  const { link, imageUrl } = record.article;
  if (!deps.enrich || (!link && !imageUrl)) return { media: {} };
  const platforms = planned.flatMap(({ channel, url }) => {
    const post = composed(record, { channel, url, edited: EMPTY }, settings);
    const imaged = imageUrl && (post?.media?.length || channel.platform === 'instagram');
    const thumbnail = link && CARD_THUMBNAIL.includes(channel.platform);
    return imaged || thumbnail ? [channel.platform] : [];
  });
  // The page is fetched by its link (every channel's UTM parameters aside).
  return deps.enrich({ ...record.article, url: link ?? '' }, [...new Set(platforms)]);
}

const EMPTY: EditedText = {
  text: '',
  hashtags: [],
  length: { used: 0, limit: 0, unit: 'characters' },
};

/** An image the editor chose that could not be fetched or used is refused, not dropped. */
function checkImage(input: DeskPostInput, enrichment: Enrichment): void {
  if (!input.imageUrl) return;
  for (const made of Object.values(enrichment.media)) {
    const failure = made?.warnings.find((w) => w.startsWith('article image'));
    if (failure) {
      const why = failure.replace(/^article image /, '').replace(/; a share card is used$/, '');
      throw invalid([{ field: 'imageUrl', message: `the image ${why}` }]);
    }
  }
}

/** One channel's share of the post, as newShare makes an article's (compose-article.ts). */
function deskShare(
  record: ArticleRecord,
  plan: Planned,
  context: {
    now: Date;
    by: string;
    settings: ComposeSettings | undefined;
    enrichment: Enrichment;
  },
): Share {
  const { channel, url, edited } = plan;
  const { now, enrichment } = context;
  const at = now.toISOString();
  const { article } = record;
  const post = composed(record, plan, context.settings, enrichment);
  const processed = enrichment.media[channel.platform];
  const fitted = withProcessedMedia(channel.platform, post, processed);
  // A post with no image attaches none, and one with no link has no card.
  const media = article.imageUrl ? fitted.media : undefined;
  const card = url ? fitted.card : undefined;
  const network = NETWORK_NAMES[channel.platform];
  const warnings = [
    ...(media ? (processed?.warnings ?? []) : []),
    ...(url
      ? checkCard(enrichment.page, {
          platform: channel.platform,
          text: edited.text,
          url,
          card,
          media,
        })
      : []),
    ...(article.imageUrl && !media?.length && !card?.imageUrl
      ? [`Crier posts no image on ${network}: the post goes out without it`]
      : []),
  ];
  const status = channel.approval === 'required' ? 'draft' : 'scheduled';
  return {
    articleId: record.articleId,
    channelId: channel.id,
    platform: channel.platform,
    articleRevision: 1,
    status,
    text: edited.text,
    url,
    hashtags: edited.hashtags,
    ...(card ? { card } : {}),
    // Bluesky: the link shows as its short label, with a facet to the whole URL.
    ...(channel.platform === 'bluesky' ? { facets: edited.facets ?? [] } : {}),
    ...(media?.length ? { media } : {}),
    ...(warnings.length ? { warnings: [...new Set(warnings)] } : {}),
    ...(post?.language ? { language: post.language } : {}),
    length: edited.length,
    dueAt: firstDueAt(channel.schedule, {
      now,
      receivedAt: record.receivedAt,
      timeZone: channel.timezone,
      lane: article.priority,
    }),
    attempt: 0,
    version: 1,
    idempotencyKey: randomUUID(),
    createdAt: at,
    updatedAt: at,
    history: [
      {
        at,
        event: 'compose',
        to: status,
        by: context.by,
        reason: `a desk post by ${context.by}`,
      },
    ],
  };
}
