/**
 * An editor adds channels to an article or drops them from it, before anything is posted
 * there (POST /api/articles/{articleId}/channels). Adding composes the channel's share as
 * compose would; dropping cancels its pending share. Either is recorded on the article
 * (`channelOverrides`), so a later revision from the CMS neither re-adds a dropped channel
 * nor drops an added one. Every check runs before the first write: a refused request
 * writes nothing.
 */
import { type Article, isDeskPost, siteOf } from '../domain/article';
import type { Channel } from '../domain/channel';
import type { ChannelStatus } from '../domain/channel-directory';
import { ConflictError, type FieldIssue, NotFoundError, ValidationError } from '../domain/errors';
import type { ArticleRecord, ShareStore } from '../domain/ports';
import { isDropped, overrideChannels } from '../domain/routing';
import { applyEvent, type Share } from '../domain/share';
import { isEditable } from '../domain/share-state';
import {
  type ComposeArticleDeps,
  composeShare,
  forSite,
  type PreparedShares,
  prepareShares,
  type ShareComposer,
} from './compose-article';
import type { Actor } from './edit-share';
import { type ArticleChannelsAnswer, articleView, type ChannelOutcome, shareView } from './views';

export type ArticleChannelsDeps = ShareComposer &
  Pick<ComposeArticleDeps, 'articles' | 'shares' | 'settingsFor'> & {
    /** every channel of the directory, archived ones included, each with its site */
    channels: readonly Channel[];
    statusOf?: (channelId: string) => ChannelStatus | undefined;
    /** the direct path: claims and sends a share that falls due within the look-ahead */
    enqueueIfDue: (share: Share) => Promise<Share>;
    /** frees the posting slot a dropped share held */
    releasePostingSlot?: (share: Share) => Promise<void>;
  };

export type ChannelChange = { add?: readonly string[]; drop?: readonly string[] };

export type ArticleChannelsResult = ArticleChannelsAnswer;

type Plan =
  | { kind: 'create'; channel: Channel }
  | { kind: 'revive'; channel: Channel; stored: Share }
  | { kind: 'cancel'; channel: Channel; stored: Share }
  | { kind: 'forget'; channel: Channel }
  | { kind: 'nothing'; channel: Channel; outcome: ChannelOutcome; stored?: Share };

/** The first share of a channel (an evergreen re-share is its own matter). */
const firstShare = (shares: ShareStore, articleId: string, channelId: string) =>
  shares.get({ articleId, channelId });

export async function changeArticleChannels(
  deps: ArticleChannelsDeps,
  articleId: string,
  change: ChannelChange,
  actor: Actor,
  mayRead: (siteId: string) => boolean = () => true,
): Promise<ArticleChannelsResult> {
  const record = await deps.articles.get(articleId);
  if (!record || !mayRead(siteOf(record.article))) {
    throw new NotFoundError(`No article ${articleId}`);
  }
  const add = [...new Set(change.add ?? [])];
  const drop = [...new Set(change.drop ?? [])];
  const channelsOf = checkChannels(deps, record.article, add, drop);
  if (add.length && isDeskPost(record.article)) {
    // Its channels' texts were the editor's, fitted when it was posted: no template makes one.
    throw new ConflictError('A desk post takes no new channel: post it again with the channel');
  }
  if (record.article.status !== 'published') {
    throw new ConflictError(
      `The article is ${record.article.status}: its channels can no longer change`,
    );
  }

  const plans: Plan[] = [];
  for (const channel of channelsOf.add) {
    const stored = await firstShare(deps.shares, articleId, channel.id);
    if (!stored) plans.push({ kind: 'create', channel });
    else if (stored.status === 'cancelled') plans.push({ kind: 'revive', channel, stored });
    else plans.push({ kind: 'nothing', channel, outcome: 'already-live', stored });
  }
  for (const channel of channelsOf.drop) {
    const stored = await firstShare(deps.shares, articleId, channel.id);
    if (!stored) {
      // No share to cancel: the choice alone is kept, once.
      plans.push(
        isDropped(record.channelOverrides, channel.id)
          ? { kind: 'nothing', channel, outcome: 'already-dropped' }
          : { kind: 'forget', channel },
      );
    } else if (stored.status === 'cancelled') {
      plans.push({ kind: 'nothing', channel, outcome: 'already-dropped', stored });
    } else {
      assertDroppable(stored);
      plans.push({ kind: 'cancel', channel, stored });
    }
  }

  // Every check passed: now the writes, shares first, the article's overrides last.
  const composing = plans.filter((plan) => plan.kind === 'create' || plan.kind === 'revive');
  const siteDeps = forSite(deps, record.article);
  const prepared = composing.length
    ? withImagesOf(
        await prepareShares(
          siteDeps,
          record,
          composing.map((plan) => plan.channel),
        ),
        await deps.shares.listForArticle(articleId),
      )
    : undefined;
  const changes: ArticleChannelsResult['changes'] = [];
  for (const plan of plans) {
    const { outcome, share } = await carryOut(deps, siteDeps, record, plan, actor, prepared);
    changes.push({ channelId: plan.channel.id, outcome, share: share ? shareView(share) : null });
  }
  const written = plans.filter((plan) => plan.kind !== 'nothing');
  const current = written.length
    ? await recordOverrides(
        deps,
        record,
        written.filter((p) => p.kind === 'create' || p.kind === 'revive').map((p) => p.channel.id),
        written.filter((p) => p.kind === 'cancel' || p.kind === 'forget').map((p) => p.channel.id),
      )
    : record;
  const shares = await deps.shares.listForArticle(articleId);
  return { article: articleView(current), changes, shares: shares.map(shareView) };
}

