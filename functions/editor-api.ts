/** The editor API (`/api/*`): articles and their shares, and the editors' actions on them. */
import {
  articleStore,
  channelTimeline,
  clock,
  composeSettings,
  directPath,
  editorToken,
  liveChannels,
  shareStore,
} from '../shared/composition';
import { serverLimit } from '../shared/composition/network';
import type { DirectoryChannel } from '../shared/domain/channel-directory';
import { editorApi, ok } from '../shared/http/editor-api';
import { openApiDocument } from '../shared/http/openapi';
import { withObservability } from '../shared/observability';
import { actOnShare, editShare } from '../shared/usecases/edit-share';
import { getArticle, listArticles } from '../shared/usecases/read-articles';
import { listChannels } from '../shared/usecases/read-channels';
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
const openApi = openApiDocument();

export const handler = withObservability(
  editorApi(
    {
      'GET /api/articles': async ({ query }) => ok(await listArticles(reads, query)),
      'GET /api/articles/{articleId}': async ({ path }) =>
        ok(await getArticle(reads, path.articleId)),
      'PATCH /api/articles/{articleId}/shares/{channelId}': async ({ path, body, editor }) => {
        const ref = { articleId: path.articleId, key: path.channelId };
        return ok({ share: shareView(await editShare(writes, ref, body, editor)) });
      },
      'POST /api/articles/{articleId}/shares/{channelId}/{action}': async ({ path, editor }) => {
        const ref = { articleId: path.articleId, key: path.channelId };
        const result = await actOnShare(writes, ref, path.action, editor);
        return { status: result.accepted ? 202 : 200, body: { share: shareView(result.share) } };
      },
      'GET /api/openapi.json': async () => ok(openApi),
      'GET /api/channels': async () =>
        ok(listChannels(writes.channels.filter((c) => c.status !== 'archived'))),
    },
    editorToken(),
  ),
).before(async () => {
  // The channels as the table has them, at most a TTL old (shared/config/directory-cache.ts).
  writes.channels = (await liveChannels()).all;
});
