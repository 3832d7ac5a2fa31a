/**
 * The editor API (`/api/*`): articles and their shares, and the editors' actions on them;
 * the sites, channels and editors, and the audit of their changes. An editor sees and
 * acts on only their sites' articles, shares and channels; admin routes refuse editors.
 */
import {
  articleStore,
  bestTimesStore,
  channelDirectory,
  channelStateStore,
  channelTimeline,
  clock,
  composeSettingsOf,
  directPath,
  editorToken,
  engagementStore,
  liveChannels,
  metricsStore,
  notificationStore,
  previewStore,
  sharePlanner,
  shareStore,
  slotStore,
} from '../shared/composition';
import { editorAccess } from '../shared/composition/editors';
import {
  notificationSender,
  notificationTopic,
  safeFetch,
  serverLimit,
} from '../shared/composition/network';
import type { LiveChannels } from '../shared/config/directory-cache';
import { type Article, DEFAULT_SITE_ID, siteOf } from '../shared/domain/article';
import type { Channel } from '../shared/domain/channel';
import type { DirectoryChannel } from '../shared/domain/channel-directory';
import { NotFoundError } from '../shared/domain/errors';
import { viewOfSettings } from '../shared/domain/notification';
import type { Platform } from '../shared/domain/platform';
import type { ArticleRecord } from '../shared/domain/ports';
import type { Share } from '../shared/domain/share';
import { bulkAnswer } from '../shared/http/bulk-routes';
import { bytes, created, download, editorApi, noContent, ok } from '../shared/http/editor-api';
import { type Editor, mayAccessSite } from '../shared/http/editor-auth';
import { logger, withObservability } from '../shared/observability';
import type { ComposeSettings } from '../shared/platforms/types';
import type { ChosenImageInput } from '../shared/preview/chosen-image';
import { bestTimesOf } from '../shared/usecases/best-times';
import {
  engagementCsv,
  engagementSite,
  periodPosts,
  readEngagement,
  readShareReadings,
} from '../shared/usecases/engagement';
import { getArticle, linked, listArticles } from '../shared/usecases/read-articles';
import { nextFreeTime, releaseSlot } from '../shared/usecases/schedule-share';
import { readShareImage, type ShareImageChoice } from '../shared/usecases/share-images';
import {
  listedSubscriptions,
  setSiteNotifications,
  testSiteNotifications,
} from '../shared/usecases/site-notifications';
import {
  archiveChannel,
  createChannel,
  createEditor,
  createSite,
  describeCaller,
  listAudit,
  listDirectoryChannels,
  listSites,
  patchChannel,
  patchSite,
  revokeEditor,
  rotateSiteKey,
  setChannelPaused,
} from '../shared/usecases/sites';
import { shareView } from '../shared/usecases/views';

/**
 * What only some routes need is loaded by the first request that needs it, not at cold
 * start: the composers and text rules (share edits, added channels), the page-card
 * extractor, the OpenAPI document, and the network clients (credentials, Connect).
 */
const editing = () => import('../shared/usecases/edit-share');
const channelAdding = () => import('../shared/usecases/article-channels');
const previews = () => import('../shared/preview/cache');
const platforms = () => import('../shared/composition/platforms');
const health = () => import('../shared/usecases/channel-health');
const connecting = () => import('../shared/usecases/connect-channel');
const bulking = () => import('../shared/usecases/bulk-shares');
const deskPosting = () => import('../shared/usecases/desk-post');
/** The image stack (sharp, satori) is loaded by the first desk post with a link or an image. */
const drawing = () => import('../shared/composition/preview');
const uploading = () => import('../shared/usecases/upload-media');
const images = () => import('../shared/composition/chosen-image');

const reads = {
  articles: articleStore(),
  shares: shareStore(),
  timeline: channelTimeline(),
  clock,
  // The previews show stored images through links made per request, valid an hour; the
  // S3 client is loaded by the first article that has one.
  previewLink: async (url: string) => {
    if (!url.startsWith('s3://') && !url.includes('X-Amz-Signature=')) return undefined;
    const { LINK_SECONDS, mediaStore } = await import('../shared/store/media-store');
    const store = mediaStore();
    return store.isStoredMedia(url) ? store.presignedUrl(url, LINK_SECONDS) : undefined;
  },
};
const writes = {
  articles: articleStore(),
  shares: shareStore(),
  /** the channel directory, archived channels included: set per request (below) */
  channels: [] as readonly DirectoryChannel[],
  /** the article's site's `{site}` and the author directory: set per request (below) */
  settingsFor: (_siteId: string): ComposeSettings | undefined => undefined,
  clock,
  enqueueIfDue: directPath(),
  serverLimit: serverLimit(),
  // A cancelled or moved share gives back the slot it held on a slotted channel.
  releasePostingSlot: (share: Share) => releaseSlot({ slots: slotStore() }, share),
  // A share's chosen image (PATCH `image`), made as compose makes the others.
  chooseImage: async (input: ChosenImageInput) => (await images()).chooseImage(input),
};
/** The channels as the table has them (set per request, below). */
let live: LiveChannels | undefined;
/**
 * Adding a channel composes its share as compose does: the page card (from the preview
 * cache compose filled), limits, the calendar. This function draws no image: the
 * processed images come from the article's other shares (shared/usecases/article-channels.ts).
 */
