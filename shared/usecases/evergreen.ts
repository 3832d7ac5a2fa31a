/**
 * Evergreen re-shares: once a round of an evergreen article is published on a channel,
 * the next round (`<channelId>~<round>`) is composed with a fresh text variant and placed
 * `afterDays` later. Written with a condition, so a retried message adds nothing twice.
 */
import type { Channel } from '../domain/channel';
import type { ArticleStore, Clock, ShareStore } from '../domain/ports';
import type { Share } from '../domain/share';
import type { ComposeSettings } from '../platforms/types';
import { type Enrichment, newShare } from './compose-article';
import type { SharePlanner } from './schedule-share';

export type ReshareDeps = {
  articles: ArticleStore;
  shares: ShareStore;
  channels: readonly Channel[];
  settings?: ComposeSettings;
  /** places the round on the channel's calendar; without it, it goes `afterDays` later */
  schedule?: SharePlanner;
  clock: Clock;
};

const DAY = 24 * 3600_000;

/** The template of an evergreen round: the next configured one in turn, else the prefix. */
export function reshareTemplate(channel: Channel, round: number): string {
  const { templates, prefix } = channel.evergreen;
  return templates?.[(round - 2) % templates.length] ?? `${prefix} ${channel.template}`;
}

/**
 * The next round after `published`, written if it was not there yet; undefined when the
 * article is not evergreen (or no longer published) or the channel's rounds are spent.
 */
export async function scheduleReshare(
  deps: ReshareDeps,
  published: Share,
): Promise<Share | undefined> {
  if (published.status !== 'published') return undefined;
  const channel = deps.channels.find((c) => c.id === published.channelId);
  const round = (published.round ?? 1) + 1;
  if (!channel || round > channel.evergreen.max + 1) return undefined;
  const record = await deps.articles.get(published.articleId);
  if (record?.article.priority !== 'evergreen' || record.article.status !== 'published') {
    return undefined;
  }
  const ref = { articleId: published.articleId, channelId: channel.id, round };
  const already = await deps.shares.get(ref);
  if (already) return already;

  // Counted from when this round went out, so a retried message plans the same wait.
  const wentOut = published.history.findLast((entry) => entry.to === 'published')?.at;
  const notBefore = new Date(
    Date.parse(wentOut ?? published.updatedAt) + channel.evergreen.afterDays * DAY,
  ).toISOString();
  const now = deps.clock.now();
  const variant = { ...channel, template: reshareTemplate(channel, round) };
  const composed = newShare(record, variant, now, deps.settings, enrichmentOf(published));
  const reason = `evergreen round ${round} of revision ${record.article.revision}`;
  const fresh: Share = {
    ...composed,
    round,
    // The images and card the first round was composed with are stored already.
    card: published.card ?? composed.card,
    media: published.media ?? composed.media,
    dueAt: new Date(Math.max(Date.parse(composed.dueAt), Date.parse(notBefore))).toISOString(),
    history: composed.history.map((entry) => ({
      ...entry,
      reason: entry.reason?.startsWith('Could not compose') ? entry.reason : reason,
    })),
  };
  const share = deps.schedule
    ? await deps.schedule.place(fresh, channel, record, { notBefore })
    : fresh;
  if (await deps.shares.createIfAbsent(share)) return share;
  const stored = await deps.shares.get(ref);
  await deps.schedule?.abandon(share, stored);
  return stored;
}

/** What compose knew of the article's images and the server's limit, from the last round. */
function enrichmentOf(published: Share): Enrichment {
  return {
    media: published.media
      ? { [published.platform]: { media: published.media, warnings: [] } }
      : {},
    limits:
      published.platform === 'mastodon' && published.length
        ? { [published.channelId]: published.length.limit }
        : undefined,
  };
}
