/**
 * Syndication links back to the CMS: once a share is published, a signed webhook tells
 * the CMS which article went out on which channel and network, and the post's URL.
 */
import { createHash } from 'node:crypto';
import { type Article, DESK_SOURCE } from './article';
import type { Channel } from './channel';
import type { ShareRef } from './ports';
import type { Share } from './share';
import type { SyndicationConfig } from './syndication-config';

export type { SyndicationConfig } from './syndication-config';

/** The endpoint an article of `source` is announced to; none means the CMS is not told. */
export function syndicationUrlFor(
  config: SyndicationConfig | undefined,
  source: Article['source'],
): string | undefined {
  // A desk post has no CMS behind it: nobody to tell.
  if (source === DESK_SOURCE) return undefined;
  return config?.sources[source] ?? config?.url;
}

/** Queues "tell the CMS about this share"; the message names the share and nothing else. */
export interface SyndicationQueue {
  send(share: ShareRef): Promise<void>;
}

/** An HTTP answer, or a typed failure to get one. */
export type WebhookDelivery =
  | { kind: 'answered'; status: number }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string };

export interface WebhookSender {
  post(
    url: string,
    request: { body: string; headers: Record<string, string>; timeoutMs: number },
  ): Promise<WebhookDelivery>;
}

export const SYNDICATION_EVENT = 'share.published';

/**
 * The body of the webhook, in Standard Webhooks' shape (`type`, `timestamp`, `data`).
 * Everything in it is already public: the article's URL and the post's.
 */
export function syndicationEvent(input: {
  articleId: string;
  article: Article;
  share: Share;
  channel?: Channel;
  at: Date;
}) {
  const { articleId, article, share, channel, at } = input;
  const published = share.history.findLast((entry) => entry.to === 'published');
  return {
    type: SYNDICATION_EVENT,
    timestamp: at.toISOString(),
    data: {
      article: {
        id: articleId,
        source: article.source,
        sourceId: article.sourceId,
        url: article.url,
        title: article.title,
      },
      channel: {
        id: share.channelId,
        name: channel?.name ?? null,
        account: channel?.account ?? null,
        round: share.round ?? 1,
      },
      network: share.platform,
      post: {
        id: share.remoteId ?? null,
        url: share.remoteUrl ?? null,
        publishedAt: published?.at ?? share.updatedAt,
      },
    },
  };
}

/**
 * The `webhook-id` of a share's notification: the same for every retry of it, so the CMS
 * can tell a retry from a new event (Standard Webhooks' idempotency key).
 */
export function syndicationWebhookId(share: Share): string {
  const digest = createHash('sha256')
    .update(`${share.articleId}\u0000${share.channelId}\u0000${share.remoteId ?? ''}`)
    .digest('hex');
  return `msg_${digest.slice(0, 32)}`;
}
