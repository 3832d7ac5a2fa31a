/** The editor API as the UI calls it: same origin, the editor's bearer token, answers checked. */
import * as z from 'zod/mini';
import type { ShareStatus } from '../../shared/domain/share-state';
import { type BestTimes, bestTimesSchema } from './best-times';
import { type BulkRequest, type BulkResult, bulkAnswerSchema } from './bulk-schemas';
import {
  type Engagement,
  engagementSchema,
  type Reading,
  readingsAnswerSchema,
} from './engagement-schemas';
import {
  type ArticleChannelsAnswer,
  type ArticleDetail,
  articleChannelsAnswerSchema,
  articleDetailSchema,
  articleListSchema,
  auditListSchema,
  type Channel,
  type ChannelHealth,
  type ConnectChoice,
  channelAnswerSchema,
  channelHealthAnswerSchema,
  channelListSchema,
  connectChoiceAnswerSchema,
  deskPostAnswerSchema,
  type EditorAccount,
  type ErrorBody,
  editorCreatedSchema,
  editorListSchema,
  editorSchema,
  errorBodySchema,
  type Me,
  meSchema,
  type NotificationsView,
  type NotificationTestResult,
  notificationsAnswerSchema,
  notificationTestSchema,
  type Share,
  type Site,
  shareAnswerSchema,
  siteListSchema,
} from './schemas';

export type ShareAction = 'approve' | 'cancel' | 'publish-now' | 'retry';

/** A share's image choice and alt text, as PATCH takes them. */
export type ImageChange = {
  image?: { source: 'article' | 'card' | 'none' } | { source: 'upload'; upload: string };
  imageAlt?: string | null;
};

const uploadAnswerSchema = z.object({
  upload: z.object({
    id: z.string(),
    width: z.number(),
    height: z.number(),
    contentType: z.string(),
    bytes: z.number(),
  }),
});
export type UploadedImage = z.infer<typeof uploadAnswerSchema>['upload'];

/** An answer other than 2xx, with what the API said about it. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly body: ErrorBody;
  constructor(status: number, body: ErrorBody) {
    super(body.message ?? `The API answered ${status}`);
    this.status = status;
    this.body = body;
  }
}

export type ListFilters = {
  status?: ShareStatus;
  channel?: string;
  /** only this site's articles */
  siteId?: string;
  from?: string;
  to?: string;
  /** text in the headline or the URL */
  q?: string;
  section?: string;
};

export type Api = ReturnType<typeof createApi>;

/** What an engagement request asks: the site, the period's days, a channel or a section. */
export type EngagementQuery = {
  siteId?: string;
  from?: string;
  to?: string;
  channelId?: string;
  section?: string;
};

const engagementParams = (query: EngagementQuery) => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value) params.set(name, value);
  }
  return params.toString();
};

