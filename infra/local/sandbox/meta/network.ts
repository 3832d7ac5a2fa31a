/** What makes a Graph sandbox Threads or Instagram, and how one is started. */
import type { Platform } from '../../../../shared/domain/platform';
import type { RunningSandbox } from '../types';
import type { Container, ContainerDraft, ContainerState, GraphAccount, Media } from './account';
import type { CommentsSpec } from './comments';
import type { GraphErrorFields, Params } from './http';
import type { InsightMetrics } from './insights';
import type { MetaLogin } from './login';

export type Drafted = { ok: true; draft: ContainerDraft } | { ok: false; error: GraphErrorFields };

/** A container request refused as Graph refuses a bad parameter (code 100). */
export const invalidDraft = (message: string): Drafted => ({
  ok: false,
  error: { message, code: 100 },
});

/** An http(s) URL, as the container parameters that take one want it. */
export function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/** What makes a Graph sandbox Threads or Instagram. */
export type GraphNetwork = {
  platform: Platform;
  /** the version prefix of every path, e.g. `/v1.0` */
  version: RegExp;
  edges: { container: string; publish: string; list: string; quota: string };
  /** the node types "nonexisting field" errors name */
  nodes: { container: string; media: string; user: string };
  /** the `type` of Graph's "unsupported request" errors on this host */
  unsupportedType: string;
  defaultQuota: number;
  /** the earliest `since` the list accepts (Unix seconds) */
  earliestSince?: number;
  /** the container request, checked as the network checks it */
  draft(params: Params): Drafted;
  /** the throttle answer of the `429` fault, and the BUC type its usage header names */
  throttled: GraphErrorFields;
  usageType: string;
  /** publishing a container whose processing is not over */
  notReady(id: string): GraphErrorFields;
  /** publishing a container that is not there (or no longer publishable) */
  notFound(id: string): GraphErrorFields;
  containerFields(container: Container, state: ContainerState): Record<string, unknown>;
  mediaFields(media: Media, account: GraphAccount): Record<string, unknown>;
  userFields(account: GraphAccount): Record<string, unknown>;
  permalink(account: GraphAccount, shortcode: string): string;
  deleted(media: Media): unknown;
  /**
   * A network that takes replies (Threads): the edge under a post that lists the replies
   * to it, and the error for a reply to a post that is not there. Replies stay out of the
   * user's own list, which holds the posts that start threads.
   */
  replies?: { edge: string; unknownParent(id: string): GraphErrorFields };
  /** a network whose replies are comments (Instagram): `/{media-id}/comments` */
  comments?: CommentsSpec;
  /** the network's own login (Threads, Instagram with Instagram login) */
  login?: MetaLogin;
  /**
   * A post's insights edge (`GET /{media-id}/insights`): the metrics served, the retired
   * ones with their own refusal, and how long after publishing they stay empty.
   */
  insights?: {
    metrics: InsightMetrics;
    retired?: Record<string, GraphErrorFields>;
    lagMs?: number;
  };
};

export type GraphSandboxOptions = {
  username?: string;
  /** how long a container processes before FINISHED (it reads IN_PROGRESS at first anyway) */
  readyMs?: number;
  /** how long an unpublished container lives (Meta: 24 h) */
  containerTtlMs?: number;
  /** API-published posts per 24 h */
  publishQuota?: number;
  /** how late the `slow` fault answers */
  slowMs?: number;
  /** how long a post's insights stay empty after publishing (the network's default otherwise) */
  insightsLagMs?: number;
};

export type GraphSandbox = RunningSandbox & {
  /** every request the sandbox received, in order (method and path without version or query) */
  requests(): { method: string; path: string }[];
  /** the account's containers as the sandbox holds them, image URLs included */
  containers(): Container[];
};
