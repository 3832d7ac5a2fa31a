/**
 * The step a multi-step network takes before it posts (MULTI_STEP_PLATFORMS): its
 * container, made while the share waits for its dueAt.
 */
import type { Article } from '../../domain/article';
import type { Channel } from '../../domain/channel';
import type { Share } from '../../domain/share';
import type { NetworkClient, PrepareOutcome } from '../../platforms/client';
import { keepMedia, linkMedia } from './media';
import type { PublishShareDeps } from './types';

/**
 * A multi-step network's first step, ahead of dueAt. Nothing is posted yet, so every
 * failure only leaves a note: the publish step at dueAt makes the container itself.
 */
export async function prepare(
  deps: PublishShareDeps,
  share: Share,
  channel: Channel,
  client: NetworkClient,
  session: string | undefined,
  article: Article,
): Promise<Share> {
  const credentials = await deps.credentials.get(channel).catch(() => undefined);
  if (!client.prepare || credentials === undefined) return share;
  // The container's image is downloaded when it is made: it must be in the bucket (made
  // again where it is gone, written with the container's id), and its link made now.
  const images = deps.media ? await keepMedia(deps.media, share, article) : undefined;
  const ready: Share = images ? { ...share, ...images } : share;
  const sent = await linkMedia(deps.media, ready, deps.clock.now()).catch(() => undefined);
  if (!sent) return share;
  const call = {
    share: sent,
    account: channel.account,
    credentials,
    session,
    timeoutMs: deps.config.networkTimeoutMs,
  };
  const outcome: PrepareOutcome = await client.prepare(call).catch((error: unknown) => ({
    kind: 'retry',
    message: error instanceof Error ? error.message : String(error),
  }));
  if (outcome.session) await deps.channelState.saveSession(channel.id, outcome.session);
  const next: Share =
    outcome.kind === 'prepared'
      ? { ...ready, preparedId: outcome.preparedId, lastError: undefined }
      : { ...ready, lastError: `prepare: ${outcome.kind}: ${outcome.message}` };
  const written = {
    ...next,
    version: share.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  return (await deps.shares.replace(share, written)) ? written : share;
}
