/**
 * The editor API (`/api/*`): articles and their shares, and the editors' actions on them;
 * the sites, channels and editors, and the audit of their changes. An editor sees and
 * acts on only their sites' articles, shares and channels; admin routes refuse editors.
 */
import {
  articleStore,
  channelDirectory,
  channelTimeline,
  clock,
  composeSettings,
  directPath,
  editorToken,
  liveChannels,
  shareStore,
} from '../shared/composition';
import { editorAccess } from '../shared/composition/editors';
import { serverLimit } from '../shared/composition/network';
import { siteOf } from '../shared/domain/article';
import type { DirectoryChannel } from '../shared/domain/channel-directory';
import { NotFoundError } from '../shared/domain/errors';
import { created, editorApi, ok } from '../shared/http/editor-api';
import { type Editor, mayAccessSite } from '../shared/http/editor-auth';
import { openApiDocument } from '../shared/http/openapi';
import { withObservability } from '../shared/observability';
import { actOnShare, editShare } from '../shared/usecases/edit-share';
import { getArticle, listArticles } from '../shared/usecases/read-articles';
import {
  archiveChannel,
  createChannel,
  createEditor,
  createSite,
  listAudit,
  listDirectoryChannels,
  listSites,
  patchChannel,
  patchSite,
  revokeEditor,
  rotateSiteKey,
} from '../shared/usecases/sites';
import { shareView } from '../shared/usecases/views';

const reads = { articles: articleStore(), shares: shareStore(), timeline: channelTimeline() };
const writes = {
  articles: articleStore(),
  shares: shareStore(),
  /** the channel directory, archived channels included: set per request (below) */
  channels: [] as readonly DirectoryChannel[],
  settings: composeSettings(),
  clock,
  enqueueIfDue: directPath(),
  serverLimit: serverLimit(),
};
const sites = {
  directory: channelDirectory(),
  access: editorAccess(),
  timeline: channelTimeline(),
  shares: shareStore(),
  clock,
};
const openApi = openApiDocument();

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
        return ok({ share: shareView(await editShare(writes, ref, body, editor)) });
      },
      'POST /api/articles/{articleId}/shares/{channelId}/{action}': async ({ path, editor }) => {
        await checkArticleSite(path.articleId, editor);
        const ref = { articleId: path.articleId, key: path.channelId };
        const result = await actOnShare(writes, ref, path.action, editor);
        return { status: result.accepted ? 202 : 200, body: { share: shareView(result.share) } };
      },
      'GET /api/openapi.json': async () => ok(openApi),
      'GET /api/channels': async ({ editor }) => ok(await listDirectoryChannels(sites, editor)),
      'POST /api/channels': async ({ body, editor }) => {
        return created(await createChannel(sites, body, editor));
      },
      'PATCH /api/channels/{id}': async ({ path, body, editor }) => {
        return ok(await patchChannel(sites, path.id, body, editor));
      },
      'DELETE /api/channels/{id}': async ({ path, editor }) => {
        return ok(await archiveChannel(sites, path.id, editor));
      },
      'GET /api/sites': async ({ editor }) => ok(await listSites(sites, editor)),
      'POST /api/sites': async ({ body, editor }) => {
        return created(await createSite(sites, body, editor));
      },
      'PATCH /api/sites/{siteId}': async ({ path, body, editor }) =>
        ok(await patchSite(sites, path.siteId, body, editor)),
      'POST /api/sites/{siteId}/webhook-key': async ({ path, body, editor }) =>
        created(await rotateSiteKey(sites, path.siteId, body.kind, editor)),
      'GET /api/editors': async () => ok({ editors: await sites.access.listEditors() }),
      'POST /api/editors': async ({ body, editor }) => {
        return created(await createEditor(sites, body, editor));
      },
      'DELETE /api/editors/{id}': async ({ path, editor }) =>
        ok(await revokeEditor(sites, path.id, editor)),
      'GET /api/audit': async ({ query }) => ok(await listAudit(sites, query)),
    },
    editorToken(),
    async (token) => sites.access.editorByToken(token),
  ),
).before(async () => {
  // The channels as the table has them, at most a TTL old (shared/config/directory-cache.ts).
  writes.channels = (await liveChannels()).all;
});
