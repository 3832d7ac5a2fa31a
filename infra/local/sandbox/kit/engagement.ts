/**
 * A sandbox post's engagement, from the audience model (audience.ts): the account it went
 * out as, the article link it carries (its card's URL, else the first link in its text),
 * and when the sandbox accepted it. Every sandbox answers its metrics routes from here.
 */
import type { Platform } from '../../../../shared/domain/platform';
import type { SandboxPost, SandboxPosts } from '../posts';
import { type AudienceCounts, type AudiencePost, countsAt } from './audience';

const LINK = /https?:\/\/[^\s<>"']+/i;

/** The article link a post carries: its card's URL, else the first link in its text. */
export function articleLinkOf(post: Pick<SandboxPost, 'card' | 'text' | 'url'>): string {
  const inText = LINK.exec(post.text)?.[0]?.replace(/[.,;:!?)\]]+$/, '');
  return post.card?.url ?? inText ?? post.url;
}

/** The post as the audience model sees it. */
export function audiencePostOf(post: SandboxPost): AudiencePost {
  return {
    platform: post.platform,
    account: post.account,
    url: articleLinkOf(post),
    publishedAt: Date.parse(post.receivedAt),
  };
}

/** The counts of the post `remoteId` of `platform` at `at`; undefined when no such post is out. */
export function engagementAt(
  posts: SandboxPosts,
  platform: Platform,
  remoteId: string,
  at: number,
): AudienceCounts | undefined {
  const post = posts.list().find((p) => p.platform === platform && p.remoteId === remoteId);
  return post ? countsAt(audiencePostOf(post), at) : undefined;
}
