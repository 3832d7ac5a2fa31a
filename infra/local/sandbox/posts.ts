/** Every post the sandbox networks accepted, for `GET /sandbox/posts`. */
import type { Platform } from '../../../shared/domain/platform';

export type SandboxPost = {
  platform: Platform;
  /** the id the network answers with, and the one the share records */
  remoteId: string;
  /** null unless the post continues a thread, answers a post, or comments on one */
  inReplyToId: string | null;
  /** a comment on `inReplyToId` (Facebook, Instagram, LinkedIn), not a post of its own */
  comment?: true;
  /** as a reader sees it: plain text, entities decoded */
  text: string;
  /** ISO 8601 UTC with milliseconds */
  receivedAt: string;
  /** the account it was posted as */
  account: string;
  /** the post's public URL */
  url: string;
  /** the link card, where the request carried one */
  card?: { url: string; title?: string; description?: string; thumb?: string };
  /** media attached, as the network recorded it */
  media?: { mimeType: string; bytes: number; alt?: string }[];
};

export class SandboxPosts {
  private readonly posts: SandboxPost[] = [];

  add(post: Omit<SandboxPost, 'receivedAt'> & { receivedAt?: string }): SandboxPost {
    const stored = { ...post, receivedAt: post.receivedAt ?? new Date().toISOString() };
    this.posts.push(stored);
    return stored;
  }

  remove(platform: Platform, remoteId: string): void {
    const index = this.posts.findIndex((p) => p.platform === platform && p.remoteId === remoteId);
    if (index >= 0) this.posts.splice(index, 1);
  }

  /** An edited post keeps its place, remote id and receivedAt; what a reader sees changes. */
  edit(
    platform: Platform,
    remoteId: string,
    change: Partial<Pick<SandboxPost, 'text' | 'card' | 'media'>>,
  ): void {
    const index = this.posts.findIndex((p) => p.platform === platform && p.remoteId === remoteId);
    const post = this.posts[index];
    if (!post) return;
    const edited: SandboxPost = { ...post, ...change };
    for (const key of ['card', 'media'] as const) if (edited[key] === undefined) delete edited[key];
    this.posts[index] = edited;
  }

  list(): SandboxPost[] {
    return this.posts.map((p) => ({ ...p }));
  }
}