export function createApi(options: {
  token: () => string | undefined;
  /** called on a 401: the token expired or was wrong */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}) {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function call<T>(
    schema: z.ZodMiniType<T>,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; data: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    // A Blob (an image upload) goes as its own bytes and type; anything else as JSON.
    const bytes = body instanceof Blob ? body : undefined;
    if (bytes) headers['content-type'] = bytes.type || 'application/octet-stream';
    else if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await doFetch(path, {
      method,
      headers,
      body: bytes ?? (body === undefined ? undefined : JSON.stringify(body)),
      cache: 'no-store',
    });
    const json: unknown = await response.json().catch(() => ({}));
    if (!response.ok) {
      if (response.status === 401) options.onUnauthorized();
      const parsed = errorBodySchema.safeParse(json);
      throw new ApiError(response.status, parsed.success ? parsed.data : {});
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(response.status, {
        error: 'unexpected_answer',
        message: `The API's answer to ${method} ${path} is not what the editor expects`,
      });
    }
    return { status: response.status, data: parsed.data };
  }

  const sharePath = (articleId: string, key: string) =>
    `/api/articles/${encodeURIComponent(articleId)}/shares/${encodeURIComponent(key)}`;
  const channelPath = (id: string) => `/api/channels/${encodeURIComponent(id)}`;
  const theShare = (answer: z.infer<typeof shareAnswerSchema>): Share =>
    'share' in answer ? answer.share : answer;

  return {
    /**
     * A stored image from one of the API's image routes (a share's `images` names them),
     * fetched with the bearer token: the previews show it through an object URL.
     */
    async getImage(path: string, signal?: AbortSignal): Promise<Blob> {
      if (!path.startsWith('/api/')) throw new Error(`Not an editor API path: ${path}`);
      const headers: Record<string, string> = { accept: 'image/*' };
      const token = options.token();
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await doFetch(path, { headers, signal });
      if (!response.ok) {
        if (response.status === 401) options.onUnauthorized();
        const parsed = errorBodySchema.safeParse(await response.json().catch(() => ({})));
        throw new ApiError(response.status, parsed.success ? parsed.data : {});
      }
      return response.blob();
    },

    async listArticles(query: ListFilters & { limit?: number; cursor?: string } = {}) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined && value !== '') params.set(name, String(value));
      }
      const search = params.size > 0 ? `?${params}` : '';
      return (await call(articleListSchema, 'GET', `/api/articles${search}`)).data;
    },

    async getArticle(articleId: string): Promise<ArticleDetail> {
      return (
        await call(articleDetailSchema, 'GET', `/api/articles/${encodeURIComponent(articleId)}`)
      ).data;
    },

    /** Every reading of a published share's counts, oldest first. */
    async readings(articleId: string, key: string): Promise<Reading[]> {
      return (await call(readingsAnswerSchema, 'GET', `${sharePath(articleId, key)}/metrics`)).data
        .readings;
    },

    /** A site's engagement over a period (publication days, UTC). */
    async engagement(query: EngagementQuery): Promise<Engagement> {
      return (await call(engagementSchema, 'GET', `/api/engagement?${engagementParams(query)}`))
        .data;
    },

    /**
     * The period's posts as a CSV file, fetched with the bearer token (a plain link would
     * carry none): the page saves it through an object URL.
     */
    async engagementCsv(query: EngagementQuery): Promise<Blob> {
      const headers: Record<string, string> = { accept: 'text/csv' };
      const token = options.token();
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await doFetch(`/api/engagement/posts.csv?${engagementParams(query)}`, {
        headers,
        cache: 'no-store',
      });
      if (!response.ok) {
        if (response.status === 401) options.onUnauthorized();
        const parsed = errorBodySchema.safeParse(await response.json().catch(() => ({})));
        throw new ApiError(response.status, parsed.success ? parsed.data : {});
      }
      return response.blob();
    },

    /** The configured channels; empty where the API does not list them. */
    async listChannels(): Promise<Channel[]> {
      try {
        return (await call(channelListSchema, 'GET', '/api/channels')).data.channels;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return [];
        throw error;
      }
    },

    /** The sites the editor may see. */
    async listSites(): Promise<Site[]> {
      return (await call(siteListSchema, 'GET', '/api/sites')).data.sites;
    },

    async createChannel(channel: Record<string, unknown>): Promise<Channel> {
      return (await call(channelAnswerSchema, 'POST', '/api/channels', channel)).data.channel;
    },

    /** A merge patch with the `version` it was read at: a 409 when someone changed it since. */
    async patchChannel(id: string, patch: Record<string, unknown>): Promise<Channel> {
      return (await call(channelAnswerSchema, 'PATCH', channelPath(id), patch)).data.channel;
    },

    async setChannelPaused(id: string, paused: boolean): Promise<Channel> {
      const path = `${channelPath(id)}/${paused ? 'pause' : 'resume'}`;
      return (await call(channelAnswerSchema, 'POST', path)).data.channel;
    },

    /** Pauses or resumes every channel of a site at once (PATCH /api/sites/{siteId}). */
    async setSitePaused(siteId: string, paused: boolean): Promise<void> {
      const path = `/api/sites/${encodeURIComponent(siteId)}`;
      await call(z.unknown(), 'PATCH', path, { status: paused ? 'paused' : 'active' });
    },

    /**
     * Sets a site's notification targets (the fields given; `null` removes one). The
     * answer holds a new webhook's signing key once, never again.
     */
    async setSiteNotifications(
      siteId: string,
      targets: Record<string, unknown>,
    ): Promise<{ notifications: NotificationsView; webhookSecret?: string }> {
      const path = `/api/sites/${encodeURIComponent(siteId)}/notifications`;
      const { data } = await call(notificationsAnswerSchema, 'PUT', path, targets);
      return data.webhookSecret
        ? { notifications: data.notifications, webhookSecret: data.webhookSecret }
        : { notifications: data.notifications };
    },

    /** Sends a test message to each of the site's targets now; how each took it. */
    async testSiteNotifications(siteId: string): Promise<NotificationTestResult[]> {
      const path = `/api/sites/${encodeURIComponent(siteId)}/notifications/test`;
      return (await call(notificationTestSchema, 'POST', path)).data.results;
    },

    /** Archives it: its shares not yet out are cancelled; past posts stay. */
    /** Stores credentials once the network accepted them (204); nothing is ever read back. */
    async setChannelCredentials(id: string, credentials: Record<string, string>): Promise<void> {
      await call(z.unknown(), 'PUT', `${channelPath(id)}/credentials`, credentials);
    },

    /** The network's consent page for Connect (Mastodon: on `instance`); no token ever. */
    async connectChannel(
      id: string,
      options: { instance?: string; via?: 'facebook' } = {},
    ): Promise<string> {
      const params = new URLSearchParams();
      if (options.instance) params.set('instance', options.instance);
      if (options.via) params.set('via', options.via);
      const query = params.size > 0 ? `?${params}` : '';
      const answer = await call(
        z.object({ authorizeUrl: z.string() }),
        'GET',
        `${channelPath(id)}/connect${query}`,
      );
      return answer.data.authorizeUrl;
    },

    /** The accounts a consent reached, kept for the admin to pick one (ids and names). */
    async connectChoice(id: string, choiceId: string): Promise<ConnectChoice> {
      const path = `${channelPath(id)}/connect/choices/${encodeURIComponent(choiceId)}`;
      return (await call(connectChoiceAnswerSchema, 'GET', path)).data.choice;
    },

    /** Connects the channel to the picked account; the choice is spent. */
    async chooseConnect(id: string, choice: string, candidate: string): Promise<void> {
      await call(z.unknown(), 'POST', `${channelPath(id)}/connect/choose`, { choice, candidate });
    },

    /** Asks the channel's network now whether its credentials work. */
    async checkChannel(id: string): Promise<ChannelHealth> {
      return (await call(channelHealthAnswerSchema, 'POST', `${channelPath(id)}/check`)).data
        .health;
    },

    /** The channel's best times learned: its engagement by weekday and hour. */
    async bestTimes(id: string): Promise<BestTimes> {
      return (await call(bestTimesSchema, 'GET', `${channelPath(id)}/best-times`)).data;
    },

    async archiveChannel(id: string): Promise<Channel> {
      return (await call(channelAnswerSchema, 'DELETE', channelPath(id))).data.channel;
    },

    /** `text: null` drops the editor's text: the share is composed again from the article. */
    async editShare(
      articleId: string,
      key: string,
      change: { text?: string | null; thread?: string[] | null; dueAt?: string } & ImageChange,
    ): Promise<Share> {
      return theShare(
        (await call(shareAnswerSchema, 'PATCH', sharePath(articleId, key), change)).data,
      );
    },

    /** A post of the desk's own on the chosen channels: the new post's id (an article's). */
    async createPost(post: Record<string, unknown>): Promise<{ articleId: string }> {
      return (await call(deskPostAnswerSchema, 'POST', '/api/posts', post)).data;
    },

    /** An image's bytes, kept for the site's shares to choose (POST /api/media). */
    async uploadMedia(file: Blob, siteId?: string): Promise<UploadedImage> {
      const search = siteId ? `?siteId=${encodeURIComponent(siteId)}` : '';
      return (await call(uploadAnswerSchema, 'POST', `/api/media${search}`, file)).data.upload;
    },

    /** Adds channels to the article or drops them: what became of each, and every share. */
    async changeChannels(
      articleId: string,
      change: { add?: string[]; drop?: string[] },
    ): Promise<ArticleChannelsAnswer> {
      return (
        await call(
          articleChannelsAnswerSchema,
          'POST',
          `/api/articles/${encodeURIComponent(articleId)}/channels`,
          change,
        )
      ).data;
    },

    /** The share after the action; `accepted` when a cancel is only requested (202). */
    async act(
      articleId: string,
      key: string,
      action: ShareAction,
    ): Promise<{ share: Share; accepted: boolean }> {
      const { status, data } = await call(
        shareAnswerSchema,
        'POST',
        `${sharePath(articleId, key)}/${action}`,
        {},
      );
      return { share: theShare(data), accepted: status === 202 };
    },

    /** One action on many shares: each share's own result, in the order named. */
    async bulkShares(request: BulkRequest): Promise<BulkResult[]> {
      return (await call(bulkAnswerSchema, 'POST', '/api/shares/bulk', request)).data.results;
    },

    /** Who the caller is; an API without `GET /api/me` is taken as one editor of every site. */
    async me(): Promise<Me> {
      try {
        return (await call(meSchema, 'GET', '/api/me')).data.editor;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          return { name: 'editor', role: 'editor', sites: 'all' };
        }
        throw error;
      }
    },

    async listEditors(): Promise<EditorAccount[]> {
      return (await call(editorListSchema, 'GET', '/api/editors')).data.editors;
    },

    /** The new editor, and its token where the API makes one (shown only in this answer). */
    async createEditor(input: {
      name: string;
      role: 'editor' | 'admin';
      sites: string[];
    }): Promise<{ editor: EditorAccount; token?: string }> {
      const { data } = await call(editorCreatedSchema, 'POST', '/api/editors', input);
      return data.token ? { editor: data.editor, token: data.token } : { editor: data.editor };
    },

    async revokeEditor(editorId: string): Promise<void> {
      await call(
        z.object({ editor: editorSchema }),
        'DELETE',
        `/api/editors/${encodeURIComponent(editorId)}`,
      );
    },

    /** One page of the audit, newest first; `cursor` is null on the last page. */
    async listAudit(query: { siteId?: string; cursor?: string; limit?: number } = {}) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined && value !== '') params.set(name, String(value));
      }
      const search = params.size > 0 ? `?${params}` : '';
      return (await call(auditListSchema, 'GET', `/api/audit${search}`)).data;
    },
  };
}

/** Every article, page after page, up to `maxPages` (the views show recent work, not the archive). */
export async function listAllArticles(
  api: Api,
  filters: ListFilters,
  maxPages = 5,
): Promise<{ articles: ArticleDetailList; complete: boolean }> {
  const articles: ArticleDetailList = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await api.listArticles({ ...filters, limit: 100, cursor });
    articles.push(...answer.articles);
    cursor = answer.cursor ?? undefined;
    if (!cursor) return { articles, complete: true };
  }
  return { articles, complete: false };
}

type ArticleDetailList = Awaited<ReturnType<Api['listArticles']>>['articles'];