/**
 * The processed images compose already made for this article's networks, taken from its
 * shares, where the enrichment brought none (the editor API draws no image itself).
 */
function withImagesOf(prepared: PreparedShares, shares: readonly Share[]): PreparedShares {
  const media: PreparedShares['enrichment']['media'] = {};
  for (const share of shares) {
    if (media[share.platform]) continue;
    const thumbnail = share.card?.imageUrl
      ? [{ url: share.card.imageUrl, alt: share.card.imageAlt }]
      : undefined;
    const found = share.media?.length ? share.media : thumbnail;
    if (found) media[share.platform] = { media: found, warnings: [] };
  }
  const { enrichment } = prepared;
  return { ...prepared, enrichment: { ...enrichment, media: { ...media, ...enrichment.media } } };
}

/**
 * The channels by id, or a 400 naming each bad one: a channel must be the article's
 * site's (another site's is answered as unknown), named once, and not archived to be added.
 */
function checkChannels(
  deps: ArticleChannelsDeps,
  article: Article,
  add: readonly string[],
  drop: readonly string[],
): { add: Channel[]; drop: Channel[] } {
  const site = siteOf(article);
  const issues: FieldIssue[] = [];
  if (add.length === 0 && drop.length === 0) {
    issues.push({ field: 'add', message: 'name at least one channel to add or to drop' });
  }
  const find = (list: 'add' | 'drop', ids: readonly string[]) =>
    ids.flatMap((id, index) => {
      const field = `${list}.${index}`;
      const channel = deps.channels.find((c) => c.id === id && c.siteId === site);
      if (!channel) {
        issues.push({ field, message: `${id} is not a channel of the article's site (${site})` });
        return [];
      }
      if (list === 'add' && deps.statusOf?.(id) === 'archived') {
        issues.push({ field, message: `${id} is archived: it takes no new article` });
        return [];
      }
      if (list === 'drop' && add.includes(id)) {
        issues.push({ field, message: `${id} is also in add: name it in one list only` });
        return [];
      }
      return [channel];
    });
  const channels = { add: find('add', add), drop: find('drop', drop) };
  if (issues.length) {
    throw new ValidationError(
      `Invalid channels: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return channels;
}

/** A share that went out, or is going out, is not dropped: its post is withdrawn instead. */
function assertDroppable(share: Share): void {
  if (isEditable(share.status)) return;
  if (share.status === 'failed') {
    throw new ConflictError(
      `The ${share.channelId} share failed and is not going out: there is nothing to drop`,
    );
  }
  throw new ConflictError(
    `The ${share.channelId} share is ${share.status}: it cannot be dropped once posting has started; withdraw its post instead`,
  );
}

async function carryOut(
  deps: ArticleChannelsDeps,
  siteDeps: ArticleChannelsDeps,
  record: ArticleRecord,
  plan: Plan,
  actor: Actor,
  prepared: PreparedShares | undefined,
): Promise<{ outcome: ChannelOutcome; share?: Share }> {
  switch (plan.kind) {
    case 'nothing':
      return { outcome: plan.outcome, share: plan.stored };
    case 'forget':
      return { outcome: 'dropped' };
    case 'cancel':
      return { outcome: 'dropped', share: await cancel(deps, plan.stored, actor) };
    case 'create':
    case 'revive': {
      if (!prepared) throw new Error('Composing without the prepared enrichment');
      const placed = await composeShare(siteDeps, record, plan.channel, prepared);
      const share = byEditor(placed, actor, plan.kind === 'revive' ? plan.stored : undefined);
      const written =
        plan.kind === 'create'
          ? await deps.shares.createIfAbsent(share)
          : await deps.shares.replace(plan.stored, share);
      if (!written) {
        await deps.schedule?.abandon(placed, undefined);
        const now = await firstShare(deps.shares, record.articleId, plan.channel.id);
        // Another add (or compose) wrote it meanwhile: it is live now, as this one wanted.
        if (now && now.status !== 'cancelled') return { outcome: 'already-live', share: now };
        throw new ConflictError(
          `The ${plan.channel.id} share changed while this request was writing it: read the article again and retry`,
        );
      }
      return {
        outcome: plan.kind === 'create' ? 'added' : 'revived',
        share: await deps.enqueueIfDue(share),
      };
    }
  }
}

/**
 * The share compose made, as an editor's: its compose entry names them. A revived share
 * takes the cancelled one's place, keeping its history and creation time.
 */
function byEditor(placed: Share, actor: Actor, cancelled: Share | undefined): Share {
  const verb = cancelled ? 'added back' : 'added';
  const [composed, ...rest] = placed.history;
  const entry = composed && {
    ...composed,
    by: actor.by,
    ...(cancelled ? { from: cancelled.status } : {}),
    reason: `${verb} to this article by ${actor.by}; ${composed.reason ?? ''}`.replace(/; $/, ''),
  };
  const history = entry ? [entry, ...rest] : placed.history;
  if (!cancelled) return { ...placed, history };
  return {
    ...placed,
    version: cancelled.version + 1,
    createdAt: cancelled.createdAt,
    history: [...cancelled.history, ...history],
  };
}

/** The pending share cancelled, its reason naming the editor; a lost race is decided again once. */
async function cancel(deps: ArticleChannelsDeps, stored: Share, actor: Actor): Promise<Share> {
  let share = stored;
  for (let tries = 1; ; tries++) {
    const next = applyEvent(share, 'cancel', {
      at: deps.clock.now(),
      by: actor.by,
      reason: `dropped from this article by ${actor.by}`,
    });
    if (await deps.shares.replace(share, next)) {
      await deps.releasePostingSlot?.(share);
      return next;
    }
    const now = await firstShare(deps.shares, share.articleId, share.channelId);
    if (!now || tries === 2) {
      throw new ConflictError(
        `The ${share.channelId} share changed while this request was writing it: read the article again and retry`,
      );
    }
    if (now.status === 'cancelled') return now;
    assertDroppable(now);
    share = now;
  }
}

/** The editor's choice kept on the article; a concurrent change is merged with it once more. */
async function recordOverrides(
  deps: ArticleChannelsDeps,
  record: ArticleRecord,
  added: readonly string[],
  dropped: readonly string[],
): Promise<ArticleRecord> {
  let current = record;
  for (let tries = 1; ; tries++) {
    const next = overrideChannels(current.channelOverrides, { add: added, drop: dropped });
    if (await deps.articles.setChannelOverrides(record.articleId, current.channelOverrides, next)) {
      return { ...current, channelOverrides: next };
    }
    const again = await deps.articles.get(record.articleId);
    if (!again || tries === 2) {
      throw new ConflictError(
        `The article ${record.articleId} changed while this request was writing it: read it again and retry`,
      );
    }
    current = again;
  }
}
