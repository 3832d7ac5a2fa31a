/**
 * What a multi-step Meta network (Threads, Instagram) brings to the shared container
 * client: its paths, fields and readers, how a listed post is matched to a share, and
 * where replies go and are listed.
 */
import type { Share } from '../../domain/share';
import type { MetricsOutcome, NetworkClient } from '../client';
import type { Call } from './call';
import type { ParsedCredentials } from './credentials';

/** Where and as whom a client calls: resolved from the channel's credentials. */
export type GraphTarget = {
  /** the versioned root, e.g. `https://graph.threads.net/v1.0` */
  base: string;
  /** the user node in paths: a numeric id, or `me` */
  user: string;
  accessToken: string;
};

export type ContainerState = 'IN_PROGRESS' | 'FINISHED' | 'ERROR' | 'EXPIRED' | 'PUBLISHED';

export type ContainerStatus = { state: ContainerState; detail?: string };

/** One of the account's posts as the network lists it, in the fields matching needs. */
export type ListedPost = {
  id: string;
  permalink?: string;
  /** the text (Threads) or caption (Instagram) */
  text?: string;
  /** Threads' `link_attachment_url` */
  linkUrl?: string;
  /** Graph's `2026-04-15T14:30:00+0000` */
  timestamp?: string;
  /** a reply: whether the account itself made it (Threads' `is_reply_owned_by_me`) */
  ownedByMe?: boolean;
};

export type ContainerSpec =
  | { ok: true; params: Record<string, string | undefined> }
  | { ok: false; message: string };

export type ContainerNetwork = {
  /** the network's name in messages */
  name: string;
  target(credentials: unknown): ParsedCredentials<GraphTarget>;
  /** the container's parameters for `share`, or why it cannot have one */
  container(share: Share): ContainerSpec;
  /** the edges under the user node: `threads` / `media`, `threads_publish` / `media_publish` */
  containerEdge: string;
  publishEdge: string;
  /** the fields a status read asks for, and what the answer says */
  statusFields: string;
  readStatus(body: unknown): ContainerStatus | undefined;
  list: {
    edge: string;
    fields: string;
    /** the earliest `since` the network accepts (Unix seconds), if it takes one */
    since?: { min: number };
    read(item: unknown): ListedPost | undefined;
  };
  /** whether a listed post is this share's */
  isShare(post: ListedPost, share: Share): boolean;
  /** the account's profile: the public URL when a post's permalink cannot be read */
  profileUrl(account: string): string;
  /** whether the API deletes a published post (`DELETE /{media-id}`); neither edits one */
  deletes: boolean;
  /** reads the counts of the published post `mediaId` (its insights; insights.ts) */
  metrics?(call: Call, mediaId: string): Promise<MetricsOutcome>;
  /** a network that takes replies: the container of a thread's part, and a post's replies */
  replies?: {
    /** the container's parameters for `text` as a reply to `parentId` */
    container(share: Share, text: string, parentId: string): ContainerSpec;
    /** the edge under a post that lists the replies to it, newest first */
    edge: string;
    fields: string;
    read(item: unknown): ListedPost | undefined;
  };
};

export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').normalize('NFC').trim();
}

export function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/** A client of a multi-step network: `prepare` is always there. */
export type ContainerClient = NetworkClient & Required<Pick<NetworkClient, 'prepare'>>;