const channelChanges = {
  articles: articleStore(),
  shares: shareStore(),
  clock,
  schedule: sharePlanner(),
  enrich: async (article: Article) => ({
    page: await (await previews())
      .getPreview(article.url, { fetch: safeFetch(), store: previewStore() })
      .catch(() => undefined),
    media: {},
  }),
  serverLimit: serverLimit(),
  enqueueIfDue: directPath(),
  releasePostingSlot: (share: Share) => releaseSlot({ slots: slotStore() }, share),
};
/** A bulk reschedule "to the next slots" plans on the channel's calendar as compose does. */
const scheduling = {
  slots: slotStore(),
  shares: shareStore(),
  articles: articleStore(),
  clock,
};
/**
 * A desk post is composed here, as compose composes an article's shares: the link's page
 * card and the image processed per network (the compose step's own enricher).
 */
const deskPosts = {
  articles: articleStore(),
  shares: shareStore(),
  clock,
  schedule: sharePlanner(),
  enrich: async (article: Article, platforms: readonly Platform[]) =>
    (await drawing()).enricher()(article, platforms),
  serverLimit: serverLimit(),
  enqueueIfDue: directPath(),
};
const sites = {
  directory: channelDirectory(),
  access: editorAccess(),
  timeline: channelTimeline(),
  shares: shareStore(),
  clock,
  health: async (channelId: string) => (await channelStateStore().get(channelId)).health,
};
const emailTopic = notificationTopic();
const siteNotifications = {
  directory: channelDirectory(),
  notifications: notificationStore(),
  sender: notificationSender(),
  clock,
  ...(emailTopic ? { subscriptions: emailTopic } : {}),
};
/** A share's stored image, for the previews; the S3 client is loaded by the first one asked for. */
async function shareImage(
  path: { articleId: string; channelId: string },
  choice: ShareImageChoice,
  editor: Editor,
) {
  const { mediaStore } = await import('../shared/store/media-store');
  const image = await readShareImage(
    { articles: reads.articles, shares: reads.shares, media: mediaStore() },
    { articleId: path.articleId, key: path.channelId, choice },
    mayRead(editor),
  );
  return bytes(image.bytes, image.mimeType);
}

/** A site's engagement figures, read a day at a time. */
const engagement = { engagement: engagementStore(), clock };

/** The site an engagement request reads, as the caller may see it. */
function siteAsked(editor: Editor, asked: string | undefined): Promise<string> {
  // The table, not the cached directory: a site made a moment ago is there.
  const known = async (siteId: string) =>
    siteId === DEFAULT_SITE_ID || (await sites.directory.getSite(siteId)) !== undefined;
  return engagementSite(editor, asked, known, DEFAULT_SITE_ID);
}

/** Built on its first request: turning every schema into JSON Schema takes a while. */
let openApi: Promise<unknown> | undefined;

const mayRead = (editor: Editor) => (siteId: string) => mayAccessSite(editor, siteId);

/** A share write on another site's article is answered as if the article were not there. */
async function checkArticleSite(articleId: string, editor: Editor): Promise<void> {
  if (editor.sites === 'all') return;
  const record = await reads.articles.get(articleId);
  if (!record || !mayAccessSite(editor, siteOf(record.article))) {
    throw new NotFoundError(`No article ${articleId}`);
  }
}

