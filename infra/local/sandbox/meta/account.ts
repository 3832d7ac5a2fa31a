/**
 * What a Meta sandbox keeps per account: media containers and their lifecycle
 * (IN_PROGRESS, FINISHED or ERROR, EXPIRED after a day, PUBLISHED), the published
 * posts, the publishing quota's window, and a throttle set by the `429` fault.
 */

export type ContainerState = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

/** What a container request asked for, once the network has checked it. */
export type ContainerDraft = {
  mediaType: 'TEXT' | 'IMAGE';
  /** Threads' `text`, Instagram's `caption` */
  text: string;
  /** recorded as given: the sandbox never downloads it */
  imageUrl?: string;
  altText?: string;
  /** Threads' `link_attachment` */
  linkAttachment?: string;
  /** Threads' `reply_to_id`: the post this one answers */
  replyToId?: string;
};

export type Container = ContainerDraft & {
  id: string;
  createdAt: number;
  /** processing takes until then */
  readyAt: number;
  /** the first status read always says IN_PROGRESS, as on Meta for all but the quickest */
  polled: boolean;
  /** where processing ends: FINISHED, or ERROR under the `container-error` fault */
  ends: 'FINISHED' | 'ERROR';
  publishedAt?: number;
  mediaId?: string;
};

export type Media = ContainerDraft & {
  id: string;
  shortcode: string;
  permalink: string;
  createdAt: number;
  containerId: string;
};

import type { GraphComment } from './comments';

export const DAY_MS = 24 * 60 * 60_000;

export class GraphAccount {
  readonly containers = new Map<string, Container>();
  readonly media = new Map<string, Media>();
  /** comments on the account's posts, where the network takes them (Instagram) */
  readonly comments = new Map<string, GraphComment>();
  /** creates are refused until then (ms), after a `429` fault */
  rateLimitedUntil = 0;
  private readonly published: number[] = [];

  constructor(
    readonly id: string,
    readonly username: string,
    readonly token: string,
    readonly quotaTotal: number,
  ) {}

  /**
   * The container's state now. A read that is a status poll marks the container polled;
   * a publish only needs processing to be over.
   */
  stateOf(container: Container, now: number, ttlMs: number, poll: boolean): ContainerState {
    if (container.publishedAt !== undefined) return 'PUBLISHED';
    if (now >= container.createdAt + ttlMs) return 'EXPIRED';
    const firstPoll = poll && !container.polled;
    if (poll) container.polled = true;
    if (firstPoll || now < container.readyAt) return 'IN_PROGRESS';
    return container.ends;
  }

  /** Publishes within the last 24 hours: what the quota counts. */
  quotaUsage(now: number): number {
    while (this.published.length > 0 && (this.published[0] ?? now) <= now - DAY_MS) {
      this.published.shift();
    }
    return this.published.length;
  }

  recordPublish(now: number): void {
    this.published.push(now);
  }

  /** Newest first, as the lists answer. */
  posts(): Media[] {
    return [...this.media.values()].sort((a, b) =>
      a.createdAt === b.createdAt ? compareIds(b.id, a.id) : b.createdAt - a.createdAt,
    );
  }

  /** The replies that answer `id` directly, newest first. */
  repliesTo(id: string): Media[] {
    return this.posts().filter((m) => m.replyToId === id);
  }

  /** The comments on `id`, newest first. */
  commentsOn(id: string): GraphComment[] {
    return [...this.comments.values()]
      .filter((c) => c.mediaId === id)
      .sort((a, b) =>
        a.createdAt === b.createdAt ? compareIds(b.id, a.id) : b.createdAt - a.createdAt,
      );
  }

  /** The first post of the thread `media` belongs to (itself, when it answers nothing). */
  rootOf(media: Media): Media {
    let current = media;
    for (let depth = 0; current.replyToId && depth < 1000; depth++) {
      const parent = this.media.get(current.replyToId);
      if (!parent) break;
      current = parent;
    }
    return current;
  }
}

export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}