export const handler = withObservability(
  editorApi(
    {
      'GET /api/articles': async ({ query, editor }) =>
        ok(await listArticles(reads, { ...query, mayRead: mayRead(editor) })),
      'GET /api/articles/{articleId}': async ({ path, editor }) =>
        ok(await getArticle(reads, path.articleId, mayRead(editor))),
      'PATCH /api/articles/{articleId}/shares/{channelId}': async ({ path, body, editor }) => {
        await checkArticleSite(path.articleId, editor);
        const ref = { articleId: path.articleId, key: path.channelId };
        const { editShare } = await editing();
        // Its images as links the browser can load, as GET /api/articles/{id} gives them.
        const view = shareView(await editShare(writes, ref, body, editor));
        return ok({ share: await linked(view, reads) });
      },
      'POST /api/articles/{articleId}/shares/{channelId}/{action}': async ({ path, editor }) => {
        await checkArticleSite(path.articleId, editor);
        const ref = { articleId: path.articleId, key: path.channelId };
        const { actOnShare } = await editing();
        const result = await actOnShare(writes, ref, path.action, editor);
        return { status: result.accepted ? 202 : 200, body: { share: shareView(result.share) } };
      },
      'POST /api/articles/{articleId}/channels': async ({ path, body, editor }) => {
        if (!live) throw new Error('The channel directory was not read');
        const current = live;
        const deps = {
          ...channelChanges,
          channels: current.all,
          statusOf: current.statusOf,
          settingsFor: (siteId: string) => composeSettingsOf(current, siteId),
        };
        const { changeArticleChannels } = await channelAdding();
        return ok(await changeArticleChannels(deps, path.articleId, body, editor, mayRead(editor)));
      },
      'GET /api/articles/{articleId}/shares/{channelId}/media/{index}': async ({ path, editor }) =>
        shareImage(path, { kind: 'media', index: path.index }, editor),
      'GET /api/articles/{articleId}/shares/{channelId}/card-image': async ({ path, editor }) =>
        shareImage(path, { kind: 'card' }, editor),
      'POST /api/shares/bulk': async ({ body, editor }) => {
        const { bulkShares } = await bulking();
        const deps = {
          ...writes,
          slots: slotStore(),
          // Planned as compose plans a new share: the same calendar, slots and lease.
          nextFreeTime: (share: Share, channel: Channel, record: ArticleRecord) =>
            nextFreeTime(scheduling, share, channel, record),
        };
        const check = editor.sites === 'all' ? undefined : mayRead(editor);
        const outcomes = await bulkShares(deps, body, editor, check);
        logger.info('Bulk share action', {
          action: body.action,
          shares: outcomes.length,
          done: outcomes.filter((o) => o.ok).length,
          by: editor.by,
        });
        return ok(bulkAnswer(outcomes));
      },
      'POST /api/posts': async ({ body, editor }) => {
        if (!live) throw new Error('The channel directory was not read');
        const current = live;
        const deps = {
          ...deskPosts,
          channels: current.all,
          statusOf: current.statusOf,
          hasSite: (siteId: string) => current.siteOf(siteId) !== undefined,
          settingsFor: (siteId: string) => composeSettingsOf(current, siteId),
        };
        const { createDeskPost } = await deskPosting();
        const { articleId } = await createDeskPost(deps, body, editor);
        return created({ articleId });
      },
      'POST /api/media': async ({ query, raw, editor }) => {
        const [{ uploadMedia, uploadSite }, { uploadStore }] = await Promise.all([
          uploading(),
          import('../shared/store/upload-store'),
        ]);
        const siteId = uploadSite(editor, query.siteId);
        const upload = await uploadMedia({ uploads: uploadStore() }, { ...raw, siteId });
        return created({ upload });
      },
      'GET /api/openapi.json': async () => {
        openApi ??= import('../shared/http/openapi').then(({ openApiDocument }) =>
          openApiDocument(),
        );
        return ok(await openApi);
      },
      'GET /api/channels': async ({ editor }) => ok(await listDirectoryChannels(sites, editor)),
      'POST /api/channels': async ({ body, editor }) => {
        return created(await createChannel(sites, body, editor));
      },
      'PATCH /api/channels/{id}': async ({ path, body, editor }) => {
        return ok(await patchChannel(sites, path.id, body, editor));
      },
      'POST /api/channels/{id}/pause': async ({ path, editor }) =>
        ok(await setChannelPaused(sites, path.id, true, editor)),
      'POST /api/channels/{id}/resume': async ({ path, editor }) =>
        ok(await setChannelPaused(sites, path.id, false, editor)),
      'PUT /api/channels/{id}/credentials': async ({ path, body, editor }) => {
        const [{ setChannelCredentials }, { channelHealthDeps }] = await Promise.all([
          health(),
          platforms(),
        ]);
        await setChannelCredentials(channelHealthDeps(), path.id, body, editor.by);
        return noContent();
      },
      'GET /api/channels/{id}/connect': async ({ path, query, editor }) => {
        const [{ startConnect }, { connectDeps }] = await Promise.all([connecting(), platforms()]);
        return ok(await startConnect(connectDeps(), path.id, editor.by, query));
      },
      'GET /api/channels/{id}/connect/choices/{choiceId}': async ({ path, editor }) => {
        const [{ getConnectChoice }, { connectDeps }] = await Promise.all([
          connecting(),
          platforms(),
        ]);
        return ok(await getConnectChoice(connectDeps(), path.id, path.choiceId, editor.by));
      },
      'POST /api/channels/{id}/connect/choose': async ({ path, body, editor }) => {
        const [{ chooseConnectCandidate }, { connectDeps }] = await Promise.all([
          connecting(),
          platforms(),
        ]);
        await chooseConnectCandidate(connectDeps(), path.id, body, editor.by);
        return noContent();
      },
      'POST /api/channels/{id}/check': async ({ path }) => {
        const [{ checkChannelById }, { channelHealthDeps }] = await Promise.all([
          health(),
          platforms(),
        ]);
        return ok(await checkChannelById(channelHealthDeps(), path.id));
      },
      'GET /api/channels/{id}/best-times': async ({ path, editor }) => {
        const channel = await channelDirectory().getChannel(path.id);
        if (!channel || channel.status === 'archived' || !mayAccessSite(editor, channel.siteId)) {
          throw new NotFoundError(`No channel ${path.id}`);
        }
        return ok(await bestTimesOf({ engagement: bestTimesStore() }, channel));
      },
      'DELETE /api/channels/{id}': async ({ path, editor }) => {
        return ok(await archiveChannel(sites, path.id, editor));
      },
      'GET /api/sites': async ({ editor }) => {
        // Each site's notification targets, set or unset: never a URL or a key. The
        // addresses' states come from one list of the topic's subscriptions.
        const { sites: listed } = await listSites(sites, editor);
        const settings = await Promise.all(
          listed.map((site) => siteNotifications.notifications.settings(site.id)),
        );
        const subscriptions = await listedSubscriptions(siteNotifications, settings).catch(
          (error: unknown) => {
            logger.warn('The e-mail subscriptions could not be listed', { error });
            return undefined;
          },
        );
        const withTargets = listed.map((site, index) => ({
          ...site,
          notifications: viewOfSettings(settings[index], subscriptions),
        }));
        return ok({ sites: withTargets });
      },
      'POST /api/sites': async ({ body, editor }) => {
        return created(await createSite(sites, body, editor));
      },
      'PATCH /api/sites/{siteId}': async ({ path, body, editor }) =>
        ok(await patchSite(sites, path.siteId, body, editor)),
      'POST /api/sites/{siteId}/webhook-key': async ({ path, body, editor }) =>
        created(await rotateSiteKey(sites, path.siteId, body.kind, editor)),
      'PUT /api/sites/{siteId}/notifications': async ({ path, body, editor }) =>
        ok(await setSiteNotifications(siteNotifications, path.siteId, body, editor)),
      'POST /api/sites/{siteId}/notifications/test': async ({ path, editor }) =>
        ok(await testSiteNotifications(siteNotifications, path.siteId, editor)),
      'GET /api/me': async ({ editor }) => ok(describeCaller(editor)),
      'GET /api/editors': async () => ok({ editors: await sites.access.listEditors() }),
      'POST /api/editors': async ({ body, editor }) => {
        return created(await createEditor(sites, body, editor));
      },
      'DELETE /api/editors/{id}': async ({ path, editor }) =>
        ok(await revokeEditor(sites, path.id, editor)),
      'GET /api/audit': async ({ query }) => ok(await listAudit(sites, query)),
      'GET /api/articles/{articleId}/shares/{channelId}/metrics': async ({ path, editor }) =>
        ok(
          await readShareReadings(
            { articles: reads.articles, shares: reads.shares, readings: metricsStore() },
            { articleId: path.articleId, key: path.channelId },
            mayRead(editor),
          ),
        ),
      'GET /api/engagement': async ({ query, editor }) =>
        ok(
          await readEngagement(engagement, {
            ...query,
            siteId: await siteAsked(editor, query.siteId),
          }),
        ),
      'GET /api/engagement/posts.csv': async ({ query, editor }) => {
        const siteId = await siteAsked(editor, query.siteId);
        const { days, posts } = await periodPosts(engagement, { ...query, siteId });
        const name = `engagement-${siteId}-${days[0]}-${days.at(-1)}.csv`;
        return download(
          new TextEncoder().encode(engagementCsv(posts)),
          'text/csv; charset=utf-8',
          name,
        );
      },
    },
    editorToken(),
    async (token) => sites.access.editorByToken(token),
  ),
).before(async () => {
  // The channels as the table has them, at most a TTL old (shared/config/directory-cache.ts).
  const current = await liveChannels();
  live = current;
  writes.channels = current.all;
  writes.settingsFor = (siteId) => composeSettingsOf(current, siteId);
});
